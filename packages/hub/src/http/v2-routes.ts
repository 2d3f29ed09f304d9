/**
 * The backend routes aiXplain's current Python SDK (`aixplain.v2`, `Aixplain(api_key=…)`) calls
 * besides execute (wire contract §3 E9–E16): v2 records of integrations, tools (connections) and
 * models, their paginate endpoints, `DELETE v2/tools/{id}`, and `PUT sdk/utilities/{id}` (a
 * tool's rename). The SDK joins these paths onto `backend_url`, so they live at the root.
 */
import type { FastifyInstance } from 'fastify'
import { CONNECTION_DESCRIPTION_SUFFIX, PatchbayError, type ModelRecordV1 } from '@patchbay/core'
import { deleteConnection } from '../connections/delete-connection.js'
import { resolveTarget, type ExecuteDeps, type ExecuteTarget } from '../connections/execute.js'
import { listModelPage, type ModelPageRequest } from '../connections/model-page.js'
import { connectionDescription, connectionRecord, integrationRecord } from '../connections/records.js'
import type { OAuthService } from '../auth/oauth.js'
import { checkTextParam } from './request-guards.js'

/** Dependencies of the v2 routes: execute's, plus the OAuth service (a delete revokes tokens). */
export type V2RouteDeps = ExecuteDeps & { oauth: OAuthService }

/** A v2 record (§5.2): the v1 record with `attributes` as a flat map of JSON strings. */
export type ModelRecordV2 = Omit<ModelRecordV1, 'attributes'> & { attributes: Record<string, string> }

/** Turns a v1 record into its v2 form (same fields; attributes as a `{name: code}` map). */
export function toV2Record(record: ModelRecordV1): ModelRecordV2 {
  return { ...record, attributes: Object.fromEntries(record.attributes.map((a) => [a.name, a.code])) }
}

function recordOf(target: ExecuteTarget): ModelRecordV2 {
  return toV2Record(target.kind === 'integration' ? integrationRecord(target.integration) : connectionRecord(target.connection, target.integration))
}

const idParams = {
  type: 'object',
  required: ['id'],
  properties: { id: { type: 'string', minLength: 1, maxLength: 500 } },
} as const

/** `?host=` is accepted (the SDK may send it); this hub is the only host. */
const hostQuery = {
  type: 'object',
  properties: { host: { type: 'string', maxLength: 200 } },
} as const

/** §6.2 paginate filters. Unknown filters are accepted and ignored, as the SDK sends many. */
const paginateBody = {
  type: 'object',
  properties: {
    q: { type: 'string', maxLength: 200 },
    pageNumber: { type: 'integer', minimum: 0, maximum: 1_000_000 },
    pageSize: { type: 'integer', minimum: 1, maximum: 100 },
    sort: { type: 'array', maxItems: 10, items: { type: 'object' } },
    functions: { type: 'array', maxItems: 50, items: { type: 'string' } },
    suppliers: { type: 'array', maxItems: 50, items: { type: 'string' } },
    status: { type: 'array', maxItems: 50, items: { type: 'string' } },
    ownership: { type: 'string', maxLength: 100 },
    endUserId: { type: 'string', minLength: 1, maxLength: 200 },
  },
} as const

interface PaginateBody {
  q?: string
  pageNumber?: number
  pageSize?: number
  functions?: string[]
  status?: string[]
  endUserId?: string
}

const utilityBody = {
  type: 'object',
  properties: {
    id: { type: 'string', maxLength: 500 },
    name: { type: 'string', maxLength: 200 },
    description: { type: 'string', maxLength: 4000 },
  },
} as const

interface PageRequest extends ModelPageRequest {
  status: string[]
  endUserId: string | undefined
}

function pageRequest(body: PaginateBody | undefined, kinds: { integrations: boolean; connections: boolean }): PageRequest {
  const size = body?.pageSize ?? 20
  return {
    q: checkTextParam(body?.q ?? '', 'q')
      .trim()
      .toLowerCase(),
    offset: (body?.pageNumber ?? 0) * size,
    size,
    ...kinds,
    status: body?.status ?? [],
    endUserId: body?.endUserId,
  }
}

/** One page of integrations (catalog, then the tenant's own) followed by the tenant's connections. */
async function page(deps: V2RouteDeps, tenantId: string, r: PageRequest): Promise<{ results: ModelRecordV2[]; total: number; pageTotal: number }> {
  const { items, total, pageTotal } = await listModelPage(deps, tenantId, r)
  const results = items.map((x) => toV2Record(x.kind === 'integration' ? integrationRecord(x.integration) : connectionRecord(x.connection, x.integration)))
  // A status filter applies to what this page holds (integrations are always "onboarded").
  const filtered = r.status.length ? results.filter((x) => r.status.includes(x.status)) : results
  return { results: filtered, total, pageTotal }
}

