import type { FastifyInstance } from 'fastify'
import { endUserFilter } from './end-user-routes.js'
import { FunctionType, PatchbayError, type PaginateResponseV1 } from '@patchbay/core'
import type { Catalog, Integration } from '../catalog/catalog.js'
import { integrationLookup } from '../catalog/find-integration.js'
import { resolveTarget } from '../connections/execute.js'
import { connectionRecord, integrationRecord } from '../connections/records.js'
import { int, requireObject } from './request.js'
import { checkTextParam } from './request-guards.js'
import type { ServerDeps } from './server-deps.js'

/**
 * aiXplain's v1 model-record endpoints (§3): one record (E1), several by id (E4), paginate
 * integrations and connections (E3), and delete a connection (E5).
 */
export function registerModelRoutes(app: FastifyInstance, deps: ServerDeps): void {
  const findIntegration = integrationLookup(deps.catalog, deps.tenantIntegrations)
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
    const endUserId = endUserFilter(body['endUserId'])
    const wantsIntegrations = functions.length === 0 || functions.includes(FunctionType.INTEGRATION)
    const wantsConnections = functions.length === 0 || functions.includes(FunctionType.CONNECTION) || functions.includes('utilities')
    const offset = pageNumber * pageSize
    const own = wantsIntegrations ? await deps.tenantIntegrations.list(req.tenantId) : []
    const integrations = wantsIntegrations ? [...matchIntegrations(deps.catalog, q), ...own.filter((i) => matches(i, q))] : []
    const items = integrations.slice(offset, offset + pageSize).map(integrationRecord)
    let total = integrations.length
    if (wantsConnections) {
      const remaining = pageSize - items.length
      const connOffset = Math.max(0, offset - integrations.length)
      const page = await deps.store.listConnections(req.tenantId, { offset: connOffset, limit: Math.max(remaining, 1), ...(q ? { query: q } : {}), ...(endUserId !== undefined ? { endUserId } : {}) })
      total += page.total
      if (remaining > 0) {
        for (const row of page.rows) {
          const parent = await findIntegration(req.tenantId, row.integration_id)
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
    void deps.mcpClients.forget(target.connection.id)
    const revoked = await deps.oauth.revoke(target.integration, target.connection)
    return { id: target.connection.id, deleted: true, ...(revoked ? { revoked } : {}) }
  })
}

function matches(i: Integration, q: string): boolean {
  return !q || i.definition.name.toLowerCase().includes(q) || i.definition.id.includes(q) || i.path.includes(q)
}

function matchIntegrations(catalog: Catalog, q: string): Integration[] {
  const all = catalog.list()
  if (!q) return [...all]
  return all.filter((i) => i.definition.name.toLowerCase().includes(q) || i.definition.id.includes(q) || i.path.includes(q))
}
