import { isDocsPath } from './api-docs.js'
import type { FastifyInstance } from 'fastify'
import type { KeyScope } from '../tenants/key-scopes.js'
import { OAUTH_CALLBACK_PATH } from './oauth-callback-route.js'
import { CONNECT_PAGE_PATHS } from './connect-page-routes.js'
import { isDashboardPath } from './pages/dashboard/paths.js'

/** Paths reachable without an API key. */
export const PUBLIC_PATHS: ReadonlySet<string> = new Set(['/health', '/ready', '/metrics', OAUTH_CALLBACK_PATH, ...CONNECT_PAGE_PATHS])

/** Reads any key may make: a run key needs them to find what it runs, a connect key to connect. */
const ANY: readonly KeyScope[] = ['connect', 'run']
const ADMIN: readonly KeyScope[] = ['admin']
const RUN: readonly KeyScope[] = ['run']

/**
 * The scope each route needs (`METHOD url`, the route as registered), any one of the list; `admin`
 * passes everywhere. The key hook in server.ts checks it on every request; a route missing here is
 * `admin`-only, and route-scopes.test.ts fails until it is added. The execute routes then check
 * the finer scope of what the body asks for (connect on an integration, run on a connection).
 */
export const ROUTE_SCOPES: Readonly<Record<string, readonly KeyScope[]>> = {
  'POST /api/v2/execute/:id': ANY,
  'POST /api/v1/execute/:id': ANY,
  'GET /api/v1/data/:runId': RUN,
  'POST /mcp': RUN,
  'GET /mcp': RUN,
  'DELETE /mcp': RUN,
  'GET /sdk/models/:id': ANY,
  'GET /sdk/models': ANY,
  'POST /sdk/models/paginate': ANY,
  'DELETE /sdk/models/:id': ADMIN,
  'GET /v2/integrations/:id': ANY,
  'POST /v2/integrations/paginate': ANY,
  'GET /v2/tools/:id': ANY,
  'POST /v2/tools/paginate': ANY,
  'DELETE /v2/tools/:id': ADMIN,
  'GET /v2/models/:id': ANY,
  'POST /v2/models/paginate': ANY,
  'PUT /sdk/utilities/:id': ADMIN,
  'GET /api/v2/connections/:id/tools': ANY,
  'GET /api/v2/tools': ANY,
  'GET /api/v2/connections/:id/action-scope': ADMIN,
  'PUT /api/v2/connections/:id/action-scope': ADMIN,
  'GET /admin/oauth-apps': ADMIN,
  'GET /admin/oauth-apps/:integration': ADMIN,
  'PUT /admin/oauth-apps/:integration': ADMIN,
  'DELETE /admin/oauth-apps/:integration': ADMIN,
  'POST /api/v2/admin/integrations': ADMIN,
  'GET /api/v2/admin/integrations': ADMIN,
  'DELETE /api/v2/admin/integrations/:id': ADMIN,
  'GET /api/v2/keys': ADMIN,
  'POST /api/v2/keys': ADMIN,
  'DELETE /api/v2/keys/:id': ADMIN,
  'GET /api/v2/runs': ADMIN,
  'GET /api/v2/settings': ADMIN,
  'PUT /api/v2/settings': ADMIN,
  'PUT /api/v2/webhooks': ADMIN,
  'GET /api/v2/webhooks': ADMIN,
  'GET /api/v2/webhooks/deliveries': ADMIN,
  'DELETE /api/v2/webhooks/:id': ADMIN,
  'GET /api/v2/events': ADMIN,
  'POST /api/v2/connections/:id/triggers': ['connect'],
  'GET /api/v2/connections/:id/triggers': ANY,
  'PATCH /api/v2/connections/:id/triggers/:triggerId': ['connect'],
  'DELETE /api/v2/connections/:id/triggers/:triggerId': ['connect'],
  'POST /v1/triggers': ANY,
  'GET /v1/triggers': ANY,
  'GET /v1/triggers/:id': ANY,
  'PUT /v1/triggers/:id': ANY,
  'DELETE /v1/triggers/:id': ANY,
  'POST /api/v2/connect/sessions': ['connect'],
  'GET /api/v2/connect/settings': ADMIN,
  'PUT /api/v2/connect/settings': ADMIN,
  'DELETE /api/v2/end-users/:endUserId/connections': ADMIN,
}

/** The scopes a route needs (any one); `admin` for a route not in {@link ROUTE_SCOPES}. */
export function scopesFor(method: string, url: string | undefined): readonly KeyScope[] {
  if (url === undefined) return ANY
  return ROUTE_SCOPES[`${method === 'HEAD' ? 'GET' : method} ${url}`] ?? ADMIN
}

const registered = new WeakMap<FastifyInstance, string[]>()

/** Records every route `app` registers from now on (`METHOD url`), for {@link unscopedRoutes}. */
export function trackRoutes(app: FastifyInstance): void {
  const list: string[] = []
  registered.set(app, list)
  app.addHook('onRoute', (r) => {
    for (const m of [r.method].flat()) if (m !== 'HEAD') list.push(`${m} ${r.url}`)
  })
}

/** Routes of `app` that are neither public nor in {@link ROUTE_SCOPES} (route-scopes.test.ts wants none). */
export function unscopedRoutes(app: FastifyInstance): string[] {
  return (registered.get(app) ?? []).filter((r) => {
    const path = r.slice(r.indexOf(' ') + 1)
    return !PUBLIC_PATHS.has(path) && !isDocsPath(path) && !isDashboardPath(path) && !(r in ROUTE_SCOPES) && r !== 'POST /api/v2/triggers/inbound/:token'
  })
}

/** Every route `app` registered since {@link trackRoutes}. */
export function trackedRoutes(app: FastifyInstance): readonly string[] {
  return registered.get(app) ?? []
}
