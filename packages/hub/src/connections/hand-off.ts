import { ConnectionStatus, PatchbayError, type ExecuteFailure } from '@patchbay/core'
import type { Integration } from '../catalog/catalog.js'
import type { ConnectionRow, Store } from '../store/store.js'
import type { ConnectSessions } from './connect-sessions.js'

/*
 * The hand-off for agents (docs/agents.md): a run for one of the app's end users goes to that
 * user's own connection of the integration, never another user's; when the user has none (or only
 * an expired one) the answer is a fresh Connect link limited to that user and that integration.
 */

/** What the hand-off needs: the store and, to make links, the Connect sessions. */
export interface HandOffDeps {
  store: Store
  connectSessions?: ConnectSessions | undefined
}

/** A run that cannot go ahead until the end user connects: the link to give them. */
export interface AuthRequired {
  /** The integration's id, e.g. `github`. */
  integration: string
  /** Its display name, e.g. `GitHub`. */
  integrationName: string
  endUserId: string
  /** The hosted Connect page of a fresh session for this user, limited to this integration. */
  connectUrl: string
  expiresAt: string
  /** The user's expired (or failed) connection the link re-authorises, if there is one. */
  reconnectConnectionId: string | undefined
  /** What the user and the agent should do, in a sentence or two. */
  message: string
}

/** The 2xx FAILED body of a run that needs the end user to connect first. */
export interface AuthRequiredFailure extends ExecuteFailure {
  code: 'AUTH_REQUIRED'
  connectUrl: string
  expiresAt: string
  integration: string
  endUserId: string
}

/**
 * The `endUserId` of a request (an execute body, an `end_user` query parameter), or undefined
 * when absent.
 *
 * @throws {PatchbayError} VALIDATION when it is not a string of 1 to 200 characters.
 */
export function readEndUserId(value: unknown, name = 'endUserId'): string | undefined {
  if (value === undefined || value === null) return undefined
  if (typeof value !== 'string' || value.length === 0 || value.length > 200 || value.trim() !== value) {
    throw new PatchbayError('VALIDATION', `${name} must be a string of 1 to 200 characters without surrounding spaces: the endUser.id your app gave the Connect session`)
  }
  return value
}

const PAGE = 100

/**
 * The end user's connection of `integration`: the newest ACTIVE one, else the newest one that is
 * EXPIRED or in ERROR (to re-authorise). Only rows whose `end_user_id` is this user are read.
 */
export async function findEndUserConnection(
  store: Store,
  tenantId: string,
  integration: Integration,
  endUserId: string,
): Promise<{ active: ConnectionRow | undefined; stale: ConnectionRow | undefined }> {
  let stale: ConnectionRow | undefined
  let after: { created_at: string; id: string } | undefined
  for (let read = 0; read < 10_000; read += PAGE) {
    // Keyset paging: each page starts after the last row of the one before, never re-reading it.
    const page = await store.listConnections(tenantId, { offset: 0, limit: PAGE, endUserId, ...(after ? { after } : {}) })
    const last = page.rows.at(-1)
    if (last) after = { created_at: last.created_at, id: last.id }
    for (const row of page.rows) {
      // The store filtered already; checked again so a store without the filter can never leak another user's row.
      if (row.end_user_id !== endUserId || row.integration_id !== integration.modelId) continue
      if (row.status === ConnectionStatus.ACTIVE) return { active: row, stale }
      if (!stale && (row.status === ConnectionStatus.EXPIRED || row.status === ConnectionStatus.ERROR)) stale = row
    }
    if (page.rows.length < PAGE) break
  }
  return { active: undefined, stale }
}

/**
 * Creates the Connect session of a hand-off: for `endUserId`, limited to `integration`, a
 * reconnect of `stale` when the user has an expired connection.
 *
 * @throws {PatchbayError} INTERNAL when the hub was built without Connect sessions.
 */
export async function createAuthRequired(
  deps: HandOffDeps,
  tenantId: string,
  integration: Integration,
  endUserId: string,
  baseUrl: string,
  stale: ConnectionRow | undefined,
): Promise<AuthRequired> {
  if (!deps.connectSessions) throw new PatchbayError('INTERNAL', 'Connect sessions are not available on this hub')
  const body: Record<string, unknown> = { endUser: { id: endUserId }, allowedIntegrations: [integration.definition.id] }
  if (stale) body['reconnect'] = { connectionId: stale.id }
  const created = await deps.connectSessions.create(tenantId, body, baseUrl)
  const name = integration.definition.name
  const message = stale
    ? `The ${name} connection of end user ${endUserId} is ${stale.status}: the user must reconnect it at ${created.connectUrl} (link valid until ${created.expiresAt}), then call again.`
    : `End user ${endUserId} has not connected ${name} yet: the user must connect it at ${created.connectUrl} (link valid until ${created.expiresAt}), then call again.`
  return {
    integration: integration.definition.id,
    integrationName: name,
    endUserId,
    connectUrl: created.connectUrl,
    expiresAt: created.expiresAt,
    reconnectConnectionId: stale?.id,
    message,
  }
}

/** The execute endpoint's answer for a hand-off: `{ status: 'FAILED', code: 'AUTH_REQUIRED', connectUrl, … }`. */
export function authRequiredFailure(a: AuthRequired): AuthRequiredFailure {
  return {
    status: 'FAILED',
    completed: true,
    error_message: a.message,
    errorMessage: a.message,
    statusCode: 401,
    code: 'AUTH_REQUIRED',
    connectUrl: a.connectUrl,
    expiresAt: a.expiresAt,
    integration: a.integration,
    endUserId: a.endUserId,
  }
}
