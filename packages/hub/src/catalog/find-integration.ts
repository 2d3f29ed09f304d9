import type { Catalog, Integration } from './catalog.js'

/** Finds an integration a tenant can use by id, wire id or path. */
export type IntegrationLookup = (tenantId: string, id: string) => Promise<Integration | undefined>

/** The integrations a tenant registered at run time (see tenant-integrations.ts). */
export interface TenantIntegrationSource {
  get(tenantId: string, id: string): Promise<Integration | undefined>
}

/**
 * The one lookup of an integration for a tenant: the catalog first, then the tenant's own
 * registered integrations.
 *
 * @example
 * ```ts
 * const find = integrationLookup(catalog, tenantIntegrations)
 * const integration = await find(tenantId, connection.integration_id)
 * ```
 */
export function integrationLookup(catalog: Catalog, tenantIntegrations?: TenantIntegrationSource): IntegrationLookup {
  return async (tenantId, id) => catalog.get(id) ?? (await tenantIntegrations?.get(tenantId, id))
}
