import type { Kysely, Selectable } from 'kysely'
import type { ApiKeyTable, Database, TenantTable } from './schema.js'

/** A stored tenant. */
export type TenantRow = Selectable<TenantTable>
/** A stored API key (hash only). */
export type ApiKeyRow = Selectable<ApiKeyTable>

/**
 * The `tenants` and `api_keys` tables. Reached through the `Store` facade, which keeps these
 * method names.
 *
 * @example
 * ```ts
 * const key = await new TenantStore(db).findApiKeyByHash(hash)
 * ```
 */
export class TenantStore {
  readonly #db: Kysely<Database>

  constructor(db: Kysely<Database>) {
    this.#db = db
  }

  /** Creates a tenant. */
  async createTenant(tenant: TenantRow): Promise<void> {
    await this.#db.insertInto('tenants').values(tenant).execute()
  }

  /** Finds a tenant by name (the first one when several share it). */
  async findTenantByName(name: string): Promise<TenantRow | undefined> {
    return this.#db.selectFrom('tenants').selectAll().where('name', '=', name).orderBy('created_at').limit(1).executeTakeFirst()
  }

  /** Number of tenants. */
  async countTenants(): Promise<number> {
    const r = await this.#db.selectFrom('tenants').select((eb) => eb.fn.countAll<number | string>().as('n')).executeTakeFirstOrThrow()
    return Number(r.n)
  }

  /** Stores a new API key hash. */
  async createApiKey(key: ApiKeyRow): Promise<void> {
    await this.#db.insertInto('api_keys').values(key).execute()
  }

  /** The tenant owning the key with this hash, if any. */
  async findApiKeyByHash(keyHash: string): Promise<ApiKeyRow | undefined> {
    return this.#db.selectFrom('api_keys').selectAll().where('key_hash', '=', keyHash).executeTakeFirst()
  }
}