async function connectionTarget(deps: V2RouteDeps, tenantId: string, id: string): Promise<Extract<ExecuteTarget, { kind: 'connection' }>> {
  const target = await resolveTarget(deps, tenantId, id)
  if (target.kind === 'integration') {
    throw new PatchbayError('NOT_FOUND', `${id} is the integration ${target.integration.definition.name}, not a tool: read it with GET /v2/integrations/${encodeURIComponent(id)}`)
  }
  return target
}

function ownDescription(description: string): string {
  const i = description.indexOf(CONNECTION_DESCRIPTION_SUFFIX)
  return i === -1 ? description : description.slice(0, i)
}

/** Registers the v2 backend routes (E9–E16) on the hub's Fastify app. */
export function registerV2Routes(app: FastifyInstance, deps: V2RouteDeps): void {
  // E11: an integration by id or URL-encoded path.
  app.get<{ Params: { id: string } }>('/v2/integrations/:id', { schema: { params: idParams, querystring: hostQuery } }, async (req) => {
    const target = await resolveTarget(deps, req.tenantId, req.params.id)
    if (target.kind === 'connection') {
      throw new PatchbayError('NOT_FOUND', `${req.params.id} is a connection, not an integration: read it with GET /v2/tools/${req.params.id}`)
    }
    return recordOf(target)
  })

  // E12: paginate integrations.
  app.post<{ Body: PaginateBody }>('/v2/integrations/paginate', { schema: { body: paginateBody } }, async (req) =>
    page(deps, req.tenantId, pageRequest(req.body, { integrations: true, connections: false })),
  )

  // E13: a tool (connection), read right after every v2 connect.
  app.get<{ Params: { id: string } }>('/v2/tools/:id', { schema: { params: idParams, querystring: hostQuery } }, async (req) =>
    recordOf(await connectionTarget(deps, req.tenantId, req.params.id)),
  )

  // E14: paginate the caller's tools.
  app.post<{ Body: PaginateBody }>('/v2/tools/paginate', { schema: { body: paginateBody } }, async (req) =>
    page(deps, req.tenantId, pageRequest(req.body, { integrations: false, connections: true })),
  )

  // E15: delete a tool; a GET on it answers 404 afterwards.
  app.delete<{ Params: { id: string } }>('/v2/tools/:id', { schema: { params: idParams } }, async (req) => {
    const { integration, connection } = await connectionTarget(deps, req.tenantId, req.params.id)
    return deleteConnection(deps, req.tenantId, integration, connection)
  })

  // E9: any record (integration or connection) through the model resource.
  app.get<{ Params: { id: string } }>('/v2/models/:id', { schema: { params: idParams, querystring: hostQuery } }, async (req) =>
    recordOf(await resolveTarget(deps, req.tenantId, req.params.id)),
  )

  // E10: paginate models: integrations (`connector`) and/or connections (`connection`, `utilities`).
  app.post<{ Body: PaginateBody }>('/v2/models/paginate', { schema: { body: paginateBody } }, async (req) => {
    const functions = req.body?.functions ?? []
    const integrations = functions.length === 0 || functions.includes('connector')
    const connections = functions.length === 0 || functions.includes('connection') || functions.includes('utilities')
    return page(deps, req.tenantId, pageRequest(req.body, { integrations, connections }))
  })

  // E16: v2 Tool.save() on an existing tool: rename and/or describe. Answers the updated record.
  app.put<{ Params: { id: string }; Body: { id?: string; name?: string; description?: string } }>(
    '/sdk/utilities/:id',
    { schema: { params: idParams, body: utilityBody } },
    async (req) => {
      const body = req.body ?? {}
      if (body.id !== undefined && body.id !== req.params.id) {
        throw new PatchbayError('VALIDATION', `The body's id (${body.id}) differs from the path's (${req.params.id}); send the same id, or leave it out`)
      }
      const { integration, connection } = await connectionTarget(deps, req.tenantId, req.params.id)
      const name = body.name?.trim()
      if (body.name !== undefined && !name) throw new PatchbayError('VALIDATION', 'name must not be blank; leave it out to keep the current name')
      const own = body.description !== undefined ? ownDescription(body.description) : undefined
      const updated = await deps.store.updateConnection(req.tenantId, connection.id, {
        ...(name ? { name } : {}),
        ...(own !== undefined ? { description: connectionDescription(own, connection.auth_scheme) } : {}),
      })
      if (!updated) throw new PatchbayError('NOT_FOUND', `No tool with id ${req.params.id}`)
      return toV2Record(connectionRecord(updated, integration))
    },
  )
}
