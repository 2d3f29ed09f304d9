import type { Kysely } from 'kysely'
import { Migrator } from './kysely.js'
import { ConnectionCache } from './connection-cache.js'
import { ConnectionStore, type ConnectionPage, type ConnectionPatch, type ConnectionRow, type ListConnectionsOptions } from './connection-store.js'
import type { DialectAdapter, StoreDialect } from './dialect.js'
import { EventStore, type ConnectionEventNote } from './event-store.js'
import { migrationProvider } from './migrations.js'
import { OAuthStore, type OAuthAppRow, type OAuthStateRow } from './oauth-store.js'
import { openPostgres, postgresAdapter } from './postgres-dialect.js'
import { RunStore, type RunRow } from './run-store.js'
import type { Database } from './schema.js'
import { openSqlite, sqliteAdapter, sqliteChangeToken } from './sqlite-dialect.js'
import { TenantIntegrationStore, type TenantIntegrationRow } from './tenant-integration-store.js'
import { TenantStore, type ApiKeyRow, type NewApiKeyRow, type TenantRow } from './tenant-store.js'
import { RunLogStore } from './run-log-store.js'
import { WebhookStore } from './webhook-store.js'
import { TriggerStore } from './trigger-store.js'
import { ConnectSessionStore } from './connect-session-store.js'

export type { ConnectionPage, ConnectionPatch, ConnectionRow, ListConnectionsOptions } from './connection-store.js'
export type { DialectAdapter, StoreDialect } from './dialect.js'
export type { ConnectionEventNote, ConnectionEventType, EventRow, NewEvent } from './event-store.js'
export type { ClaimedDelivery, WebhookAttemptRow, WebhookDeliveryRow, WebhookEndpointRow } from './webhook-store.js'
export type { OAuthAppRow, OAuthStateRow } from './oauth-store.js'
export type { RunRow } from './run-store.js'
export type { TenantIntegrationRow } from './tenant-integration-store.js'
export type { ApiKeyRow, NewApiKeyRow, TenantRow } from './tenant-store.js'
export type { ConnectSessionRow, ConnectSettingsRow } from './connect-session-store.js'
export type { RunLogEntry, RunLogFilter, RunLogRow } from './run-log-store.js'
export type { TriggerInstancePatch, TriggerInstanceRow, TriggerListFilter } from './trigger-store.js'
export { newTriggerInstanceRow, type NewTriggerInstance } from './trigger-store.js'

/**
 * Persistence for tenants, API keys, connections and asynchronous runs, on SQLite (default) or
 * PostgreSQL through Kysely. A facade over one class per table group (tenant-store.ts,
 * connection-store.ts, oauth-store.ts, run-store.ts, tenant-integration-store.ts), each reachable
 * as a property too; what differs between the databases (locks) is in its {@link DialectAdapter}.
 * Every connection query is scoped by tenant: there is no method that reads another tenant's
 * connection.
 *
 * @example
 * ```ts
 * const store = openStore('./.patchbay/patchbay.db')
 * await store.migrate()
 * ```
 */
export class Store {
  readonly db: Kysely<Database>
  /** What differs on this database: row and advisory locks. */
  readonly adapter: DialectAdapter
  /** Tenants and API keys. */
  readonly tenants: TenantStore
  /** Connections and their action scopes. */
  readonly connections: ConnectionStore
  /** OAuth apps and authorizations in flight. */
  readonly oauth: OAuthStore
  /** Asynchronous runs. */
  readonly runs: RunStore
  /** Definitions tenants registered at run time. */
  readonly tenantIntegrations: TenantIntegrationStore
  /** The log of every action run, and tenant settings. */
  readonly runLog: RunLogStore
  /** The events feed (event-store.ts; events are recorded with the change they report). */
  readonly events: EventStore
  /** Webhook endpoints and the outbox of deliveries (webhook-store.ts). */
  readonly webhooks: WebhookStore
  /** Trigger instances and aiXplain's v1 triggers (trigger-store.ts). */
  readonly triggers: TriggerStore
  /** Connect sessions and tenants' Connect page settings (connect-session-store.ts). */
  readonly connectSessions: ConnectSessionStore

  /**
   * `connectionCache`: rows known to be current (connection-cache.ts), shared with the stores of
   * this store's transactions; by default one for PostgreSQL (each use checked by a narrow read)
   * and for a SQLite file opened by `openStore` (another process's commit empties it); null: none.
   */
  constructor(db: Kysely<Database>, adapter: DialectAdapter, connectionCache?: ConnectionCache | null) {
    this.db = db
    this.adapter = adapter
    this.tenants = new TenantStore(db)
    this.connections = new ConnectionStore(db, adapter, connectionCache === undefined ? defaultConnectionCache(db, adapter) : (connectionCache ?? undefined))
    this.oauth = new OAuthStore(db)
    this.runs = new RunStore(db)
    this.tenantIntegrations = new TenantIntegrationStore(db)
    this.runLog = new RunLogStore(db)
    this.events = new EventStore(db)
    this.webhooks = new WebhookStore(db, adapter)
    this.triggers = new TriggerStore(db)
    this.connectSessions = new ConnectSessionStore(db)
  }

