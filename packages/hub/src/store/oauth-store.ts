import type { Kysely, Selectable } from 'kysely'
import type { Database, OAuthAppTable, OAuthStateTable } from './schema.js'

/** A stored OAuth app. */
export type OAuthAppRow = Selectable<OAuthAppTable>
/** A stored OAuth authorization in flight. */
export type OAuthStateRow = Selectable<OAuthStateTable>

/**
 * The OAuth state: the `oauth_apps` table (a tenant's client per integration) and the
 * `oauth_states` table (authorizations in flight). Reached through the `Store` facade, which
 * keeps these method names.
 *
 * @example
 * ```ts
 * const app = await new OAuthStore(db).getOAuthApp(tenantId, 'github')
 * ```
 */
export class OAuthStore {
  readonly #db: Kysely<Database>

  constructor(db: Kysely<Database>) {
    this.#db = db
  }

  /** Creates or replaces a tenant's OAuth app for an integration. */
  async upsertOAuthApp(row: OAuthAppRow): Promise<void> {
    await this.#db
      .insertInto('oauth_apps')
      .values(row)
      .onConflict((oc) =>
        oc.columns(['tenant_id', 'integration_id']).doUpdateSet({
          client_id: row.client_id,
          secret: row.secret,
          scopes: row.scopes,
          updated_at: row.updated_at,
        }),
      )
      .execute()
  }

  /** A tenant's OAuth app for an integration. */
  async getOAuthApp(tenantId: string, integrationId: string): Promise<OAuthAppRow | undefined> {
    return this.#db.selectFrom('oauth_apps').selectAll().where('tenant_id', '=', tenantId).where('integration_id', '=', integrationId).executeTakeFirst()
  }

  /** A tenant's OAuth apps. */
  async listOAuthApps(tenantId: string): Promise<OAuthAppRow[]> {
    return this.#db.selectFrom('oauth_apps').selectAll().where('tenant_id', '=', tenantId).orderBy('integration_id').execute()
  }

  /** Deletes a tenant's OAuth app; false when there was none. */
  async deleteOAuthApp(tenantId: string, integrationId: string): Promise<boolean> {
    const r = await this.#db.deleteFrom('oauth_apps').where('tenant_id', '=', tenantId).where('integration_id', '=', integrationId).executeTakeFirst()
    return Number(r.numDeletedRows) > 0
  }

  /** Records an authorization in flight. */
  async insertOAuthState(row: OAuthStateRow): Promise<void> {
    await this.#db.insertInto('oauth_states').values(row).execute()
  }

  /**
   * Marks a state used and returns it, atomically: of two callbacks carrying the same state,
   * exactly one gets the row. Returns `{ row, firstUse }`, or undefined for an unknown state.
   */
  async consumeOAuthState(stateHash: string, now: Date): Promise<{ row: OAuthStateRow; firstUse: boolean } | undefined> {
    const used = await this.#db
      .updateTable('oauth_states')
      .set({ used_at: now.toISOString() })
      .where('state_hash', '=', stateHash)
      .where('used_at', 'is', null)
      .returningAll()
      .executeTakeFirst()
    if (used) return { row: used, firstUse: true }
    const row = await this.#db.selectFrom('oauth_states').selectAll().where('state_hash', '=', stateHash).executeTakeFirst()
    return row ? { row, firstUse: false } : undefined
  }

  /** Deletes authorizations that expired more than a day ago (kept a while to recognise replays). */
  async deleteOldOAuthStates(before: Date): Promise<number> {
    const r = await this.#db.deleteFrom('oauth_states').where('expires_at', '<', before.toISOString()).executeTakeFirst()
    return Number(r.numDeletedRows)
  }
}
