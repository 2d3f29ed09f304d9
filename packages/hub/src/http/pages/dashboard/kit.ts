import type { FastifyReply, FastifyRequest } from 'fastify'
import type { ServerDeps } from '../../server-deps.js'
import type { PageContext, ViewPath } from './layout.js'
import type { DashboardCaller } from './session.js'

/** What every view is registered with: the hub's services and the dashboard's helpers. */
export interface DashboardKit {
  deps: ServerDeps
  /** The signed-in caller (set by the session hook before any view handler runs). */
  caller(req: FastifyRequest): DashboardCaller
  /** The page context: product name, a CSRF token for the page's forms, the signed-in key. */
  context(req: FastifyRequest, reply: FastifyReply, active: ViewPath | undefined, extra?: Partial<PageContext>): PageContext
  /** Answers a rendered page (HTML) with `status`. */
  send(reply: FastifyReply, pageHtml: string, status?: number): FastifyReply
  /** Redirects (303) to a dashboard path after a successful form. */
  redirect(reply: FastifyReply, path: string): FastifyReply
}

/**
 * A form body (application/x-www-form-urlencoded, parsed by @fastify/formbody): each field as a
 * string ('' when absent), the first value of a repeated field.
 */
export function formField(body: unknown, name: string): string {
  const v = (body as Record<string, unknown> | undefined)?.[name]
  const first = Array.isArray(v) ? v[0] : v
  return typeof first === 'string' ? first : ''
}

/** Every value of a repeated form field (checkboxes). */
export function formList(body: unknown, name: string): string[] {
  const v = (body as Record<string, unknown> | undefined)?.[name]
  return (Array.isArray(v) ? v : v === undefined ? [] : [v]).filter((x): x is string => typeof x === 'string')
}

/** Fixed success messages, named by the `done` query parameter after a redirect (no user text in URLs). */
export const DONE_MESSAGES: Readonly<Record<string, string>> = {
  'oauth-saved': 'OAuth app saved.',
  'oauth-removed': 'OAuth app removed.',
  'connection-deleted': 'Connection deleted.',
  reconnected: 'Connection reconnected.',
  'webhook-saved': 'Webhook endpoint saved.',
  'webhook-removed': 'Webhook endpoint removed.',
  'key-revoked': 'API key revoked: it no longer works anywhere.',
  'settings-saved': 'Settings saved.',
}

/** The message of a `?done=` code, if known. */
export function doneMessage(query: unknown): string | undefined {
  const code = (query as Record<string, unknown> | undefined)?.['done']
  return typeof code === 'string' ? DONE_MESSAGES[code] : undefined
}
