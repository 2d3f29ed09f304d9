import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance, type FastifyRequest } from 'fastify'
import { PatchbayError } from '@patchbay/core'
import { registerAgentRoutes } from '../agents/agent-services.js'
import { registerEventRoutes } from './event-routes.js'
import { registerExecuteRoutes } from './execute-routes.js'
import { registerHealthRoutes } from './health-routes.js'
import { registerModelRoutes } from './model-routes.js'
import { registerOAuthAppRoutes } from './oauth-app-routes.js'
import { OAUTH_CALLBACK_PATH, registerOAuthCallbackRoute } from './oauth-callback-route.js'
import { registerV2Routes } from './v2-routes.js'
import type { ServerDeps } from './server-deps.js'
import { AuthFailureGuard } from './auth-failures.js'
import { bodyTooLargeError, registerRequestGuards, serverTimeouts } from './request-guards.js'

export type { ServerDeps } from './server-deps.js'

/** Routes reachable without an API key. */
const PUBLIC_PATHS = new Set(['/health', OAUTH_CALLBACK_PATH])

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

/**
 * Builds the Fastify app with aiXplain's v1 wire endpoints (§3): model records, paginate,
 * delete, execute (v1 and v2) and poll. Every error goes through one handler that answers the
 * contract's error body and never leaks internals or secrets. This file holds the hooks (the API
 * key, request logging, graceful stop) and that one error mapping; each route group is a file of
 * its own (`*-routes.ts`), and pages are in `pages/`. It receives services built once in hub.ts
 * and builds none.
 */
export function buildServer(deps: ServerDeps): FastifyInstance {
  const app = Fastify({
    loggerInstance: deps.logger as FastifyBaseLogger,
    // Per-request info lines cost throughput; requests are logged at debug in onResponse instead.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: deps.maxBodyBytes,
    // v1 sends ids with `/` as %2F; keep them as one path segment.
    routerOptions: { maxParamLength: 500 },
    ...serverTimeouts(deps.limits),
  })
  registerRequestGuards(app)
  const authFailures = new AuthFailureGuard(app, { maxFailures: deps.limits.authFailuresPerWindow, windowMs: deps.limits.authFailureWindowMs })

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

  registerHealthRoutes(app)
  registerModelRoutes(app, deps)
  registerOAuthCallbackRoute(app, deps)
  registerOAuthAppRoutes(app, deps)
  registerExecuteRoutes(app, deps)

  registerAgentRoutes(app, deps)
  registerV2Routes(app, deps)
  registerEventRoutes(app, deps)

  // A graceful stop (SIGTERM) lets asynchronous runs finish and store their results, so their
  // poll URLs still answer on another process; bounded by the upstream timeout.
  app.addHook('onClose', async () => {
    const runs = [...deps.backgroundRuns]
    if (runs.length === 0) return
    app.log.info({ runs: runs.length }, 'waiting for asynchronous runs to finish')
    const limit = deps.upstreamTimeoutMs + 5_000
    await Promise.race([Promise.allSettled(runs), new Promise((resolve) => setTimeout(resolve, limit).unref())])
  })

  return app
}
