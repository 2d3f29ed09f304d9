import type { Kysely, Selectable } from 'kysely'
import type { ConnectSessionTable, Database, TenantConnectSettingsTable } from './schema.js'

/** A stored Connect session (the token itself is never stored). */
export type ConnectSessionRow = Selectable<ConnectSessionTable>

/** A tenant's stored Connect page settings. */
export type ConnectSettingsRow = Selectable<TenantConnectSettingsTable>

/**
 * The `connect_sessions` and `tenant_connect_settings` tables. Sessions are found by the hash of
 * their token; marking one used is a conditional update, so of two concurrent completions only
 * one wins (on SQLite and PostgreSQL alike).
 *
 * @example
 * ```ts
 * const row = await store.connectSessions.findByHash(sha256(token))
 * ```
 */
export class ConnectSessionStore {
  readonly #db: Kysely<Database>

  constructor(db: Kysely<Database>) {
    this.#db = db
  }

  /** Stores a new session. */
  async insert(row: ConnectSessionRow): Promise<void> {
    await this.#db.insertInto('connect_sessions').values(row).execute()
  }

  /** The session whose token hashes to `tokenHash`, whatever its state. */
  async findByHash(tokenHash: string): Promise<ConnectSessionRow | undefined> {
    return this.#db.selectFrom('connect_sessions').selectAll().where('token_hash', '=', tokenHash).executeTakeFirst()
  }

  /** Records the connection a session started (an OAuth flow still PENDING), while it is unused. */
  async setConnection(tokenHash: string, connectionId: string, version: number): Promise<void> {
    await this.#db
      .updateTable('connect_sessions')
      .set({ connection_id: connectionId, started_version: version })
      .where('token_hash', '=', tokenHash)
      .where('used_at', 'is', null)
      .execute()
  }

  /**
   * Marks the session used, only when it is unused and unexpired at `now`; true when this call
   * did it (the single use), false when it was used, expired or unknown.
   */
  async markUsed(tokenHash: string, now: Date, connectionId: string): Promise<boolean> {
    const r = await this.#db
      .updateTable('connect_sessions')
      .set({ used_at: now.toISOString(), connection_id: connectionId })
      .where('token_hash', '=', tokenHash)
      .where('used_at', 'is', null)
      .where('expires_at', '>', now.toISOString())
      .executeTakeFirst()
    return Number(r.numUpdatedRows) === 1
  }

  /** Makes a session usable again after a completion that failed to save (undoes {@link markUsed}). */
  async release(tokenHash: string): Promise<void> {
    await this.#db.updateTable('connect_sessions').set({ used_at: null }).where('token_hash', '=', tokenHash).execute()
  }

  /** Deletes sessions that expired before `before`; returns how many. */
  async deleteExpired(before: Date): Promise<number> {
    const r = await this.#db.deleteFrom('connect_sessions').where('expires_at', '<', before.toISOString()).executeTakeFirst()
    return Number(r.numDeletedRows)
  }

  /** A tenant's Connect page settings, if it set any. */
  async getSettings(tenantId: string): Promise<ConnectSettingsRow | undefined> {
    return this.#db.selectFrom('tenant_connect_settings').selectAll().where('tenant_id', '=', tenantId).executeTakeFirst()
  }

  /** Creates or replaces a tenant's Connect page settings. */
  async putSettings(row: ConnectSettingsRow): Promise<void> {
    const { tenant_id: _t, ...rest } = row
    await this.#db
      .insertInto('tenant_connect_settings')
      .values(row)
      .onConflict((oc) => oc.column('tenant_id').doUpdateSet(rest))
      .execute()
  }
}
