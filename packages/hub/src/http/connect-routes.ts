import type { FastifyInstance } from 'fastify'
import { readConnectSettings, writeConnectSettings } from '../connections/connect-settings.js'
import { baseUrlOf, requireObject } from './request.js'
import type { ServerDeps } from './server-deps.js'

/**
 * Connect sessions (`POST /api/v2/connect/sessions`, `connect` scope) and the tenant's Connect page
 * settings (`GET/PUT /api/v2/connect/settings`, `admin`); docs/connect.md.
 */
export function registerConnectRoutes(app: FastifyInstance, deps: Pick<ServerDeps, 'store' | 'connectSessions' | 'publicUrl'>): void {
  app.post(
    '/api/v2/connect/sessions',
    { schema: { summary: 'Creates a Connect session for one end user; answers its token and the hosted page URL', tags: ['connect'] } },
    async (req, reply) => {
      const body = requireObject(req.body, 'connect session')
      const created = await deps.connectSessions.create(req.tenantId, body, baseUrlOf(deps.publicUrl, req))
      return reply.code(201).header('cache-control', 'no-store').send(created)
    },
  )
  app.get('/api/v2/connect/settings', { schema: { summary: "The tenant's Connect page settings (allowed origins, branding)", tags: ['connect'] } }, async (req) =>
    readConnectSettings(deps.store, req.tenantId),
  )
  app.put('/api/v2/connect/settings', { schema: { summary: "Replaces the tenant's Connect page settings", tags: ['connect'] } }, async (req) =>
    writeConnectSettings(deps.store, req.tenantId, requireObject(req.body, 'connect settings')),
  )
}
