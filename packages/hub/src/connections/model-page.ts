import type { Catalog, Integration } from '../catalog/catalog.js'
import { integrationLookup, type TenantIntegrationSource } from '../catalog/find-integration.js'
import type { ConnectionRow, Store } from '../store/store.js'

/** What {@link listModelPage} reads: the catalog, the tenant's own integrations and its connections. */
export interface ModelPageDeps {
  catalog: Catalog
  store: Store
  tenantIntegrations?: (TenantIntegrationSource & { list(tenantId: string): Promise<readonly Integration[]> }) | undefined
}

/** One page request of the paginate endpoints (v1 `sdk/models/paginate`, v2 `…/paginate`). */
export interface ModelPageRequest {
  /** Lower-cased search text matched against an integration's name, id and path, and a connection's name; "" for all. */
  q: string
  offset: number
  size: number
  /** Include integrations (the catalog, then the tenant's own). */
  integrations: boolean
  /** Include the tenant's connections, after the integrations. */
  connections: boolean
  /** Only the connections of this end user (Connect sessions); all when undefined. */
  endUserId?: string | undefined
}

/** One entry of a page: an integration, or a connection with its integration. */
export type ModelPageItem = { kind: 'integration'; integration: Integration } | { kind: 'connection'; connection: ConnectionRow; integration: Integration }

/** A page, with the total of both lists (before paging) and the number of pages. */
export interface ModelPage {
  items: ModelPageItem[]
  total: number
  pageTotal: number
}

function matches(i: Integration, q: string): boolean {
  return !q || i.definition.name.toLowerCase().includes(q) || i.definition.id.includes(q) || i.path.includes(q)
}

/**
 * The one paging of integrations and connections both wire versions answer with: the matching
 * integrations (catalog first, then the tenant's own), followed by the tenant's matching
 * connections, `offset` and `size` counted across the two lists. A connection whose integration
 * is gone is left out of the page (it still counts in `total`).
 *
 * @example
 * ```ts
 * const page = await listModelPage(deps, tenantId, { q: 'git', offset: 0, size: 20, integrations: true, connections: true })
 * ```
 */
export async function listModelPage(deps: ModelPageDeps, tenantId: string, r: ModelPageRequest): Promise<ModelPage> {
  const own = r.integrations ? ((await deps.tenantIntegrations?.list(tenantId)) ?? []) : []
  const integrations = r.integrations ? [...deps.catalog.list(), ...own].filter((i) => matches(i, r.q)) : []
  const items: ModelPageItem[] = integrations.slice(r.offset, r.offset + r.size).map((integration) => ({ kind: 'integration', integration }))
  let total = integrations.length
  if (r.connections) {
    const remaining = r.size - items.length
    const connOffset = Math.max(0, r.offset - integrations.length)
    const rows = await deps.store.listConnections(tenantId, {
      offset: connOffset,
      limit: Math.max(remaining, 1),
      ...(r.q ? { query: r.q } : {}),
      ...(r.endUserId !== undefined ? { endUserId: r.endUserId } : {}),
    })
    total += rows.total
    if (remaining > 0) {
      const find = integrationLookup(deps.catalog, deps.tenantIntegrations)
      for (const connection of rows.rows) {
        const integration = await find(tenantId, connection.integration_id)
        if (integration) items.push({ kind: 'connection', connection, integration })
      }
    }
  }
  return { items, total, pageTotal: Math.ceil(total / r.size) }
}
