import { randomBytes } from 'node:crypto'
import type { FastifyInstance, FastifyReply } from 'fastify'
import { PatchbayError, type AuthenticationSchema } from '@patchbay/core'
import { integrationLookup } from '../catalog/find-integration.js'
import { finishConnect, sessionIntegration, sessionIntegrations, submitConnect, type ConnectPageDeps } from '../connections/connect-page-flow.js'
import { DEFAULT_CONNECT_SETTINGS, originOf, readConnectSettings, type ConnectSettings } from '../connections/connect-settings.js'
import type { ConnectSession } from '../connections/connect-sessions.js'
import { schemesOf } from '../connections/records.js'
import { credentialFormPage, integrationListPage, problemPage, schemeChoicePage, sessionGonePage, type PageContext } from './pages/connect/connect-page.js'
import { CALLBACK_JS, CONNECT_JS } from './pages/connect/connect-script.js'
import { CONNECT_CSS } from './pages/connect/connect-style.js'
import { requireObject } from './request.js'
import type { ServerDeps } from './server-deps.js'

/** The Connect page's paths: public, as the session token is the credential. */
export const CONNECT_PAGE_PATHS: readonly string[] = [
  '/connect',
  '/connect/assets/connect.js',
  '/connect/assets/connect.css',
  '/connect/assets/callback.js',
  '/connect/api/submit',
  '/connect/api/finish',
]

/**
 * The `Content-Security-Policy` of a Connect page: only this hub's own script and stylesheet
 * (plus one nonce-d style block for the accent colour), images from the hub, data URLs and the
 * branding logo's origin, and embedding only by the tenant's allowed origins.
 */
export function connectPageCsp(settings: ConnectSettings, nonce: string): string {
  const logo = settings.branding.logoUrl ? originOf(settings.branding.logoUrl) : undefined
  const ancestors = settings.allowedOrigins.length > 0 ? settings.allowedOrigins.join(' ') : "'none'"
  return [
    "default-src 'none'",
    "script-src 'self'",
    `style-src 'self' 'nonce-${nonce}'`,
    `img-src 'self' data:${logo ? ` ${logo}` : ''}`,
    "connect-src 'self'",
    "form-action 'self'",
    "base-uri 'none'",
    `frame-ancestors ${ancestors}`,
  ].join('; ')
}

function pageHeaders(reply: FastifyReply, csp: string): FastifyReply {
  return reply
    .header('content-type', 'text/html; charset=utf-8')
    .header('cache-control', 'no-store')
    .header('referrer-policy', 'no-referrer')
    .header('x-content-type-options', 'nosniff')
    .header('content-security-policy', csp)
}

/**
 * The hosted Connect page (`GET /connect?session=…`), its script and stylesheet, and the two JSON
 * calls the script makes (`POST /connect/api/submit`, `/connect/api/finish`), both bound to the
 * session token in their body and rate-limited per client address (docs/connect.md).
 */
