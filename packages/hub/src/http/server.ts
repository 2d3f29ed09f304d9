import { randomUUID } from 'node:crypto'
import { createServer, type Server, type ServerOptions } from 'node:http'
import fp from 'fastify-plugin'
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance, type FastifyServerOptions } from 'fastify'
import { PatchbayError } from '@patchbay/core'
import { registerAgentRoutes } from '../agents/agent-services.js'
import { registerEventRoutes } from './event-routes.js'
import { registerConnectRoutes } from './connect-routes.js'
import { registerEndUserRoutes } from './end-user-routes.js'
import { registerConnectPageRoutes } from './connect-page-routes.js'
import { registerExecuteRoutes } from './execute-routes.js'
import { registerHealthRoutes } from './health-routes.js'
import { isDocsPath, registerApiDocsRoutes, registerOpenApi } from './api-docs.js'
import { registerMetricsRoute } from './metrics-route.js'
import { registerModelRoutes } from './model-routes.js'
import { registerOAuthAppRoutes } from './oauth-app-routes.js'
import { registerOAuthCallbackRoute } from './oauth-callback-route.js'
import { registerV2Routes } from './v2-routes.js'
import type { ServerDeps } from './server-deps.js'
import { apiKeyOf } from './request.js'
import { createFastLane, type FastLane, type NodeHandler } from './fast-execute.js'
import { PUBLIC_PATHS, scopesFor, trackRoutes } from './route-scopes.js'
import { AuthFailureGuard } from './auth-failures.js'
import { registerRequestGuards, serverTimeouts } from './request-guards.js'
import { toPatchbayError } from './error-reply.js'
import { registerKeyRoutes } from './key-routes.js'
import { registerRunLogRoutes } from './run-log-routes.js'
import { isInboundTriggerPath, registerTriggerRoutes } from './trigger-routes.js'
import { requireScopes } from './require-scope.js'
import { lazyChildLoggerFactory } from './lazy-request-logger.js'
import { AccessLogger } from '../logger.js'
import { lazySerializerFactory, lazyValidatorFactory } from './lazy-schema-compilers.js'
import type { KeyScope } from '../tenants/key-scopes.js'
import { registerDashboard } from './pages/dashboard/dashboard.js'
import { isDashboardPath } from './pages/dashboard/paths.js'

export type { ServerDeps } from './server-deps.js'

/** An `x-request-id` a client may set: 1 to 128 of letters, digits and `._:-`. */
const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/

/** The client's `x-request-id` when it is safe to log and echo, else a new UUID. */
function requestIdOf(req: { headers: Record<string, string | string[] | undefined> }): string {
  const given = req.headers['x-request-id']
  return typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID()
}

declare module 'fastify' {
  interface FastifyRequest {
    tenantId: string
    /** The caller's API key id ('' on public routes). */
    keyId: string
    /** The caller's key scopes. */
    keyScopes: readonly KeyScope[]
  }
}

/**
 * The HTTP server Fastify would make for these options (fastify/lib/server.js, HTTP/1.1 without
 * TLS: the hub's only kind), with `handler` in front: Fastify's `serverFactory` leaves the
 * timeouts to the factory.
 */
