import type { Kysely, Selectable } from 'kysely'
import { CompiledQuery, sql } from './kysely.js'
import { PatchbayError } from '@patchbay/core'
import type { ConnectionCache } from './connection-cache.js'
import type { DialectAdapter } from './dialect.js'
import { recordConnectionEvent, type ConnectionEventNote } from './event-store.js'
import { inTransaction } from './transaction.js'
import type { ConnectionTable, Database } from './schema.js'

/**
 * A stored connection. `end_user_id` and `tags` (Connect sessions) are optional when a row is
 * written, so code that predates end users keeps building rows; reads always carry them.
 */
export type ConnectionRow = Omit<Selectable<ConnectionTable>, 'end_user_id' | 'tags'> & { end_user_id?: string | null; tags?: string | null }

/** Fields of a connection that can change after it is created. */
export type ConnectionPatch = Partial<
  Pick<ConnectionRow, 'name' | 'description' | 'auth_scheme' | 'status' | 'status_reason' | 'config' | 'secrets' | 'expires_at' | 'token_expires_at'>
>

/** What {@link ConnectionStore.listConnections} pages by and filters on. */
export interface ListConnectionsOptions {
  /** Rows to skip (after `after`, when given). */
  offset: number
  limit: number
  /** Lower-cased substring of the connection's name. */
  query?: string
  /** Only this end user's connections. */
  endUserId?: string
  /**
   * Keyset cursor: only the rows after this one in listing order (the last row of the previous
   * page), so walking every page reads each row once instead of skipping all the earlier ones.
   */
  after?: { created_at: string; id: string }
}

/** One page of a tenant's connections. */
export interface ConnectionPage {
  rows: ConnectionRow[]
  total: number
}

/**
 * The `connections` table and each connection's action scope (`connection_action_scopes`).
 * Every query is scoped by tenant: there is no method that reads another tenant's connection.
 * Reached through the `Store` facade, which keeps these method names.
 *
 * @example
 * ```ts
 * const row = await new ConnectionStore(db, sqliteAdapter).getConnection(tenantId, id)
 * ```
 */
export class ConnectionStore {
  readonly #db: Kysely<Database>
  readonly #adapter: DialectAdapter
  /** Rows known to be current (connection-cache.ts); undefined: every read goes to the database. */
  readonly cache: ConnectionCache | undefined
  #checkSql: string | undefined

  constructor(db: Kysely<Database>, adapter: DialectAdapter, cache?: ConnectionCache) {
    this.#db = db
    this.#adapter = adapter
    this.cache = cache
  }

