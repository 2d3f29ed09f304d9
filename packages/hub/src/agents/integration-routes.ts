import type { FastifyInstance } from 'fastify'
import { PatchbayError } from '@patchbay/core'
import type { ExecuteDeps } from '../connections/execute.js'
import { integrationRecord } from '../connections/records.js'
import { importOpenApi } from '../openapi/import-openapi.js'

import { DEFAULT_LIMITS, type HubLimits } from '../limits.js'

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
export function registerIntegrationRoutes(app: FastifyInstance, deps: ExecuteDeps & { maxBodyBytes: number; limits?: HubLimits | undefined }): void {
  const limits = deps.limits ?? DEFAULT_LIMITS
  // Fastify refuses a larger body from its Content-Length, or as soon as the streamed bytes pass
  // the limit, before anything is parsed: 8 concurrent 31 MB imports took 1.4 GB when it was 32 MiB.
  app.post('/api/v2/admin/integrations', { bodyLimit: limits.maxAdminBodyBytes }, async (req, reply) => {
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
    const id = (definition as Record<string, unknown>)['id']
    const existing = await registry.list(req.tenantId)
    if (existing.length >= limits.maxTenantIntegrations && !existing.some((i) => i.definition.id === id)) {
      throw new PatchbayError(
        'LIMIT_REACHED',
        `You have ${existing.length} registered integrations, the most a tenant may have (${limits.maxTenantIntegrations}, set by the operator with PATCHBAY_MAX_TENANT_INTEGRATIONS); delete one with DELETE /api/v2/admin/integrations/{id}, or replace one by registering its id again`,
      )
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
