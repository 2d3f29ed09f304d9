import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance, type FastifyRequest } from 'fastify'
import type { Logger } from 'pino'
import { FunctionType, PatchbayError, type PaginateResponseV1 } from '@patchbay/core'
import type { ActionRunner } from '../actions/run-action.js'
import type { OAuthApps } from '../auth/oauth-apps.js'
import type { CallbackOutcome, OAuthService } from '../auth/oauth.js'
import type { Catalog, Integration } from '../catalog/catalog.js'
import type { Store } from '../store/store.js'
import type { ApiKeyResolver } from '../tenants/api-keys.js'
import type { Vault } from '../vault/vault.js'
import { createAgentServices, registerAgentRoutes } from '../agents/agent-services.js'
import type { TenantIntegrations } from '../catalog/tenant-integrations.js'
import type { RemoteMcpClients } from '../mcp/remote-client.js'
import { execute, executeAsync, resolveTarget } from './execute.js'
import { connectionRecord, integrationRecord } from './records.js'
import { DEFAULT_LIMITS, type HubLimits } from '../limits.js'
import { AuthFailureGuard } from './auth-failures.js'
import { bodyTooLargeError, checkTextParam, registerRequestGuards, serverTimeouts } from './request-guards.js'

/** What {@link buildServer} is built with. */
export interface ServerDeps {
  store: Store
  vault: Vault
  catalog: Catalog
  runner: ActionRunner
  keys: ApiKeyResolver
  logger: Logger
  /** Largest accepted body, bytes. */
  maxBodyBytes: number
  /** Base of absolute URLs the hub hands out (poll URLs); resolved per request when undefined. */
  publicUrl: () => string | undefined
  oauth: OAuthService
  oauthApps: OAuthApps
  /** Asynchronous runs still working (built here when absent). */
  backgroundRuns?: Set<Promise<void>>
  /** Let tenant-supplied URLs (remote MCP servers) reach private addresses (`PATCHBAY_ALLOW_PRIVATE_NETWORK`). */
  allowPrivateNetwork?: boolean | undefined
  upstreamConnectTimeoutMs?: number | undefined
  upstreamTimeoutMs?: number | undefined
  /** Built by {@link buildServer} when absent (see agents/agent-services.ts). */
  mcpClients?: RemoteMcpClients | undefined
  tenantIntegrations?: TenantIntegrations | undefined
  /** Timeouts, admin body and registration limits, failed-key throttling (default {@link DEFAULT_LIMITS}). */
  limits?: HubLimits | undefined
}

/** Routes reachable without an API key. */
const PUBLIC_PATHS = new Set(['/health', '/oauth/callback'])

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`)

/** The page a user lands on after granting (or refusing) access at a provider. */
function callbackPage(o: CallbackOutcome): string {
  const colour = o.ok ? '#137333' : '#b3261e'
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${escapeHtml(o.title)} · Patchbay</title>
<style>body{font-family:system-ui,sans-serif;max-width:36rem;margin:4rem auto;padding:0 1rem;color:#222}h1{color:${colour};font-size:1.5rem}code{background:#f3f3f3;padding:.1rem .3rem}</style></head>
<body><h1>${escapeHtml(o.title)}</h1><p>${escapeHtml(o.message)}</p>${o.connectionId ? `<p>Connection <code>${escapeHtml(o.connectionId)}</code></p>` : ''}</body></html>`
}

declare module 'fastify' {
  interface FastifyRequest {
    tenantId: string
  }
}

/** Reads the API key from `x-api-key`, or `Authorization: Token <key>` (or `Bearer <key>`). */
function apiKeyOf(req: FastifyRequest): string | undefined {
  const header = req.headers['x-api-key']
  if (typeof header === 'string' && header) return header.trim()
  const auth = req.headers.authorization
  if (auth) {
    const m = /^(?:Token|Bearer)\s+(.+)$/i.exec(auth.trim())
    if (m) return (m[1] as string).trim()
  }
  return undefined
}