  /**
   * Runs `fn` in one transaction, with a store whose every method works in it (or in the current
   * one, when this store is already a transaction's), e.g. a change and the event reporting it:
   * `store.transaction(async (tx) => { await tx.updateConnection(…); await tx.events.record(…) })`.
   */
  transaction<T>(fn: (tx: Store) => Promise<T>): Promise<T> {
    if (this.db.isTransaction) return fn(this)
    return this.db.transaction().execute((trx) => fn(new Store(trx, this.adapter, this.connections.cache ?? null)))
  }

  /** Which SQL engine this store runs on. */
  get dialect(): StoreDialect {
    return this.adapter.name
  }

  /** True while {@link migrate} runs in this process (`GET /ready` answers 503 then). */
  migrating = false

  /** Brings the schema up to date. Safe to call on every start. */
  async migrate(): Promise<void> {
    const migrator = new Migrator({ db: this.db, provider: migrationProvider })
    this.migrating = true
    const { error, results } = await migrator.migrateToLatest().finally(() => {
      this.migrating = false
    })
    if (error) {
      const failed = results?.find((r) => r.status === 'Error')?.migrationName
      throw new Error(`Database migration ${failed ?? ''} failed: ${(error as Error).message ?? String(error)}`, { cause: error })
    }
  }

  /** Closes the connection pool or file. */
  async close(): Promise<void> {
    await this.db.destroy()
  }

  // --- tenants and API keys (tenant-store.ts) -----------------------------------------------

  /** Creates a tenant. */
  createTenant(tenant: TenantRow): Promise<void> {
    return this.tenants.createTenant(tenant)
  }

  /** Finds a tenant by name (the first one when several share it). */
  findTenantByName(name: string): Promise<TenantRow | undefined> {
    return this.tenants.findTenantByName(name)
  }

  /** Number of tenants. */
  countTenants(): Promise<number> {
    return this.tenants.countTenants()
  }

  /** Stores a new API key hash. */
  createApiKey(key: NewApiKeyRow): Promise<void> {
    return this.tenants.createApiKey(key)
  }

  /** The tenant owning the key with this hash, if any. */
  findApiKeyByHash(keyHash: string): Promise<ApiKeyRow | undefined> {
    return this.tenants.findApiKeyByHash(keyHash)
  }

  // --- connections (connection-store.ts) ----------------------------------------------------

  /**
   * Inserts a connection.
   * @throws {PatchbayError} NAME_EXISTS when the tenant already has a connection with that name.
   */
  insertConnection(row: ConnectionRow, event?: ConnectionEventNote): Promise<void> {
    return this.connections.insertConnection(row, event)
  }

  /** A tenant's connection by id; another tenant's id is indistinguishable from an unknown one. */
  getConnection(tenantId: string, id: string): Promise<ConnectionRow | undefined> {
    return this.connections.getConnection(tenantId, id)
  }

  /** A row known current without a read, else undefined (see {@link ConnectionStore.currentConnection}). */
  currentConnection(tenantId: string, id: string): ConnectionRow | undefined {
    return this.connections.currentConnection(tenantId, id)
  }

  /** Applies `patch` and bumps the version, optionally only at `expectedVersion` (see {@link ConnectionStore.updateConnection}). */
  updateConnection(tenantId: string, id: string, patch: ConnectionPatch, expectedVersion?: number, event?: ConnectionEventNote): Promise<ConnectionRow | undefined> {
    return this.connections.updateConnection(tenantId, id, patch, expectedVersion, event)
  }

  /** Runs a read-check-write on one connection that must not race another process (see {@link ConnectionStore.withConnectionLock}). */
  withConnectionLock<T>(
    tenantId: string,
    id: string,
    fn: (
      current: ConnectionRow | undefined,
      update: (patch: ConnectionPatch, expectedVersion: number, event?: ConnectionEventNote) => Promise<ConnectionRow | undefined>,
    ) => Promise<T>,
  ): Promise<T> {
    return this.connections.withConnectionLock(tenantId, id, fn)
  }

  /** Deletes a tenant's connection; false when there was none. */
  deleteConnection(tenantId: string, id: string): Promise<boolean> {
    return this.connections.deleteConnection(tenantId, id)
  }

  /** A page of a tenant's connections, newest first, optionally filtered by a name substring and by end user. */
  listConnections(tenantId: string, options: ListConnectionsOptions): Promise<ConnectionPage> {
    return this.connections.listConnections(tenantId, options)
  }

  /** Deletes PENDING connections whose `expires_at` has passed; returns how many. */
  deleteExpiredPending(now: Date): Promise<number> {
    return this.connections.deleteExpiredPending(now)
  }

  /** Sets (array) or clears (null) the action scope of a tenant's connection. */
  setActionScope(tenantId: string, connectionId: string, actions: readonly string[] | null): Promise<void> {
    return this.connections.setActionScope(tenantId, connectionId, actions)
  }

