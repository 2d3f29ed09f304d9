import type { FastifyInstance } from 'fastify'
import { endUserFilter } from './end-user-routes.js'
import { FunctionType, PatchbayError, type PaginateResponseV1 } from '@patchbay/core'
import { deleteConnection } from '../connections/delete-connection.js'
import { resolveTarget } from '../connections/execute.js'
import { listModelPage } from '../connections/model-page.js'
import { connectionRecord, integrationRecord } from '../connections/records.js'
import { int, requireObject } from './request.js'
import { checkTextParam } from './request-guards.js'
import type { ServerDeps } from './server-deps.js'

/**
 * aiXplain's v1 model-record endpoints (§3): one record (E1), several by id (E4), paginate
 * integrations and connections (E3), and delete a connection (E5).
 */
export function registerModelRoutes(app: FastifyInstance, deps: ServerDeps): void {
  // E1: one record by id or URL-encoded path.
  app.get<{ Params: { id: string } }>('/sdk/models/:id', async (req) => {
    const target = await resolveTarget(deps, req.tenantId, req.params.id)
    return target.kind === 'integration' ? integrationRecord(target.integration) : connectionRecord(target.connection, target.integration)
  })

  // E4: several records by id.
  app.get<{ Querystring: { ids?: string; pageNumber?: string } }>('/sdk/models', async (req) => {
    const ids = (req.query.ids ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean)
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
    const endUserId = endUserFilter(body['endUserId'])
    const wantsIntegrations = functions.length === 0 || functions.includes(FunctionType.INTEGRATION)
    const wantsConnections = functions.length === 0 || functions.includes(FunctionType.CONNECTION) || functions.includes('utilities')
    const page = await listModelPage(deps, req.tenantId, {
      q,
      offset: pageNumber * pageSize,
      size: pageSize,
      integrations: wantsIntegrations,
      connections: wantsConnections,
      endUserId,
    })
    const items = page.items.map((x) => (x.kind === 'integration' ? integrationRecord(x.integration) : connectionRecord(x.connection, x.integration)))
    return { items, total: page.total, pageTotal: page.pageTotal }
  })

  // E5: delete a connection. Exactly 200 (v1 treats anything else as failure).
  app.delete<{ Params: { id: string } }>('/sdk/models/:id', async (req) => {
    const target = await resolveTarget(deps, req.tenantId, req.params.id)
    if (target.kind === 'integration') {
      throw new PatchbayError('FORBIDDEN', `${target.integration.definition.name} is a catalog integration; only connections can be deleted`)
    }
    return deleteConnection(deps, req.tenantId, target.integration, target.connection)
  })
}
