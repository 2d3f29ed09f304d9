import { closeSync, openSync } from 'node:fs'
import { dirname } from 'node:path'
import SQLite from 'better-sqlite3'
import { Kysely, Migrator, PostgresDialect, SqliteDialect, sql, type Selectable, type SqliteDatabase } from 'kysely'
import { createRequire } from 'node:module'
import type pg from 'pg'
import { PatchbayError } from '@patchbay/core'
import { migrationProvider } from './migrations.js'
import { checkSqliteParent, TextGuardPlugin } from './text-guards.js'
import type { ApiKeyTable, ConnectionTable, Database, OAuthAppTable, OAuthStateTable, RunTable, TenantIntegrationTable, TenantTable } from './schema.js'

/** A stored tenant. */
export type TenantRow = Selectable<TenantTable>
/** A stored API key (hash only). */
export type ApiKeyRow = Selectable<ApiKeyTable>
/** A stored connection. */
export type ConnectionRow = Selectable<ConnectionTable>
/** A stored asynchronous run. */
export type RunRow = Selectable<RunTable>
/** A stored OAuth app. */
export type OAuthAppRow = Selectable<OAuthAppTable>
/** A stored OAuth authorization in flight. */
export type OAuthStateRow = Selectable<OAuthStateTable>

/** A definition a tenant registered at run time. */
export type TenantIntegrationRow = Selectable<TenantIntegrationTable>

/** Fields of a connection that can change after it is created. */
export type ConnectionPatch = Partial<
  Pick<ConnectionRow, 'name' | 'description' | 'auth_scheme' | 'status' | 'status_reason' | 'config' | 'secrets' | 'expires_at' | 'token_expires_at'>
>

/** Which SQL engine a store runs on. */
export type StoreDialect = 'sqlite' | 'postgres'

/** One page of a tenant's connections. */
export interface ConnectionPage {
  rows: ConnectionRow[]
  total: number
}

/**
 * Persistence for tenants, API keys, connections and asynchronous runs, on SQLite (default) or
 * PostgreSQL through Kysely. Every connection query is scoped by tenant: there is no method that
 * reads another tenant's connection.
 *
 * @example
 * ```ts
 * const store = openStore('./.patchbay/patchbay.db')
 * await store.migrate()
 * ```
 */
export class Store {
  readonly db: Kysely<Database>
  readonly dialect: StoreDialect

  constructor(db: Kysely<Database>, dialect: StoreDialect) {
    this.db = db
    this.dialect = dialect
  }

  /** Brings the schema up to date. Safe to call on every start. */
  async migrate(): Promise<void> {
    const migrator = new Migrator({ db: this.db, provider: migrationProvider })
    const { error, results } = await migrator.migrateToLatest()
    if (error) {
      const failed = results?.find((r) => r.status === 'Error')?.migrationName
      throw new Error(`Database migration ${failed ?? ''} failed: ${(error as Error).message ?? String(error)}`, { cause: error })
    }
  }

  /** Closes the connection pool or file. */
  async close(): Promise<void> {
    await this.db.destroy()
  }

  // --- tenants and API keys ---------------------------------------------------------------

  /** Creates a tenant. */
  async createTenant(tenant: TenantRow): Promise<void> {
    await this.db.insertInto('tenants').values(tenant).execute()
  }

  /** Finds a tenant by name (the first one when several share it). */
  async findTenantByName(name: string): Promise<TenantRow | undefined> {
    return this.db.selectFrom('tenants').selectAll().where('name', '=', name).orderBy('created_at').limit(1).executeTakeFirst()
  }

  /** Number of tenants. */
  async countTenants(): Promise<number> {
    const r = await this.db.selectFrom('tenants').select((eb) => eb.fn.countAll<number | string>().as('n')).executeTakeFirstOrThrow()
    return Number(r.n)
  }

  /** Stores a new API key hash. */
  async createApiKey(key: ApiKeyRow): Promise<void> {
    await this.db.insertInto('api_keys').values(key).execute()
  }

  /** The tenant owning the key with this hash, if any. */
  async findApiKeyByHash(keyHash: string): Promise<ApiKeyRow | undefined> {
    return this.db.selectFrom('api_keys').selectAll().where('key_hash', '=', keyHash).executeTakeFirst()
  }

  // --- connections ----------------------------------------------------------------------------

  /**
   * Inserts a connection.
   * @throws {PatchbayError} NAME_EXISTS when the tenant already has a connection with that name.
   */
  async insertConnection(row: ConnectionRow): Promise<void> {
    try {
      await this.db.insertInto('connections').values(row).execute()
    } catch (err) {
      throw this.#mapUnique(err, row.name)
    }
  }