export function registerConnectPageRoutes(
  app: FastifyInstance,
  deps: Pick<ServerDeps, 'store' | 'vault' | 'catalog' | 'tenantIntegrations' | 'runner' | 'oauth' | 'mcpClients' | 'connectSessions'>,
): void {
  const flow: ConnectPageDeps = {
    store: deps.store,
    vault: deps.vault,
    oauth: deps.oauth,
    mcpClients: deps.mcpClients,
    sessions: deps.connectSessions,
    runner: deps.runner,
    findIntegration: integrationLookup(deps.catalog, deps.tenantIntegrations),
    listIntegrations: async (tenantId) => [...deps.catalog.list(), ...(await deps.tenantIntegrations.list(tenantId))],
  }
  const asset = (path: string, type: string, text: string) =>
    app.get(path, { schema: { summary: 'A static file of the Connect page (served by the hub, no CDN)', tags: ['connect'], security: [] } }, async (_req, reply) =>
      reply.header('content-type', type).header('cache-control', 'public, max-age=300').header('x-content-type-options', 'nosniff').send(text),
    )
  asset('/connect/assets/connect.js', 'text/javascript; charset=utf-8', CONNECT_JS)
  asset('/connect/assets/callback.js', 'text/javascript; charset=utf-8', CALLBACK_JS)
  asset('/connect/assets/connect.css', 'text/css; charset=utf-8', CONNECT_CSS)

  app.get<{ Querystring: Record<string, string | undefined> }>(
    '/connect',
    { schema: { summary: 'The hosted Connect page of a session (HTML)', tags: ['connect'], security: [] }, config: { rateLimit: { max: 120, timeWindow: 60_000 } } },
    async (req, reply) => {
      const nonce = randomBytes(16).toString('base64')
      const token = req.query['session'] ?? ''
      let session: ConnectSession
      try {
        session = await deps.connectSessions.validate(token)
      } catch (err) {
        if (!(err instanceof PatchbayError)) throw err
        const found = await deps.connectSessions.find(token)
        const settings = found ? await readConnectSettings(deps.store, found.tenantId) : { ...DEFAULT_CONNECT_SETTINGS }
        const ctx = { settings, nonce, origin: allowedOrigin(req.query['origin'], settings) }
        return pageHeaders(reply.status(err.status), connectPageCsp(settings, nonce)).send(sessionGonePage(ctx, err.code, err.message))
      }
      const settings = await readConnectSettings(deps.store, session.tenantId)
      const ctx: PageContext = { session, token, settings, nonce, origin: allowedOrigin(req.query['origin'], settings) }
      const csp = connectPageCsp(settings, nonce)
      try {
        return await renderView(ctx, req.query, reply, csp)
      } catch (err) {
        // An integration or scheme the session does not offer: a page, not a JSON body.
        if (!(err instanceof PatchbayError) || err.status >= 500) throw err
        return pageHeaders(reply.status(err.status), csp).send(problemPage(ctx, err.message))
      }
    },
  )

  async function renderView(ctx: PageContext, query: Record<string, string | undefined>, reply: FastifyReply, csp: string): Promise<FastifyReply> {
    const session = ctx.session
    const req = { query }
    const integrations = await sessionIntegrations(flow, session)
    const chosen = req.query['integration'] ?? (integrations.length === 1 ? integrations[0]?.definition.id : undefined)
    if (!chosen) return pageHeaders(reply, csp).send(integrationListPage(ctx, integrations))
    const integration = await sessionIntegration(flow, session, chosen)
    const schemes = schemesOf(integration)
    const scheme = req.query['scheme'] ?? (schemes.length === 1 ? schemes[0] : undefined)
    if (!scheme) return pageHeaders(reply, csp).send(schemeChoicePage(ctx, integration, schemes))
    if (!(schemes as readonly string[]).includes(scheme))
      throw new PatchbayError('NOT_FOUND', `${integration.definition.name} has no scheme ${JSON.stringify(scheme.slice(0, 40))}`)
    return pageHeaders(reply, csp).send(credentialFormPage(ctx, integration, scheme as AuthenticationSchema, schemes.length > 1))
  }

  const apiOptions = (max: number, summary: string) => ({
    schema: { summary, tags: ['connect'], security: [] },
    bodyLimit: 65_536,
    config: { rateLimit: { max, timeWindow: 60_000 } },
  })
  app.post(
    '/connect/api/submit',
    apiOptions(30, "The Connect page's form: verifies and saves the credentials, or starts OAuth (the session token in the body is the credential)"),
    async (req, reply) => {
      const body = requireObject(req.body, 'connect')
      const result = await submitConnect(flow, body['session'], { integration: body['integration'], scheme: body['scheme'], data: body['data'] })
      return reply.header('cache-control', 'no-store').send(result)
    },
  )
  app.post('/connect/api/finish', apiOptions(120, 'Where the OAuth flow a Connect session started stands (pending, connected or failed)'), async (req, reply) => {
    const body = requireObject(req.body, 'finish')
    return reply.header('cache-control', 'no-store').send(await finishConnect(flow, body['session']))
  })
}

/** The `?origin=` of the opener when the tenant allowed it exactly; else none (no postMessage). */
function allowedOrigin(raw: string | undefined, settings: ConnectSettings): string | undefined {
  if (!raw) return undefined
  const origin = originOf(raw)
  return origin && origin === raw && settings.allowedOrigins.includes(origin) ? origin : undefined
}
