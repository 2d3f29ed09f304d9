import type { CompiledQuery, Kysely, Selectable } from 'kysely'
import type { ApiKeyTable, Database, TenantTable } from './schema.js'
import { sqliteChangeToken } from './sqlite-dialect.js'

/** A stored tenant. */
export type TenantRow = Selectable<TenantTable>
/** A stored API key (hash only). */
export type ApiKeyRow = Selectable<ApiKeyTable>
/** A key to store; scopes default to `admin`. */
export type NewApiKeyRow = Omit<ApiKeyRow, 'scopes'> & { scopes?: string }

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
  #epochQuery: CompiledQuery<{ value: number }> | undefined
  /** SQLite: moves when another process commits (sqlite-dialect.ts); undefined on PostgreSQL. */
  readonly #changeToken: (() => number) | undefined
  /** SQLite: the epoch last read, valid while the change token has not moved. */
  #epochSeen: { token: number; value: number } | undefined
  #revocations = 0

  constructor(db: Kysely<Database>) {
    this.#db = db
    this.#changeToken = sqliteChangeToken(db)
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
    const r = await this.#db
      .selectFrom('tenants')
      .select((eb) => eb.fn.countAll<number | string>().as('n'))
      .executeTakeFirstOrThrow()
    return Number(r.n)
  }

  /** Stores a new API key hash (scopes default to `admin`). */
  async createApiKey(key: NewApiKeyRow): Promise<void> {
    await this.#db
      .insertInto('api_keys')
      .values({ ...key, scopes: key.scopes ?? 'admin' })
      .execute()
  }

  /** A tenant's keys, oldest first (hashes included: callers must not answer them). */
  async listApiKeys(tenantId: string): Promise<ApiKeyRow[]> {
    return this.#db.selectFrom('api_keys').selectAll().where('tenant_id', '=', tenantId).orderBy('created_at').orderBy('id').execute()
  }

  /** Every key of every tenant, oldest first (for the CLI). */
  async listAllApiKeys(): Promise<ApiKeyRow[]> {
    return this.#db.selectFrom('api_keys').selectAll().orderBy('created_at').orderBy('id').execute()
  }

  /**
   * Revokes (deletes) a key and bumps the key epoch in one transaction, so every process drops
   * its cached keys on its next request. `tenantId` undefined: any tenant's key (the CLI).
   * Returns whether a key was revoked.
   */
  async revokeApiKey(tenantId: string | undefined, id: string): Promise<boolean> {
    return this.#db
      .transaction()
      .execute(async (trx) => {
        let q = trx.deleteFrom('api_keys').where('id', '=', id)
        if (tenantId !== undefined) q = q.where('tenant_id', '=', tenantId)
        const r = await q.executeTakeFirst()
        if (Number(r.numDeletedRows) === 0) return false
        await trx
          .updateTable('key_epoch')
          .set((eb) => ({ value: eb('value', '+', 1) }))
          .where('id', '=', 'keys')
          .execute()
        return true
      })
      .finally(() => {
        this.#revocations++
        this.#epochSeen = undefined
      })
  }

  /**
   * The key epoch: bumped on every revocation (see {@link revokeApiKey}). Asked per request, so
   * compiled once; on SQLite read again only when another process has committed to the file
   * since (`PRAGMA data_version`) or this store revoked a key, otherwise answered from memory.
   */
  async keyEpoch(): Promise<number> {
    const known = this.knownKeyEpoch()
    if (known !== undefined) return known
    const token = this.#changeToken?.()
    const revocations = this.#revocations
    this.#epochQuery ??= this.#db.selectFrom('key_epoch').select('value').where('id', '=', 'keys').compile()
    const r = await this.#db.executeQuery(this.#epochQuery)
    const value = Number(r.rows[0]?.value ?? 0)
    // A revocation by this process during the read leaves nothing remembered.
    if (token !== undefined && revocations === this.#revocations) this.#epochSeen = { token, value }
    return value
  }

  /**
   * The key epoch {@link keyEpoch} would answer, when it can answer from memory (SQLite, no
   * commit by another process and no revocation since it was read); else undefined.
   * Synchronous, so a request with a cached key spends no promise on it.
   */
  knownKeyEpoch(): number | undefined {
    const seen = this.#epochSeen
    if (seen === undefined) return undefined
    return this.#changeToken?.() === seen.token ? seen.value : undefined
  }

  /** The tenant owning the key with this hash, if any. */
  async findApiKeyByHash(keyHash: string): Promise<ApiKeyRow | undefined> {
    return this.#db.selectFrom('api_keys').selectAll().where('key_hash', '=', keyHash).executeTakeFirst()
  }
}