  /** A tenant's connection by id; another tenant's id is indistinguishable from an unknown one. */
  async getConnection(tenantId: string, id: string): Promise<ConnectionRow | undefined> {
    return this.db
      .selectFrom('connections')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .where('id', '=', id)
      .executeTakeFirst()
  }

  /**
   * Applies `patch` and bumps the version. With `expectedVersion`, only when the stored version
   * still equals it (optimistic concurrency). Returns the new row, or undefined when nothing
   * matched (unknown id, other tenant, or a lost race).
   */
  async updateConnection(
    tenantId: string,
    id: string,
    patch: ConnectionPatch,
    expectedVersion?: number,
  ): Promise<ConnectionRow | undefined> {
    return this.#update(this.db, tenantId, id, patch, expectedVersion)
  }

  async #update(
    db: Kysely<Database>,
    tenantId: string,
    id: string,
    patch: ConnectionPatch,
    expectedVersion?: number,
  ): Promise<ConnectionRow | undefined> {
    try {
      let q = db
        .updateTable('connections')
        .set({ ...patch, updated_at: new Date().toISOString(), version: sql<number>`version + 1` })
        .where('tenant_id', '=', tenantId)
        .where('id', '=', id)
      if (expectedVersion !== undefined) q = q.where('version', '=', expectedVersion)
      return await q.returningAll().executeTakeFirst()
    } catch (err) {
      throw this.#mapUnique(err, patch.name ?? '')
    }
  }

  /**
   * Runs a read-check-write on one connection that must not race with another process doing the
   * same (an OAuth token refresh). On PostgreSQL it runs in a transaction holding the row with
   * `SELECT … FOR UPDATE`, so hub processes queue on the row and each sees the previous one's
   * write. On SQLite (one process per file) there is no transaction, which would stall every other
   * query on the single connection during the network call: the caller single-flights in memory
   * and `update` still checks the expected version.
   */
  async withConnectionLock<T>(
    tenantId: string,
    id: string,
    fn: (
      current: ConnectionRow | undefined,
      update: (patch: ConnectionPatch, expectedVersion: number) => Promise<ConnectionRow | undefined>,
    ) => Promise<T>,
  ): Promise<T> {
    if (this.dialect === 'sqlite') {
      return fn(await this.getConnection(tenantId, id), (patch, v) => this.#update(this.db, tenantId, id, patch, v))
    }
    return this.db.transaction().execute(async (trx) => {
      const current = await trx
        .selectFrom('connections')
        .selectAll()
        .where('tenant_id', '=', tenantId)
        .where('id', '=', id)
        .forUpdate()
        .executeTakeFirst()
      return fn(current, (patch, v) => this.#update(trx, tenantId, id, patch, v))
    })
  }

  /** Deletes a tenant's connection; false when there was none. */
  async deleteConnection(tenantId: string, id: string): Promise<boolean> {
    const r = await this.db.deleteFrom('connections').where('tenant_id', '=', tenantId).where('id', '=', id).executeTakeFirst()
    return Number(r.numDeletedRows) > 0
  }

  /** A page of a tenant's connections, newest first, optionally filtered by a name substring. */
  async listConnections(tenantId: string, options: { offset: number; limit: number; query?: string }): Promise<ConnectionPage> {
    let base = this.db.selectFrom('connections').where('tenant_id', '=', tenantId)
    if (options.query) {
      const pattern = `%${options.query.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`
      base = base.where(sql<boolean>`lower(name) like ${pattern} escape '\\'`)
    }
    const [rows, count] = await Promise.all([
      base.selectAll().orderBy('created_at', 'desc').orderBy('id').offset(options.offset).limit(options.limit).execute(),
      base.select((eb) => eb.fn.countAll<number | string>().as('n')).executeTakeFirstOrThrow(),
    ])
    return { rows, total: Number(count.n) }
  }

  /** Deletes PENDING connections whose `expires_at` has passed; returns how many. */
  async deleteExpiredPending(now: Date): Promise<number> {
    const r = await this.db
      .deleteFrom('connections')
      .where('status', '=', 'PENDING')
      .where('expires_at', 'is not', null)
      .where('expires_at', '<', now.toISOString())
      .executeTakeFirst()
    return Number(r.numDeletedRows)
  }

  // --- OAuth apps and authorizations in flight ------------------------------------------------

  /** Creates or replaces a tenant's OAuth app for an integration. */
  async upsertOAuthApp(row: OAuthAppRow): Promise<void> {
    await this.db
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
    return this.db
      .selectFrom('oauth_apps')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .where('integration_id', '=', integrationId)
      .executeTakeFirst()
  }

  /** A tenant's OAuth apps. */
  async listOAuthApps(tenantId: string): Promise<OAuthAppRow[]> {
    return this.db.selectFrom('oauth_apps').selectAll().where('tenant_id', '=', tenantId).orderBy('integration_id').execute()
  }

  /** Deletes a tenant's OAuth app; false when there was none. */
  async deleteOAuthApp(tenantId: string, integrationId: string): Promise<boolean> {
    const r = await this.db.deleteFrom('oauth_apps').where('tenant_id', '=', tenantId).where('integration_id', '=', integrationId).executeTakeFirst()
    return Number(r.numDeletedRows) > 0
  }

  /** Records an authorization in flight. */
  async insertOAuthState(row: OAuthStateRow): Promise<void> {
    await this.db.insertInto('oauth_states').values(row).execute()
  }

  /**
   * Marks a state used and returns it, atomically: of two callbacks carrying the same state,
   * exactly one gets the row. Returns `{ row, firstUse }`, or undefined for an unknown state.
   */
  async consumeOAuthState(stateHash: string, now: Date): Promise<{ row: OAuthStateRow; firstUse: boolean } | undefined> {
    const used = await this.db
      .updateTable('oauth_states')
      .set({ used_at: now.toISOString() })
      .where('state_hash', '=', stateHash)
      .where('used_at', 'is', null)
      .returningAll()
      .executeTakeFirst()
    if (used) return { row: used, firstUse: true }
    const row = await this.db.selectFrom('oauth_states').selectAll().where('state_hash', '=', stateHash).executeTakeFirst()
    return row ? { row, firstUse: false } : undefined
  }

  /** Deletes authorizations that expired more than a day ago (kept a while to recognise replays). */
  async deleteOldOAuthStates(before: Date): Promise<number> {
    const r = await this.db.deleteFrom('oauth_states').where('expires_at', '<', before.toISOString()).executeTakeFirst()
    return Number(r.numDeletedRows)
  }

  // --- asynchronous runs ----------------------------------------------------------------------

  /** Records a run that has started. */
  async insertRun(row: RunRow): Promise<void> {
    await this.db.insertInto('runs').values(row).execute()
  }

  /** Stores a run's final body. */
  async completeRun(id: string, status: string, result: unknown): Promise<void> {
    await this.db
      .updateTable('runs')
      .set({ status, result: JSON.stringify(result), completed_at: new Date().toISOString() })
      .where('id', '=', id)
      .execute()
  }

  /** A tenant's run by id. */
  async getRun(tenantId: string, id: string): Promise<RunRow | undefined> {
    return this.db.selectFrom('runs').selectAll().where('tenant_id', '=', tenantId).where('id', '=', id).executeTakeFirst()
  }

  /**
   * Marks runs left IN_PROGRESS by a process that died as FAILED, and deletes runs older than
   * `olderThan`. Called at start.
   */
  async sweepRuns(staleBefore: Date, olderThan: Date): Promise<void> {
    const failed = { status: 'FAILED', completed: true, error_message: 'The hub restarted before this run finished; run it again.' }
    await this.db
      .updateTable('runs')
      .set({ status: 'FAILED', result: JSON.stringify(failed), completed_at: new Date().toISOString() })
      .where('status', '=', 'IN_PROGRESS')
      .where('created_at', '<', staleBefore.toISOString())
      .execute()
    await this.db.deleteFrom('runs').where('created_at', '<', olderThan.toISOString()).execute()
  }

  // --- tenant integrations and action scopes (agents issue) ----------------------------------

  /** Creates or replaces a tenant's runtime integration (same tenant and id). */
  async upsertTenantIntegration(row: TenantIntegrationRow): Promise<void> {
    try {
      await this.db
        .insertInto('tenant_integrations')
        .values(row)
        .onConflict((oc) =>
          oc.columns(['tenant_id', 'id']).doUpdateSet({ model_id: row.model_id, name: row.name, definition: row.definition, updated_at: row.updated_at }),
        )
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
    return this.db
      .selectFrom('tenant_integrations')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .where((eb) => eb.or([eb('id', '=', idOrModelId), eb('model_id', '=', idOrModelId)]))
      .executeTakeFirst()
  }

  /** A tenant's runtime integrations, by name. */
  async listTenantIntegrations(tenantId: string): Promise<TenantIntegrationRow[]> {
    return this.db.selectFrom('tenant_integrations').selectAll().where('tenant_id', '=', tenantId).orderBy('name').orderBy('id').execute()
  }

  /** Deletes a tenant's runtime integration; false when there was none. */
  async deleteTenantIntegration(tenantId: string, id: string): Promise<boolean> {
    const r = await this.db.deleteFrom('tenant_integrations').where('tenant_id', '=', tenantId).where('id', '=', id).executeTakeFirst()
    return Number(r.numDeletedRows) > 0
  }

  /** Sets (array) or clears (null) the action scope of a tenant's connection. */
  async setActionScope(tenantId: string, connectionId: string, actions: readonly string[] | null): Promise<void> {
    await this.db.deleteFrom('connection_action_scopes').where('tenant_id', '=', tenantId).where('connection_id', '=', connectionId).execute()
    if (actions === null) return
    await this.db
      .insertInto('connection_action_scopes')
      .values({ connection_id: connectionId, tenant_id: tenantId, actions: JSON.stringify(actions), updated_at: new Date().toISOString() })
      .execute()
  }

  /** Action scopes of a tenant's connections (all of them, or those listed), by connection id. */
  async getActionScopes(tenantId: string, connectionIds?: readonly string[]): Promise<Map<string, string[]>> {
    let q = this.db.selectFrom('connection_action_scopes').select(['connection_id', 'actions']).where('tenant_id', '=', tenantId)
    if (connectionIds) {
      if (connectionIds.length === 0) return new Map()
      q = q.where('connection_id', 'in', connectionIds)
    }
    const rows = await q.execute()
    return new Map(rows.map((r) => [r.connection_id, JSON.parse(r.actions) as string[]]))
  }

  #mapUnique(err: unknown, name: string): unknown {
    const e = err as { code?: string; constraint?: string; message?: string }
    const unique =
      e.code === '23505' || e.code === 'SQLITE_CONSTRAINT_UNIQUE' || (e.code === 'SQLITE_CONSTRAINT' && /UNIQUE/.test(e.message ?? ''))
    if (!unique) return err
    return new PatchbayError('NAME_EXISTS', `Name already exists: you already have a connection named "${name}"; choose another name`, {
      supplierError: 'Name already exists',
      cause: err,
    })
  }
}

/**
 * Opens a store from a database URL: `postgres://…` / `postgresql://…` for PostgreSQL, anything
 * else (optionally `sqlite:` prefixed) is a SQLite file path, created if missing; its folder must exist.
 */
export function openStore(databaseUrl: string, options: { poolSize?: number } = {}): Store {
  if (/^postgres(ql)?:\/\//.test(databaseUrl)) {
    // `pg` is loaded only for a PostgreSQL URL: a SQLite hub never pays for it (memory, start-up).
    const { Pool } = createRequire(import.meta.url)('pg') as typeof pg
    const pool = new Pool({ connectionString: databaseUrl, max: options.poolSize ?? 10 })
    // An idle client losing its connection must not crash the process.
    pool.on('error', () => {})
    return new Store(new Kysely<Database>({ dialect: new PostgresDialect({ pool }), plugins: [new TextGuardPlugin()] }), 'postgres')
  }
  const file = databaseUrl.replace(/^sqlite:(\/\/)?/, '')
  if (file !== ':memory:') {
    checkSqliteParent(dirname(file))
    // Create the file owner-only before SQLite does (its -wal/-shm files inherit the mode).
    closeSync(openSync(file, 'a', 0o600))
  }
  const db = new SQLite(file)
  // WAL lets the CLI (e.g. `patchbay keys create`) write while a hub is serving.
  db.pragma('journal_mode = WAL')
  db.pragma('synchronous = NORMAL')
  db.pragma('busy_timeout = 5000')
  db.pragma('foreign_keys = ON')
  return new Store(new Kysely<Database>({ dialect: new SqliteDialect({ database: withStatementCache(db) }), plugins: [new TextGuardPlugin()] }), 'sqlite')
}

const STATEMENT_CACHE_MAX = 500

/**
 * Kysely's SQLite driver prepares every query anew, and preparing costs more than running a
 * primary-key lookup (about half the database time of an action run, measured with
 * `npm run bench`). The hub's queries are a small fixed set of SQL texts with bound parameters,
 * so prepared statements are reused by SQL text. Kysely runs one query at a time on its single
 * SQLite connection, so a statement is never in use twice; the `busy` check (a statement still
 * iterating) is a guard. The cache is emptied if it ever fills (e.g. `in (…)` lists of many lengths).
 */
function withStatementCache(db: SQLite.Database): SqliteDatabase {
  const cache = new Map<string, SQLite.Statement>()
  return {
    close: () => db.close(),
    prepare(text: string) {
      const hit = cache.get(text)
      if (hit && !hit.busy) return hit
      const statement = db.prepare(text)
      if (!hit) {
        if (cache.size >= STATEMENT_CACHE_MAX) cache.clear()
        cache.set(text, statement)
      }
      return statement
    },
  }
}