function requireObject(body: unknown, what: string): Record<string, unknown> {
  if (body === undefined || body === null) return {}
  if (typeof body !== 'object' || Array.isArray(body)) {
    throw new PatchbayError('VALIDATION', `The ${what} body must be a JSON object; got ${Array.isArray(body) ? 'an array' : typeof body}`)
  }
  return body as Record<string, unknown>
}

function int(value: unknown, name: string, fallback: number, min: number, max: number): number {
  if (value === undefined || value === null || value === '') return fallback
  const n = typeof value === 'string' ? Number(value) : value
  if (typeof n !== 'number' || !Number.isInteger(n) || n < min || n > max) {
    throw new PatchbayError('VALIDATION', `${name} must be an integer from ${min} to ${max}`)
  }
  return n
}

/**
 * Builds the Fastify app with aiXplain's v1 wire endpoints (§3): model records, paginate,
 * delete, execute (v1 and v2) and poll. Every error goes through one handler that answers the
 * contract's error body and never leaks internals or secrets.
 */
export function buildServer(deps: ServerDeps): FastifyInstance {
  // Remote MCP clients and tenant-registered integrations (agents/agent-services.ts).
  deps = { ...deps, ...createAgentServices(deps), backgroundRuns: new Set<Promise<void>>() }
  const app = Fastify({
    loggerInstance: deps.logger as FastifyBaseLogger,
    // Per-request info lines cost throughput; requests are logged at debug in onResponse instead.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: deps.maxBodyBytes,
    // v1 sends ids with `/` as %2F; keep them as one path segment.
    routerOptions: { maxParamLength: 500 },
    ...serverTimeouts(deps.limits ?? DEFAULT_LIMITS),
  })
  registerRequestGuards(app)
  const authFailures = new AuthFailureGuard(app, { maxFailures: (deps.limits ?? DEFAULT_LIMITS).authFailuresPerWindow, windowMs: (deps.limits ?? DEFAULT_LIMITS).authFailureWindowMs })

  app.decorateRequest('tenantId', '')

  // aiXplain's SDKs send `Content-Type: application/json` on bodiless DELETEs (v1 Model.delete);
  // Fastify's JSON parser rejects that empty body, so a DELETE with no body is read as none.
  const parseJson = app.getDefaultJsonParser(app.initialConfig.onProtoPoisoning ?? 'error', app.initialConfig.onConstructorPoisoning ?? 'error')
  app.removeContentTypeParser('application/json')
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (req, body, done) => {
    if (req.method === 'DELETE' && body === '') done(null, undefined)
    else parseJson(req, String(body), done)
  })

  app.addHook('onRequest', async (req, reply) => {
    if (PUBLIC_PATHS.has(req.url.split('?')[0] as string)) return
    const key = apiKeyOf(req)
    if (!key) {
      throw new PatchbayError('UNAUTHORIZED', 'Missing API key: send it as `x-api-key: <key>` or `Authorization: Token <key>`; create one with `patchbay keys create --name <name>`')
    }
    authFailures.check(req, reply)
    const tenantId = await deps.keys.resolve(key)
    if (!tenantId) await authFailures.failed(req, reply, key)
    if (!tenantId) throw new PatchbayError('UNAUTHORIZED', 'Unknown API key: check the key, or create one with `patchbay keys create --name <name>`')
    req.tenantId = tenantId
  })

  app.addHook('onResponse', async (req, reply) => {
    req.log.debug({ method: req.method, url: req.routeOptions.url, status: reply.statusCode, ms: reply.elapsedTime }, 'request')
  })

  app.setErrorHandler((err, req, reply) => {
    let e: PatchbayError
    if (err instanceof PatchbayError) e = err
    else if ((err as { code?: string }).code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
      const limit = req.routeOptions.bodyLimit ?? deps.maxBodyBytes
      e = bodyTooLargeError(limit, req.routeOptions.url === '/api/v2/admin/integrations' ? 'PATCHBAY_MAX_ADMIN_BODY_BYTES' : 'PATCHBAY_MAX_BODY_BYTES')
    } else if ((err as { code?: string }).code === 'FST_ERR_CTP_INVALID_JSON_BODY' || (err as { code?: string }).code === 'FST_ERR_CTP_EMPTY_JSON_BODY') {
      e = new PatchbayError('INVALID_JSON', 'The request body is not valid JSON; send a JSON object with Content-Type: application/json')
    } else if ((err as { code?: string }).code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') {
      e = new PatchbayError('VALIDATION', 'Unsupported Content-Type; send JSON with Content-Type: application/json', { status: 415 })
    } else if (typeof (err as { statusCode?: number }).statusCode === 'number' && (err as { statusCode: number }).statusCode < 500) {
      e = new PatchbayError('VALIDATION', (err as Error).message, { status: (err as { statusCode: number }).statusCode })
    } else {
      req.log.error({ err }, 'unexpected error')
      e = new PatchbayError('INTERNAL', 'Internal error; the hub log has the details')
    }
    if (e.status >= 500 && e.code !== 'INTERNAL') req.log.warn({ code: e.code }, e.message)
    void reply.status(e.status).send(e.toBody())
  })

  app.setNotFoundHandler((req, reply) => {
    const e = new PatchbayError('NOT_FOUND', `No route ${req.method} ${req.url.split('?')[0]}; see the README for the endpoints`)
    void reply.status(404).send(e.toBody())
  })

  const pollBase = (req: FastifyRequest) => deps.publicUrl() ?? `${req.protocol}://${req.host}`
  const callbackUrl = (req: FastifyRequest) => `${pollBase(req)}/oauth/callback`

  app.get('/health', async () => ({ status: 'ok' }))

  // E1: one record by id or URL-encoded path.
  app.get<{ Params: { id: string } }>('/sdk/models/:id', async (req) => {
    const target = await resolveTarget(deps, req.tenantId, req.params.id)
    return target.kind === 'integration' ? integrationRecord(target.integration) : connectionRecord(target.connection, target.integration)
  })

  // E4: several records by id.
  app.get<{ Querystring: { ids?: string; pageNumber?: string } }>('/sdk/models', async (req) => {
    const ids = (req.query.ids ?? '').split(',').map((s) => s.trim()).filter(Boolean)
    if (ids.length === 0) throw new PatchbayError('VALIDATION', 'ids is required: GET /sdk/models?ids=<id>,<id>')
    if (ids.length > 100) throw new PatchbayError('VALIDATION', 'At most 100 ids per call')
    const items = []
    for (const id of ids) {
      try {
        const t = await resolveTarget(deps, req.tenantId, id)
        items.push(t.kind === 'integration' ? integrationRecord(t.integration) : connectionRecord(t.connection, t.integration))
      } catch (err) {
        if (!(err instanceof PatchbayError && err.code === 'NOT_FOUND')) throw err
      }
    }
    return { items, total: items.length }
  })

  // E3: paginate integrations (functions: ["connector"]) and/or the tenant's connections.
  app.post('/sdk/models/paginate', async (req): Promise<PaginateResponseV1> => {
    const body = requireObject(req.body, 'paginate')
    const pageNumber = int(body['pageNumber'], 'pageNumber', 0, 0, 1_000_000)
    const pageSize = int(body['pageSize'], 'pageSize', 20, 1, 100)
    const q = typeof body['q'] === 'string' ? checkTextParam(body['q'], 'q').trim().toLowerCase() : ''
    const functions = Array.isArray(body['functions']) ? body['functions'].map(String) : []
    const wantsIntegrations = functions.length === 0 || functions.includes(FunctionType.INTEGRATION)
    const wantsConnections = functions.length === 0 || functions.includes(FunctionType.CONNECTION) || functions.includes('utilities')
    const offset = pageNumber * pageSize
    const own = wantsIntegrations ? ((await deps.tenantIntegrations?.list(req.tenantId)) ?? []) : []
    const integrations = wantsIntegrations ? [...matchIntegrations(deps.catalog, q), ...own.filter((i) => matches(i, q))] : []
    const items = integrations.slice(offset, offset + pageSize).map(integrationRecord)
    let total = integrations.length
    if (wantsConnections) {
      const remaining = pageSize - items.length
      const connOffset = Math.max(0, offset - integrations.length)
      const page = await deps.store.listConnections(req.tenantId, { offset: connOffset, limit: Math.max(remaining, 1), ...(q ? { query: q } : {}) })
      total += page.total
      if (remaining > 0) {
        for (const row of page.rows) {
          const parent = deps.catalog.get(row.integration_id) ?? (await deps.tenantIntegrations?.get(req.tenantId, row.integration_id))
          if (parent) items.push(connectionRecord(row, parent))
        }
      }
    }
    return { items, total, pageTotal: Math.ceil(total / pageSize) }
  })

  // E5: delete a connection. Exactly 200 (v1 treats anything else as failure).
  app.delete<{ Params: { id: string } }>('/sdk/models/:id', async (req) => {
    const target = await resolveTarget(deps, req.tenantId, req.params.id)
    if (target.kind === 'integration') {
      throw new PatchbayError('FORBIDDEN', `${target.integration.definition.name} is a catalog integration; only connections can be deleted`)
    }
    await deps.store.deleteConnection(req.tenantId, target.connection.id)
    deps.runner.forget(target.connection.id)
    // After the delete, so a failing provider never keeps a connection alive.
    void deps.mcpClients?.forget(target.connection.id)
    const revoked = await deps.oauth.revoke(target.integration, target.connection)
    return { id: target.connection.id, deleted: true, ...(revoked ? { revoked } : {}) }
  })

  // OAuth: where providers send the user back. Public: the single-use state is the credential.
  app.get<{ Querystring: Record<string, string | undefined> }>('/oauth/callback', async (req, reply) => {
    const outcome = await deps.oauth.callback(req.query)
    req.log.info({ ok: outcome.ok, connectionId: outcome.connectionId, status: outcome.status }, `OAuth callback: ${outcome.title}`)
    return reply
      .status(outcome.status)
      .header('content-type', 'text/html; charset=utf-8')
      .header('cache-control', 'no-store')
      .header('referrer-policy', 'no-referrer')
      .header('content-security-policy', "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'")
      .send(callbackPage(outcome))
  })

  // OAuth apps of the caller's tenant (client id/secret per integration); secrets are write-only.
  const integrationOf = async (tenantId: string, id: string): Promise<Integration> => {
    const integration = deps.catalog.get(id) ?? (await deps.tenantIntegrations?.get(tenantId, id))
    if (!integration) throw new PatchbayError('NOT_FOUND', `No integration ${id} in the catalog; use its id (e.g. slack) or model id`)
    const oauthSchemes = Object.keys(integration.definition.auth).filter((s) => s === 'OAUTH1' || s === 'OAUTH2')
    if (oauthSchemes.length === 0) throw new PatchbayError('VALIDATION', `${integration.definition.name} has no OAuth scheme; it needs no OAuth app`)
    return integration
  }
  app.get('/admin/oauth-apps', async (req) => ({ items: await deps.oauthApps.list(req.tenantId), redirectUrl: callbackUrl(req) }))
  app.get<{ Params: { integration: string } }>('/admin/oauth-apps/:integration', async (req) => {
    const integration = await integrationOf(req.tenantId, req.params.integration)
    const found = (await deps.oauthApps.list(req.tenantId)).find((a) => a.integrationId === integration.modelId)
    if (!found) throw new PatchbayError('NOT_FOUND', `No OAuth app set for ${integration.definition.name}; set one with PUT /admin/oauth-apps/${integration.definition.id}`)
    return { ...found, integration: integration.definition.id, redirectUrl: callbackUrl(req) }
  })
  app.put<{ Params: { integration: string } }>('/admin/oauth-apps/:integration', async (req) => {
    const integration = await integrationOf(req.tenantId, req.params.integration)
    const body = requireObject(req.body, 'OAuth app')
    const saved = await deps.oauthApps.set(req.tenantId, integration.modelId, {
      clientId: body['clientId'] ?? body['client_id'],
      clientSecret: body['clientSecret'] ?? body['client_secret'],
      scopes: body['scopes'],
    })
    return { ...saved, integration: integration.definition.id, redirectUrl: callbackUrl(req) }
  })
  app.delete<{ Params: { integration: string } }>('/admin/oauth-apps/:integration', async (req) => {
    const integration = await integrationOf(req.tenantId, req.params.integration)
    if (!(await deps.oauthApps.delete(req.tenantId, integration.modelId))) {
      throw new PatchbayError('NOT_FOUND', `No OAuth app set for ${integration.definition.name}`)
    }
    return { integration: integration.definition.id, deleted: true }
  })

  // E6: the sync execute endpoint.
  app.post<{ Params: { id: string } }>('/api/v2/execute/:id', async (req) => {
    const body = requireObject(req.body, 'execute')
    const target = await resolveTarget(deps, req.tenantId, req.params.id)
    return execute(deps, req.tenantId, target, body)
  })

  // E7: the v1 twin. Action runs are asynchronous (v1 `run_async`); discovery and connect answer at once.
  app.post<{ Params: { id: string } }>('/api/v1/execute/:id', async (req) => {
    const body = requireObject(req.body, 'execute')
    const target = await resolveTarget(deps, req.tenantId, req.params.id)
    const action = body['action']
    const isRun = target.kind === 'connection' && typeof action === 'string' && !['LIST_ACTIONS', 'LIST_INPUTS', 'LIST_TOOLS', 'list_trigger_types'].includes(action)
    if (!isRun) return execute(deps, req.tenantId, target, body)
    return executeAsync(deps, req.tenantId, target, body, pollBase(req), (err) => req.log.error({ err }, 'async run failed'))
  })

  // E8: poll an asynchronous run.
  app.get<{ Params: { runId: string } }>('/api/v1/data/:runId', async (req) => {
    const run = await deps.store.getRun(req.tenantId, req.params.runId)
    if (!run) throw new PatchbayError('NOT_FOUND', `No run with id ${req.params.runId} (runs are kept for one hour)`)
    if (run.result === null) return { completed: false, status: 'IN_PROGRESS' }
    return JSON.parse(run.result) as unknown
  })

  registerAgentRoutes(app, deps)

  // A graceful stop (SIGTERM) lets asynchronous runs finish and store their results, so their
  // poll URLs still answer on another process; bounded by the upstream timeout.
  app.addHook('onClose', async () => {
    const runs = [...(deps.backgroundRuns ?? [])]
    if (runs.length === 0) return
    app.log.info({ runs: runs.length }, 'waiting for asynchronous runs to finish')
    const limit = (deps.upstreamTimeoutMs ?? 60_000) + 5_000
    await Promise.race([Promise.allSettled(runs), new Promise((resolve) => setTimeout(resolve, limit).unref())])
  })

  return app
}

function matches(i: Integration, q: string): boolean {
  return !q || i.definition.name.toLowerCase().includes(q) || i.definition.id.includes(q) || i.path.includes(q)
}

function matchIntegrations(catalog: Catalog, q: string): Integration[] {
  const all = catalog.list()
  if (!q) return [...all]
  return all.filter((i) => i.definition.name.toLowerCase().includes(q) || i.definition.id.includes(q) || i.path.includes(q))
}
