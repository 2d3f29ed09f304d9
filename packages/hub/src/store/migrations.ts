import type { Kysely, Migration, MigrationProvider } from 'kysely'
import { PostgresAdapter, sql } from './kysely.js'

/**
 * Every schema migration, in order. Migrations are append-only: never edit one that has shipped.
 * Types are chosen to behave the same on SQLite and PostgreSQL (text timestamps in ISO 8601 UTC).
 */
const migrations: Record<string, Migration> = {
  '0001_initial': {
    async up(db: Kysely<any>) {
      await db.schema
        .createTable('tenants')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .execute()
      await db.schema
        .createTable('api_keys')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id').onDelete('cascade'))
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('key_hash', 'text', (c) => c.notNull().unique())
        .addColumn('prefix', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .execute()
      await db.schema
        .createTable('connections')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id').onDelete('cascade'))
        .addColumn('integration_id', 'text', (c) => c.notNull())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('description', 'text', (c) => c.notNull())
        .addColumn('auth_scheme', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('status_reason', 'text')
        .addColumn('config', 'text', (c) => c.notNull())
        .addColumn('secrets', 'text')
        .addColumn('version', 'integer', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .addColumn('expires_at', 'text')
        .addUniqueConstraint('connections_tenant_name', ['tenant_id', 'name'])
        .execute()
      await db.schema.createIndex('connections_tenant_created').on('connections').columns(['tenant_id', 'created_at']).execute()
      await db.schema
        .createTable('runs')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('tenant_id', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('result', 'text')
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('completed_at', 'text')
        .execute()
      await db.schema.createIndex('runs_created').on('runs').column('created_at').execute()
    },
  },
  '0002_oauth': {
    async up(db: Kysely<any>) {
      // OAuth app credentials (client id/secret, consumer key/secret) per tenant and integration.
      await db.schema
        .createTable('oauth_apps')
        .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id').onDelete('cascade'))
        .addColumn('integration_id', 'text', (c) => c.notNull())
        .addColumn('client_id', 'text', (c) => c.notNull())
        .addColumn('secret', 'text', (c) => c.notNull())
        .addColumn('scopes', 'text')
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('oauth_apps_pk', ['tenant_id', 'integration_id'])
        .execute()
      // One row per authorization in flight; the key is a hash of the state (OAuth 2) or of the
      // temporary token (OAuth 1), never the value itself.
      await db.schema
        .createTable('oauth_states')
        .addColumn('state_hash', 'text', (c) => c.primaryKey())
        .addColumn('tenant_id', 'text', (c) => c.notNull())
        .addColumn('connection_id', 'text', (c) => c.notNull())
        .addColumn('secret', 'text', (c) => c.notNull())
        .addColumn('expires_at', 'text', (c) => c.notNull())
        .addColumn('used_at', 'text')
        .addColumn('created_at', 'text', (c) => c.notNull())
        .execute()
      await db.schema.createIndex('oauth_states_expires').on('oauth_states').column('expires_at').execute()
      // Plaintext expiry so refresh decisions need no decryption.
      await db.schema.alterTable('connections').addColumn('token_expires_at', 'text').execute()
    },
  },
  '0003_tenant_integrations': {
    async up(db: Kysely<any>) {
      // Integration definitions a tenant registered at run time (e.g. imported from OpenAPI),
      // visible to that tenant only. `definition` is the validated definition as JSON text.
      await db.schema
        .createTable('tenant_integrations')
        .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id').onDelete('cascade'))
        .addColumn('id', 'text', (c) => c.notNull())
        .addColumn('model_id', 'text', (c) => c.notNull())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('definition', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('tenant_integrations_pk', ['tenant_id', 'id'])
        .addUniqueConstraint('tenant_integrations_model', ['tenant_id', 'model_id'])
        .execute()
      // The actions of a connection that agents may use (MCP server, tool schemas); no row: all.
      await db.schema
        .createTable('connection_action_scopes')
        .addColumn('connection_id', 'text', (c) => c.primaryKey().references('connections.id').onDelete('cascade'))
        .addColumn('tenant_id', 'text', (c) => c.notNull())
        .addColumn('actions', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .execute()
    },
  },
  '0004_hardening': {
    async up(db: Kysely<any>) {
      // The check value a hub seals at first start, to detect a wrong master key at the next one
      // (vault/master-key-check.ts); rotation re-seals it with the other sealed columns.
      await db.schema
        .createTable('vault_check')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('secret', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .execute()
      // API keys were listed by their first 7 characters, which weakens a short user-chosen key;
      // they are now named by a fingerprint of their hash (tenants/api-keys.ts keyFingerprint).
      await db.updateTable('api_keys').set({ prefix: sql<string>`'fp_' || substr(key_hash, 1, 12)` }).execute()
    },
  },
  '0005_operate_keys_and_run_log': {
    async up(db: Kysely<any>) {
      // Key scopes (tenants/key-scopes.ts); every key made before scopes existed keeps `admin`.
      await db.schema
        .alterTable('api_keys')
        .addColumn('scopes', 'text', (c) => c.notNull().defaultTo('admin'))
        .execute()
      // Bumped on every revocation, read per request, so no process serves a revoked key from cache.
      await db.schema
        .createTable('key_epoch')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('value', 'integer', (c) => c.notNull())
        .execute()
      await db.insertInto('key_epoch').values({ id: 'keys', value: 0 }).execute()
      // One row per action run (connections/run-log.ts); inputs/outputs only as opt-in excerpts.
      await db.schema
        .createTable('run_log')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('tenant_id', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('connection_id', 'text', (c) => c.notNull())
        .addColumn('end_user_id', 'text')
        .addColumn('integration_id', 'text', (c) => c.notNull())
        .addColumn('action', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('http_status', 'integer')
        .addColumn('duration_ms', 'integer', (c) => c.notNull())
        .addColumn('error_code', 'text')
        .addColumn('error_message', 'text')
        .addColumn('key_id', 'text')
        .addColumn('input_excerpt', 'text')
        .addColumn('output_excerpt', 'text')
        .execute()
      await db.schema.createIndex('run_log_tenant_id').on('run_log').columns(['tenant_id', 'id']).execute()
      await db.schema.createIndex('run_log_created_at').on('run_log').columns(['created_at']).execute()
      await db.schema
        .createTable('tenant_settings')
        .addColumn('tenant_id', 'text', (c) => c.primaryKey())
        .addColumn('run_log_excerpts', 'integer', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .execute()
    },
  },
  '0006_events_outbox': {
    async up(db: Kysely<any>) {
      // The events feed (its cursor is `seq`) and the webhook outbox (events/ and store/event-store.ts).
      const postgres = isPostgres(db)
      await db.schema
        .createTable('events')
        .addColumn('seq', postgres ? 'bigserial' : 'integer', (c) => (postgres ? c.primaryKey() : c.primaryKey().autoIncrement()))
        .addColumn('id', 'text', (c) => c.notNull().unique())
        .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id').onDelete('cascade'))
        .addColumn('type', 'text', (c) => c.notNull())
        .addColumn('data', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .execute()
      await db.schema.createIndex('events_tenant_seq').on('events').columns(['tenant_id', 'seq']).execute()
      await db.schema.createIndex('events_created').on('events').column('created_at').execute()
      await db.schema
        .createTable('webhook_endpoints')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id').onDelete('cascade'))
        .addColumn('url', 'text', (c) => c.notNull())
        .addColumn('events', 'text')
        .addColumn('secret', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .execute()
      await db.schema
        .createTable('webhook_deliveries')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('tenant_id', 'text', (c) => c.notNull())
        .addColumn('endpoint_id', 'text', (c) => c.notNull().references('webhook_endpoints.id').onDelete('cascade'))
        .addColumn('event_id', 'text', (c) => c.notNull().references('events.id').onDelete('cascade'))
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('attempts', 'integer', (c) => c.notNull())
        .addColumn('next_attempt_at', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .execute()
      await db.schema.createIndex('webhook_deliveries_due').on('webhook_deliveries').columns(['status', 'next_attempt_at']).execute()
      await db.schema.createIndex('webhook_deliveries_tenant').on('webhook_deliveries').columns(['tenant_id', 'created_at']).execute()
      await db.schema
        .createTable('webhook_attempts')
        .addColumn('delivery_id', 'text', (c) => c.notNull().references('webhook_deliveries.id').onDelete('cascade'))
        .addColumn('attempt', 'integer', (c) => c.notNull())
        .addColumn('tenant_id', 'text', (c) => c.notNull())
        .addColumn('at', 'text', (c) => c.notNull())
        .addColumn('status_code', 'integer')
        .addColumn('error', 'text')
        .addColumn('duration_ms', 'integer', (c) => c.notNull())
        .addPrimaryKeyConstraint('webhook_attempts_pk', ['delivery_id', 'attempt'])
        .execute()
    },
  },
  '0007_connect_sessions': {
    async up(db: Kysely<any>) {
      // Connect sessions (connections/connect-sessions.ts): only the SHA-256 of the token is kept.
      await db.schema
        .createTable('connect_sessions')
        .addColumn('token_hash', 'text', (c) => c.primaryKey())
        .addColumn('id', 'text', (c) => c.notNull().unique())
        .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id').onDelete('cascade'))
        .addColumn('end_user_id', 'text', (c) => c.notNull())
        .addColumn('end_user_email', 'text')
        .addColumn('end_user_display_name', 'text')
        .addColumn('allowed_integrations', 'text')
        .addColumn('tags', 'text')
        .addColumn('success_redirect_url', 'text')
        .addColumn('error_redirect_url', 'text')
        .addColumn('reconnect_connection_id', 'text')
        .addColumn('connection_id', 'text')
        .addColumn('started_version', 'integer')
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('expires_at', 'text', (c) => c.notNull())
        .addColumn('used_at', 'text')
        .execute()
      await db.schema.createIndex('connect_sessions_expires').on('connect_sessions').column('expires_at').execute()
      // The end user a connection belongs to, and the tags its Connect session gave it.
      await db.schema.alterTable('connections').addColumn('end_user_id', 'text').execute()
      await db.schema.alterTable('connections').addColumn('tags', 'text').execute()
      await db.schema.createIndex('connections_tenant_end_user').on('connections').columns(['tenant_id', 'end_user_id']).execute()
      // Per-tenant Connect page settings: origins allowed to embed it or be redirected to, branding.
      await db.schema
        .createTable('tenant_connect_settings')
        .addColumn('tenant_id', 'text', (c) => c.primaryKey().references('tenants.id').onDelete('cascade'))
        .addColumn('allowed_origins', 'text', (c) => c.notNull())
        .addColumn('product_name', 'text')
        .addColumn('logo_url', 'text')
        .addColumn('accent_color', 'text')
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .execute()
    },
  },
  '0008_trigger_instances': {
    async up(db: Kysely<any>) {
      // Trigger instances on connections and aiXplain's v1 triggers (store/trigger-store.ts).
      await db.schema
        .createTable('trigger_instances')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id').onDelete('cascade'))
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('connection_id', 'text', (c) => c.references('connections.id').onDelete('cascade'))
        .addColumn('integration_id', 'text')
        .addColumn('slug', 'text')
        .addColumn('type', 'text', (c) => c.notNull())
        .addColumn('config', 'text', (c) => c.notNull())
        .addColumn('secret', 'text')
        .addColumn('inbound_token_hash', 'text')
        .addColumn('enabled', 'integer', (c) => c.notNull())
        .addColumn('configuration', 'text')
        .addColumn('next_run_at', 'text')
        .addColumn('last_run_at', 'text')
        .addColumn('state', 'text')
        .addColumn('failures', 'integer', (c) => c.notNull())
        .addColumn('last_error', 'text')
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .addColumn('name', 'text')
        .addColumn('input', 'text')
        .addColumn('asset_type', 'text')
        .addColumn('asset_id', 'text')
        .addColumn('trigger_type', 'text')
        .addColumn('source_trigger_id', 'text')
        .addColumn('notifications', 'integer', (c) => c.notNull())
        .addColumn('description', 'text')
        .addColumn('retry_count', 'integer')
        .execute()
      await db.schema.createIndex('trigger_instances_tenant').on('trigger_instances').columns(['tenant_id', 'connection_id']).execute()
      await db.schema.createIndex('trigger_instances_due').on('trigger_instances').columns(['enabled', 'next_run_at']).execute()
      await db.schema.createIndex('trigger_instances_inbound').on('trigger_instances').column('inbound_token_hash').execute()
      await db.schema.createIndex('trigger_instances_source').on('trigger_instances').columns(['tenant_id', 'source_trigger_id']).execute()
    },
  },
  '0009_connections_listing': {
    async up(db: Kysely<any>) {
      // A tenant's connections in listing order (newest first, ties by id; connection-store.ts
      // listConnections), with the id: a page is read from the index alone, skipped rows included.
      // connections_tenant_created (0001) is a prefix of it and stays: nothing the hub shipped is dropped.
      await db.schema.createIndex('connections_tenant_listing').on('connections').columns(['tenant_id', 'created_at desc', 'id']).execute()
    },
  },
}

/** Whether a migration runs on PostgreSQL (autoincrement columns are spelled differently). */
function isPostgres(db: Kysely<any>): boolean {
  return db.getExecutor().adapter instanceof PostgresAdapter
}

/** Serves {@link migrations} to Kysely's Migrator without reading files at run time. */
export const migrationProvider: MigrationProvider = {
  async getMigrations() {
    return migrations
  },
}