  /**
   * Inserts a connection.
   * With `event`, the event and its webhook deliveries are written in the same transaction.
   * @throws {PatchbayError} NAME_EXISTS when the tenant already has a connection with that name.
   */
  async insertConnection(row: ConnectionRow, event?: ConnectionEventNote): Promise<void> {
    try {
      if (!event) await this.#db.insertInto('connections').values(row).execute()
      else {
        await inTransaction(this.#db, async (trx) => {
          await trx.insertInto('connections').values(row).execute()
          await recordConnectionEvent(trx, row, event)
        })
      }
    } catch (err) {
      throw mapUnique(err, row.name)
    } finally {
      this.cache?.forget(row.tenant_id, row.id)
    }
  }

  /**
   * A tenant's connection by id; another tenant's id is indistinguishable from an unknown one.
   * With a cache, a row this process knows to be current is answered without reading it: on
   * SQLite when no write has touched it since (connection-cache.ts), on PostgreSQL when a narrow
   * read of the columns that change (version, status, sealed secrets, token expiry) still
   * matches, so a connection deleted or reconnected by another process is never used. Inside a
   * transaction the cache is bypassed (its rows may not be committed).
   */
  async getConnection(tenantId: string, id: string): Promise<ConnectionRow | undefined> {
    const cache = this.cache
    if (!cache || this.#db.isTransaction) return this.#read(tenantId, id)
    const hit = cache.get(tenantId, id)
    if (hit) {
      if (cache.mode === 'in-process') return hit
      this.#checkSql ??= this.#db
        .selectFrom('connections')
        .select(['version', 'status', 'secrets', 'token_expires_at'])
        .where('tenant_id', '=', '')
        .where('id', '=', '')
        .compile().sql
      const r = await this.#db.executeQuery<Pick<ConnectionRow, 'version' | 'status' | 'secrets' | 'token_expires_at'>>(CompiledQuery.raw(this.#checkSql, [tenantId, id]))
      const now = r.rows[0]
      if (now === undefined) {
        cache.forget(tenantId, id)
        return undefined
      }
      if (Number(now.version) === hit.version && now.status === hit.status && now.secrets === hit.secrets && now.token_expires_at === hit.token_expires_at) return hit
    }
    const generation = cache.generation
    const row = await this.#read(tenantId, id)
    if (row) cache.remember(row, generation)
    return row
  }

  /**
   * The row {@link getConnection} would answer, when this process knows it is current without
   * asking the database (an in-process cache, SQLite); else undefined, and the caller reads it
   * with getConnection. Synchronous, so the hot path spends no promise on the common case.
   */
  currentConnection(tenantId: string, id: string): ConnectionRow | undefined {
    const cache = this.cache
    if (!cache || cache.mode !== 'in-process' || this.#db.isTransaction) return undefined
    return cache.get(tenantId, id)
  }

  #read(tenantId: string, id: string): Promise<ConnectionRow | undefined> {
    return this.#db.selectFrom('connections').selectAll().where('tenant_id', '=', tenantId).where('id', '=', id).executeTakeFirst()
  }

  /**
   * Applies `patch` and bumps the version. With `expectedVersion`, only when the stored version
   * still equals it (optimistic concurrency). Returns the new row, or undefined when nothing
   * matched (unknown id, other tenant, or a lost race). With `event`, the event (of the new row)
   * and its webhook deliveries are written in the same transaction, only when the update matched.
   */
  async updateConnection(tenantId: string, id: string, patch: ConnectionPatch, expectedVersion?: number, event?: ConnectionEventNote): Promise<ConnectionRow | undefined> {
    try {
      return await update(this.#db, tenantId, id, patch, expectedVersion, event)
    } finally {
      this.cache?.forget(tenantId, id)
    }
  }

  /**
   * Runs a read-check-write on one connection that must not race with another process doing the
   * same (an OAuth token refresh). On PostgreSQL it runs in a transaction holding the row with
   * `SELECT … FOR UPDATE`, so hub processes queue on the row and each sees the previous one's
   * write. On SQLite (one process per file) there is no transaction, which would stall every other
   * query on the single connection during the network call: the caller single-flights in memory
   * and `update` still checks the expected version. The difference lives in the dialect adapter.
   */
  async withConnectionLock<T>(
    tenantId: string,
    id: string,
    fn: (
      current: ConnectionRow | undefined,
      update: (patch: ConnectionPatch, expectedVersion: number, event?: ConnectionEventNote) => Promise<ConnectionRow | undefined>,
    ) => Promise<T>,
  ): Promise<T> {
    const forget = () => this.cache?.forget(tenantId, id)
    try {
      return await this.#adapter.withRowLock(this.#db, async (db, forUpdate) => {
        let q = db.selectFrom('connections').selectAll().where('tenant_id', '=', tenantId).where('id', '=', id)
        if (forUpdate) q = q.forUpdate()
        const current = await q.executeTakeFirst()
        return fn(current, (patch, v, event) => update(db, tenantId, id, patch, v, event).finally(forget))
      })
    } finally {
      // Again once the lock's transaction (PostgreSQL) has committed.
      forget()
    }
  }

  /**
   * Deletes a tenant's connection; false when there was none. A deleted connection that had been
   * ACTIVE at some point reports `connection.deleted` in the same transaction.
   */
  async deleteConnection(tenantId: string, id: string): Promise<boolean> {
    try {
      return await inTransaction(this.#db, async (trx) => {
        const row = await trx.deleteFrom('connections').where('tenant_id', '=', tenantId).where('id', '=', id).returningAll().executeTakeFirst()
        if (row && row.status !== 'PENDING') await recordConnectionEvent(trx, row, { type: 'connection.deleted' })
        return row !== undefined
      })
    } finally {
      this.cache?.forget(tenantId, id)
    }
  }

  /**
   * A page of a tenant's connections, newest first (ties by id), optionally filtered by a name
   * substring and by end user.
   *
   * The page is found first as ids alone, from the `(tenant_id, created_at desc, id)` index of
   * migration 0009 read in order (an index-only scan: the `offset` rows skipped are index entries,
   * never table rows, and nothing is sorted), then only its rows are read, by primary key. Reading
   * whole rows while skipping cost a page in the middle of 1,000 connections 4 ms on PostgreSQL (a
   * heap fetch per skipped row) and a sort of all 1,000 on SQLite.
   */
  async listConnections(tenantId: string, options: ListConnectionsOptions): Promise<ConnectionPage> {
    let base = this.#db.selectFrom('connections').where('tenant_id', '=', tenantId)
    if (options.endUserId !== undefined) base = base.where('end_user_id', '=', options.endUserId)
    if (options.query) {
      const pattern = `%${options.query.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`
      base = base.where(sql<boolean>`lower(name) like ${pattern} escape '\\'`)
    }
    let paged = base
    const after = options.after
    if (after) {
      // Newest first, ties by id ascending: after (c, i) is created_at < c, or = c with a greater id.
      // The `<=` bound is the index range; the rest filters inside it.
      paged = paged.where('created_at', '<=', after.created_at).where((eb) => eb.or([eb('created_at', '<', after.created_at), eb('id', '>', after.id)]))
    }
    const [rows, count] = await Promise.all([
      this.#db
        .selectFrom(paged.select(['id', 'created_at']).orderBy('created_at', 'desc').orderBy('id').offset(options.offset).limit(options.limit).as('page'))
        .innerJoin('connections', 'connections.id', 'page.id')
        .selectAll('connections')
        .orderBy('page.created_at', 'desc')
        .orderBy('page.id')
        .execute(),
      base.select((eb) => eb.fn.countAll<number | string>().as('n')).executeTakeFirstOrThrow(),
    ])
    return { rows, total: Number(count.n) }
  }

  /** Deletes PENDING connections whose `expires_at` has passed; returns how many. */
  async deleteExpiredPending(now: Date): Promise<number> {
    const r = await this.#db
      .deleteFrom('connections')
      .where('status', '=', 'PENDING')
      .where('expires_at', 'is not', null)
      .where('expires_at', '<', now.toISOString())
      .executeTakeFirst()
    const n = Number(r.numDeletedRows)
    if (n > 0) this.cache?.clear()
    return n
  }

  /** Sets (array) or clears (null) the action scope of a tenant's connection. */
  async setActionScope(tenantId: string, connectionId: string, actions: readonly string[] | null): Promise<void> {
    await this.#db.deleteFrom('connection_action_scopes').where('tenant_id', '=', tenantId).where('connection_id', '=', connectionId).execute()
    if (actions === null) return
    await this.#db
      .insertInto('connection_action_scopes')
      .values({ connection_id: connectionId, tenant_id: tenantId, actions: JSON.stringify(actions), updated_at: new Date().toISOString() })
      .execute()
  }

  /** Action scopes of a tenant's connections (all of them, or those listed), by connection id. */
  async getActionScopes(tenantId: string, connectionIds?: readonly string[]): Promise<Map<string, string[]>> {
    let q = this.#db.selectFrom('connection_action_scopes').select(['connection_id', 'actions']).where('tenant_id', '=', tenantId)
    if (connectionIds) {
      if (connectionIds.length === 0) return new Map()
      q = q.where('connection_id', 'in', connectionIds)
    }
    const rows = await q.execute()
    return new Map(rows.map((r) => [r.connection_id, JSON.parse(r.actions) as string[]]))
  }
}

