import type { FastifyInstance } from 'fastify'
import { PatchbayError } from '@patchbay/core'
import type { ExecuteDeps } from '../connections/execute.js'
import { integrationRecord } from '../connections/records.js'
import { importOpenApi } from '../openapi/import-openapi.js'

/** Largest admin request body: a whole imported API (GitHub's is ~2 MB as a definition, ~13 MB as OpenAPI). */
const ADMIN_BODY_LIMIT = 32 * 1024 * 1024

/**
 * Runtime integrations of a tenant (authenticated with any of the tenant's API keys):
 *
 * - `POST /api/v2/admin/integrations`: register a definition (the body is the definition, as in
 *   a catalog file), or import an OpenAPI document: the document itself (JSON), or
 *   `{"openapi": <document object>, "id"?, "name"?, "baseUrl"?}`. Validated exactly like catalog files; answers 201 with the v1 record plus
 *   `actionCount` and `warnings`. Registering the same id again replaces it.
 * - `GET /api/v2/admin/integrations`: the tenant's registered integrations (v1 records).
 * - `DELETE /api/v2/admin/integrations/:id`: remove one (its connections stop resolving).
 */
export function registerIntegrationRoutes(app: FastifyInstance, deps: ExecuteDeps & { maxBodyBytes: number }): void {
  app.post('/api/v2/admin/integrations', { bodyLimit: Math.max(deps.maxBodyBytes, ADMIN_BODY_LIMIT) }, async (req, reply) => {
    const registry = deps.tenantIntegrations
    if (!registry) throw new PatchbayError('INTERNAL', 'This hub was built without runtime integrations')
    const body = req.body
    if (typeof body !== 'object' || body === null || Array.isArray(body)) {
      throw new PatchbayError('VALIDATION', 'Send a definition object (see docs/catalog.md), or {"openapi": <OpenAPI document>} to import one')
    }
    const b = body as Record<string, unknown>
    let definition: unknown = b
    let warnings: string[] = []
    const wrapped = typeof b['openapi'] === 'object' && b['openapi'] !== null
    const bare = (typeof b['openapi'] === 'string' || typeof b['swagger'] === 'string') && typeof b['paths'] === 'object'
    if (wrapped || bare) {
      const doc = wrapped ? b['openapi'] : b
      if (Array.isArray(doc)) throw new PatchbayError('VALIDATION', 'openapi must be the OpenAPI document as a JSON object')
      const str = (k: string) => {
        const v = wrapped ? b[k] : undefined
        if (v === undefined) return undefined
        if (typeof v !== 'string' || !v.trim()) throw new PatchbayError('VALIDATION', `${k} must be a non-empty string`)
        return v
      }
      const id = str('id')
      const name = str('name')
      const baseUrl = str('baseUrl')
      // External $refs are never followed on the server: they could read files or reach the network.
      const result = await importOpenApi(doc as Record<string, unknown>, {
        externalRefs: false,
        ...(id ? { id } : {}),
        ...(name ? { name } : {}),
        ...(baseUrl ? { baseUrl } : {}),
      })
      definition = result.definition
      warnings = result.warnings
    }
    const integration = await registry.register(req.tenantId, definition)
    void reply.status(201)
    return { ...integrationRecord(integration), actionCount: integration.definition.actions.length, warnings }
  })

  app.get('/api/v2/admin/integrations', async (req) => {
    const list = (await deps.tenantIntegrations?.list(req.tenantId)) ?? []
    return { items: list.map((i) => ({ ...integrationRecord(i), actionCount: i.definition.actions.length })), total: list.length }
  })

  app.delete<{ Params: { id: string } }>('/api/v2/admin/integrations/:id', async (req) => {
    const registry = deps.tenantIntegrations
    const found = await registry?.get(req.tenantId, req.params.id)
    if (!registry || !found) throw new PatchbayError('NOT_FOUND', `You have no registered integration ${req.params.id}; list them with GET /api/v2/admin/integrations`)
    await registry.remove(req.tenantId, found.definition.id)
    return { id: found.modelId, deleted: true }
  })
}