function nodeServer(opts: FastifyServerOptions, handler: NodeHandler): Server {
  const server = createServer((opts as { http?: ServerOptions }).http ?? {}, handler)
  if (opts.keepAliveTimeout !== undefined) server.keepAliveTimeout = opts.keepAliveTimeout
  if (opts.requestTimeout !== undefined) server.requestTimeout = opts.requestTimeout
  if (opts.connectionTimeout !== undefined) server.setTimeout(opts.connectionTimeout)
  if (opts.maxRequestsPerSocket) server.maxRequestsPerSocket = opts.maxRequestsPerSocket
  return server
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
  // The fast lane of the action run (fast-execute.ts) sits in front of Fastify's handler; it is
  // made below, once the hooks it shares exist.
  let lane: FastLane | undefined
  let closing = false
  const app = Fastify({
    serverFactory: (handler, opts) => nodeServer(opts, (req, res) => (lane ? lane(req, res, handler) : handler(req, res))),
    loggerInstance: deps.logger as FastifyBaseLogger,
    // Fastify's two lines per request are off: onResponse writes one access line instead.
    logController: new LogController({ disableRequestLogging: true }),
    requestIdHeader: false,
    genReqId: requestIdOf,
    // req.log builds its pino child only when something logs through it (lazy-request-logger.ts).
    childLoggerFactory: lazyChildLoggerFactory,
    bodyLimit: deps.maxBodyBytes,
    // v1 sends ids with `/` as %2F; keep them as one path segment.
    routerOptions: { maxParamLength: 500 },
    // Each route's schemas are compiled on its first request, not at start (lazy-schema-compilers.ts).
    schemaController: { compilersFactory: { buildValidator: lazyValidatorFactory, buildSerializer: lazySerializerFactory } },
    ...serverTimeouts(deps.limits),
  })
  trackRoutes(app)
  registerRequestGuards(app)
  const authFailures = new AuthFailureGuard(app, { maxFailures: deps.limits.authFailuresPerWindow, windowMs: deps.limits.authFailureWindowMs })

  app.decorateRequest('tenantId', '')
  app.decorateRequest('keyId', '')
  app.decorateRequest('keyScopes', null as unknown as readonly KeyScope[])

  // aiXplain's SDKs send `Content-Type: application/json` on bodiless DELETEs (v1 Model.delete);
  // Fastify's JSON parser rejects that empty body, so a DELETE with no body is read as none.
  const parseJson = app.getDefaultJsonParser(app.initialConfig.onProtoPoisoning ?? 'error', app.initialConfig.onConstructorPoisoning ?? 'error')
  app.removeContentTypeParser('application/json')
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (req, body, done) => {
    if (req.method === 'DELETE' && body === '') done(null, undefined)
    else parseJson(req, String(body), done)
  })

  app.addHook('onRequest', async (req, reply) => {
    void reply.header('x-request-id', req.id)
    const path = req.url.split('?')[0] as string
    if (PUBLIC_PATHS.has(path) || isDocsPath(path) || isInboundTriggerPath(path) || isDashboardPath(path)) return
    const key = apiKeyOf(req.headers)
    if (!key) {
      throw new PatchbayError(
        'UNAUTHORIZED',
        'Missing API key: send it as `x-api-key: <key>` or `Authorization: Token <key>`; create one with `patchbay keys create --name <name>`',
      )
    }
    authFailures.check(req, reply)
    const resolved = await deps.keys.resolve(key)
    if (!resolved) await authFailures.failed(req, reply, key)
    if (!resolved) throw new PatchbayError('UNAUTHORIZED', 'Unknown API key: check the key, or create one with `patchbay keys create --name <name>`')
    req.tenantId = resolved.tenantId
    req.keyId = resolved.keyId
    req.keyScopes = resolved.scopes
    requireScopes(req, scopesFor(req.method, req.routeOptions.url))
  })

  // The access log: the route pattern, never the raw URL (its query string may carry a secret).
  const access = new AccessLogger(deps.logger)
  lane = createFastLane(deps, { access, authFailures, parseJson, closing: () => closing, requestId: requestIdOf })
  app.addHook('preClose', (done) => {
    closing = true
    done()
  })
  app.addHook('onResponse', (req, reply, done) => {
    access.write({
      reqId: req.id,
      method: req.method,
      route: req.routeOptions.url ?? '(no route)',
      status: reply.statusCode,
      ms: Math.round(reply.elapsedTime * 100) / 100,
      tenant: req.tenantId || undefined,
      keyId: (req as { keyId?: string }).keyId || undefined,
    })
    done()
  })

  app.setErrorHandler((err, req, reply) => {
    const e = toPatchbayError(err, req, deps.maxBodyBytes)
    void reply.status(e.status).send(e.toBody())
  })

  app.setNotFoundHandler((req, reply) => {
    const e = new PatchbayError('NOT_FOUND', `No route ${req.method} ${req.url.split('?')[0]}; see the README for the endpoints`)
    void reply.status(404).send(e.toBody())
  })

  // Routes are added in a plugin that runs after @fastify/swagger, so every one is in /openapi.json
  // (fastify-plugin keeps them in the root context, with the hooks above).
  registerOpenApi(app)
  void app.register(
    fp(async (api) => {
      registerHealthRoutes(api, deps)
      registerMetricsRoute(api, deps.metricsToken)
      registerModelRoutes(api, deps)
      registerOAuthCallbackRoute(api, deps)
      registerOAuthAppRoutes(api, deps)
      registerExecuteRoutes(api, deps)

      registerAgentRoutes(api, deps)
      registerV2Routes(api, deps)
      registerKeyRoutes(api, deps)
      registerRunLogRoutes(api, deps)
      registerEventRoutes(api, deps)
      registerTriggerRoutes(api, deps)
      registerConnectRoutes(api, deps)
      registerEndUserRoutes(api, deps)
      registerConnectPageRoutes(api, deps)
      registerApiDocsRoutes(api)
      registerDashboard(api, deps)
    }),
  )

  // A graceful stop (SIGTERM) lets asynchronous runs finish and store their results, so their
  // poll URLs still answer on another process; bounded by the upstream timeout.
  app.addHook('onClose', async () => {
    access.flush()
    const runs = [...deps.backgroundRuns]
    if (runs.length === 0) return
    app.log.info({ runs: runs.length }, 'waiting for asynchronous runs to finish')
    const limit = deps.upstreamTimeoutMs + 5_000
    await Promise.race([Promise.allSettled(runs), new Promise((resolve) => setTimeout(resolve, limit).unref())])
  })

  return app
}
