import { PatchbayError, type IntegrationDefinition } from '@patchbay/core'
import type { Store, TenantIntegrationRow } from '../store/store.js'
import { toIntegration, type Catalog, type Integration } from './catalog.js'
import { validateDefinition } from './validate-definition.js'

/** Where runtime registrations say they came from (`Integration.source`). */
export const TENANT_SOURCE = 'tenant'

/** Largest definition accepted at run time, in characters of JSON (GitHub's full API is ~3 MB). */
export const MAX_DEFINITION_CHARS = 16 * 1024 * 1024

/**
 * Integrations a tenant registered at run time (for example an imported OpenAPI document),
 * stored in `tenant_integrations` and visible to that tenant only. Validated exactly like
 * definition files. Rows are read on each lookup (so every hub process sharing a database sees
 * a change at once); the parsed integration is cached while the stored text is unchanged.
 *
 * @example
 * ```ts
 * const registry = new TenantIntegrations(store, catalog)
 * const integration = await registry.register(tenantId, definition)
 * await registry.get(tenantId, integration.modelId)
 * ```
 */
export class TenantIntegrations {
  readonly #store: Store
  readonly #catalog: Catalog
  readonly #cache = new Map<string, { text: string; integration: Integration }>()

  constructor(store: Store, catalog: Catalog) {
    this.#store = store
    this.#catalog = catalog
  }

  /**
   * Validates and stores a definition for a tenant, replacing the tenant's earlier one with the
   * same id. Nothing is written when it is invalid.
   *
   * @throws {PatchbayError} VALIDATION listing every problem (field and message), or when the id
   *   is a built-in integration's.
   */
  async register(tenantId: string, raw: unknown): Promise<Integration> {
    const result = validateDefinition(raw)
    if (!result.ok) {
      const shown = result.problems.slice(0, 20).map((p) => `${p.field} ${p.message}`)
      const more = result.problems.length > 20 ? ` (and ${result.problems.length - 20} more)` : ''
      throw new PatchbayError('VALIDATION', `The definition is invalid: ${shown.join('; ')}${more}. See docs/catalog.md for the format`, {
        details: { problems: result.problems },
      })
    }
    const integration = toIntegration(result.definition, TENANT_SOURCE)
    for (const key of [integration.definition.id, integration.modelId, integration.path]) {
      if (this.#catalog.get(key)) {
        throw new PatchbayError('VALIDATION', `"${key}" is a built-in integration; give your definition another id (and modelId, if it sets one)`)
      }
    }
    const text = JSON.stringify(result.definition)
    if (text.length > MAX_DEFINITION_CHARS) {
      throw new PatchbayError('PAYLOAD_TOO_LARGE', `The definition is larger than ${MAX_DEFINITION_CHARS} characters; import fewer operations`)
    }
    const now = new Date().toISOString()
    await this.#store.upsertTenantIntegration({
      tenant_id: tenantId,
      id: integration.definition.id,
      model_id: integration.modelId,
      name: integration.definition.name,
      definition: text,
      created_at: now,
      updated_at: now,
    })
    return integration
  }

  /** A tenant's integration by slug id, 24-hex wire id, or path (`<supplier>/<id>`). */
  async get(tenantId: string, idOrPath: string): Promise<Integration | undefined> {
    const key = idOrPath.includes('/') ? idOrPath.slice(idOrPath.lastIndexOf('/') + 1) : idOrPath
    if (!/^[a-z0-9][a-z0-9-]{0,62}$/.test(key) && !/^[0-9a-f]{24}$/.test(key)) return undefined
    const row = await this.#store.getTenantIntegration(tenantId, key)
    if (!row) return undefined
    const integration = this.#fromRow(row)
    if (idOrPath.includes('/') && integration.path !== idOrPath) return undefined
    return integration
  }

  /** A tenant's integrations, by name. */
  async list(tenantId: string): Promise<Integration[]> {
    const rows = await this.#store.listTenantIntegrations(tenantId)
    return rows.map((r) => this.#fromRow(r))
  }

  /** Deletes a tenant's integration; false when there was none. Its connections stop resolving. */
  async remove(tenantId: string, id: string): Promise<boolean> {
    this.#cache.delete(`${tenantId}\0${id}`)
    return this.#store.deleteTenantIntegration(tenantId, id)
  }

  #fromRow(row: TenantIntegrationRow): Integration {
    const key = `${row.tenant_id}\0${row.id}`
    const hit = this.#cache.get(key)
    if (hit && hit.text === row.definition) return hit.integration
    // Stored definitions were validated on the way in; parsing is all that is left.
    const integration = toIntegration(JSON.parse(row.definition) as IntegrationDefinition, TENANT_SOURCE)
    if (this.#cache.size > 1_000) this.#cache.delete(this.#cache.keys().next().value as string)
    this.#cache.set(key, { text: row.definition, integration })
    return integration
  }
}
