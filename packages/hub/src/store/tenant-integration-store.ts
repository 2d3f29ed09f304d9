import type { Kysely, Selectable } from 'kysely'
import { PatchbayError } from '@patchbay/core'
import type { Database, TenantIntegrationTable } from './schema.js'

/** A definition a tenant registered at run time. */
export type TenantIntegrationRow = Selectable<TenantIntegrationTable>

/**
 * The `tenant_integrations` table: definitions a tenant registered at run time. Reached through
 * the `Store` facade, which keeps these method names.
 *
 * @example
 * ```ts
 * const row = await new TenantIntegrationStore(db).getTenantIntegration(tenantId, 'acme')
 * ```
 */
export class TenantIntegrationStore {
  readonly #db: Kysely<Database>

  constructor(db: Kysely<Database>) {
    this.#db = db
  }

  /** Creates or replaces a tenant's runtime integration (same tenant and id). */
  async upsertTenantIntegration(row: TenantIntegrationRow): Promise<void> {
    try {
      await this.#db
        .insertInto('tenant_integrations')
        .values(row)
        .onConflict((oc) => oc.columns(['tenant_id', 'id']).doUpdateSet({ model_id: row.model_id, name: row.name, definition: row.definition, updated_at: row.updated_at }))
        .execute()
    } catch (err) {
      const e = err as { code?: string; message?: string }
      if (e.code === '23505' || /UNIQUE/.test(e.message ?? '')) {
        throw new PatchbayError('NAME_EXISTS', `Another of your integrations already uses wire id ${row.model_id}; change modelId or id`, { cause: err })
      }
      throw err
    }
  }

  /** A tenant's runtime integration by slug id or wire id. */
  async getTenantIntegration(tenantId: string, idOrModelId: string): Promise<TenantIntegrationRow | undefined> {
    return this.#db
      .selectFrom('tenant_integrations')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .where((eb) => eb.or([eb('id', '=', idOrModelId), eb('model_id', '=', idOrModelId)]))
      .executeTakeFirst()
  }

  /** A tenant's runtime integrations, by name. */
  async listTenantIntegrations(tenantId: string): Promise<TenantIntegrationRow[]> {
    return this.#db.selectFrom('tenant_integrations').selectAll().where('tenant_id', '=', tenantId).orderBy('name').orderBy('id').execute()
  }

  /** Deletes a tenant's runtime integration; false when there was none. */
  async deleteTenantIntegration(tenantId: string, id: string): Promise<boolean> {
    const r = await this.#db.deleteFrom('tenant_integrations').where('tenant_id', '=', tenantId).where('id', '=', id).executeTakeFirst()
    return Number(r.numDeletedRows) > 0
  }
}