async function update(
  db: Kysely<Database>,
  tenantId: string,
  id: string,
  patch: ConnectionPatch,
  expectedVersion?: number,
  event?: ConnectionEventNote,
): Promise<ConnectionRow | undefined> {
  if (event) {
    return inTransaction(db, async (trx) => {
      const row = await update(trx, tenantId, id, patch, expectedVersion)
      if (row) await recordConnectionEvent(trx, row, event)
      return row
    })
  }
  try {
    let q = db
      .updateTable('connections')
      .set({ ...patch, updated_at: new Date().toISOString(), version: sql<number>`version + 1` })
      .where('tenant_id', '=', tenantId)
      .where('id', '=', id)
    if (expectedVersion !== undefined) q = q.where('version', '=', expectedVersion)
    return await q.returningAll().executeTakeFirst()
  } catch (err) {
    throw mapUnique(err, patch.name ?? '')
  }
}

function mapUnique(err: unknown, name: string): unknown {
  const e = err as { code?: string; constraint?: string; message?: string }
  const unique = e.code === '23505' || e.code === 'SQLITE_CONSTRAINT_UNIQUE' || (e.code === 'SQLITE_CONSTRAINT' && /UNIQUE/.test(e.message ?? ''))
  if (!unique) return err
  return new PatchbayError('NAME_EXISTS', `Name already exists: you already have a connection named "${name}"; choose another name`, {
    supplierError: 'Name already exists',
    cause: err,
  })
}