  /** Action scopes of a tenant's connections (all of them, or those listed), by connection id. */
  getActionScopes(tenantId: string, connectionIds?: readonly string[]): Promise<Map<string, string[]>> {
    return this.connections.getActionScopes(tenantId, connectionIds)
  }

  // --- OAuth apps and authorizations in flight (oauth-store.ts) -----------------------------

  /** Creates or replaces a tenant's OAuth app for an integration. */
  upsertOAuthApp(row: OAuthAppRow): Promise<void> {
    return this.oauth.upsertOAuthApp(row)
  }

  /** A tenant's OAuth app for an integration. */
  getOAuthApp(tenantId: string, integrationId: string): Promise<OAuthAppRow | undefined> {
    return this.oauth.getOAuthApp(tenantId, integrationId)
  }

  /** A tenant's OAuth apps. */
  listOAuthApps(tenantId: string): Promise<OAuthAppRow[]> {
    return this.oauth.listOAuthApps(tenantId)
  }

  /** Deletes a tenant's OAuth app; false when there was none. */
  deleteOAuthApp(tenantId: string, integrationId: string): Promise<boolean> {
    return this.oauth.deleteOAuthApp(tenantId, integrationId)
  }

  /** Records an authorization in flight. */
  insertOAuthState(row: OAuthStateRow): Promise<void> {
    return this.oauth.insertOAuthState(row)
  }

  /** Marks a state used and returns it, atomically (see {@link OAuthStore.consumeOAuthState}). */
  consumeOAuthState(stateHash: string, now: Date): Promise<{ row: OAuthStateRow; firstUse: boolean } | undefined> {
    return this.oauth.consumeOAuthState(stateHash, now)
  }

  /** Deletes authorizations that expired more than a day ago (kept a while to recognise replays). */
  deleteOldOAuthStates(before: Date): Promise<number> {
    return this.oauth.deleteOldOAuthStates(before)
  }

  // --- asynchronous runs (run-store.ts) -----------------------------------------------------

  /** Records a run that has started. */
  insertRun(row: RunRow): Promise<void> {
    return this.runs.insertRun(row)
  }

  /** Stores a run's final body. */
  completeRun(id: string, status: string, result: unknown): Promise<void> {
    return this.runs.completeRun(id, status, result)
  }

  /** A tenant's run by id. */
  getRun(tenantId: string, id: string): Promise<RunRow | undefined> {
    return this.runs.getRun(tenantId, id)
  }

  /** Fails runs a dead process left IN_PROGRESS and deletes old ones (see {@link RunStore.sweepRuns}). */
  sweepRuns(staleBefore: Date, olderThan: Date): Promise<void> {
    return this.runs.sweepRuns(staleBefore, olderThan)
  }

  // --- tenant integrations (tenant-integration-store.ts) ------------------------------------

  /** Creates or replaces a tenant's runtime integration (same tenant and id). */
  upsertTenantIntegration(row: TenantIntegrationRow): Promise<void> {
    return this.tenantIntegrations.upsertTenantIntegration(row)
  }

  /** A tenant's runtime integration by slug id or wire id. */
  getTenantIntegration(tenantId: string, idOrModelId: string): Promise<TenantIntegrationRow | undefined> {
    return this.tenantIntegrations.getTenantIntegration(tenantId, idOrModelId)
  }

  /** A tenant's runtime integrations, by name. */
  listTenantIntegrations(tenantId: string): Promise<TenantIntegrationRow[]> {
    return this.tenantIntegrations.listTenantIntegrations(tenantId)
  }

  /** Deletes a tenant's runtime integration; false when there was none. */
  deleteTenantIntegration(tenantId: string, id: string): Promise<boolean> {
    return this.tenantIntegrations.deleteTenantIntegration(tenantId, id)
  }
}

function defaultConnectionCache(db: Kysely<Database>, adapter: DialectAdapter): ConnectionCache | undefined {
  if (adapter.name === 'postgres') return new ConnectionCache({ mode: 'verify' })
  // Without SQLite's change counter another process's write could go unnoticed: no cache.
  const changeToken = sqliteChangeToken(db)
  return changeToken ? new ConnectionCache({ mode: 'in-process', changeToken }) : undefined
}

/**
 * Opens a store from a database URL: `postgres://…` / `postgresql://…` for PostgreSQL, anything
 * else (optionally `sqlite:` prefixed) is a SQLite file path, created if missing; its folder must exist.
 * The URL also picks the store's dialect adapter.
 */
export function openStore(databaseUrl: string, options: { poolSize?: number } = {}): Store {
  if (/^postgres(ql)?:\/\//.test(databaseUrl)) return new Store(openPostgres(databaseUrl, options.poolSize ?? 10), postgresAdapter)
  return new Store(openSqlite(databaseUrl.replace(/^sqlite:(\/\/)?/, '')), sqliteAdapter)
}
