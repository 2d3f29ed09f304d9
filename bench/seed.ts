import { performance } from 'node:perf_hooks'
import { sql } from 'kysely'
import { createApiKey, openStore, parseMasterKey, Vault, type ConnectionRow } from '@patchbay/hub'
import { ECHO_API_KEY } from './catalog.js'

/** What {@link seedConnections} creates. */
export interface SeedConfig {
  /** SQLite file path or `postgres://…` URL (the hub's PATCHBAY_DATABASE_URL). */
  databaseUrl: string
  /** Master key (base64) the hub will run with, so the sealed secrets open. */
  masterKey: string
  /** Wire ids of the integrations the connections belong to (round-robin). */
  integrationIds: readonly string[]
  tenants: number
  connections: number
}

/** A seeded tenant: its API key and some of its connection ids. */
export interface SeededTenant {
  tenantId: string
  apiKey: string
  /** Number of connections it owns. */
  count: number
  /** The id of its connection in the middle of its newest-first listing. */
  middleConnectionId: string
}

/** What {@link seedConnections} did. */
export interface SeedResult {
  tenants: SeededTenant[]
  rows: number
  seconds: number
}

/** Rows per INSERT: 15 columns × 1,000 rows stays under SQLite's and PostgreSQL's bind-parameter limits. */
const BATCH = 1_000

/**
 * Seeds tenants (each with an API key) and connections straight into the store with multi-row
 * INSERTs in one transaction: 100,000 connections in seconds, where 100,000 connect calls would
 * take minutes and measure scenario 2 again. Rows are built batch by batch, so a million of them
 * (`--scale 1000000`) never sit in memory at once. Every row is a real API_KEY connection, its secret
 * sealed by the vault bound to its tenant and id, exactly as a connect stores it.
 */
export async function seedConnections(config: SeedConfig): Promise<SeedResult> {
  const started = performance.now()
  const store = openStore(config.databaseUrl)
  try {
    await store.migrate()
    const vault = new Vault([parseMasterKey(config.masterKey)])
    const tenants: SeededTenant[] = []
    const base = Date.parse('2026-01-01T00:00:00.000Z')
    // Tenants and keys first: on SQLite the store has one connection, which the transaction below holds.
    for (let t = 0; t < config.tenants; t++) {
      const { key, tenantId } = await createApiKey(store, { name: 'bench', tenantName: `bench-tenant-${String(t).padStart(4, '0')}` })
      // The remainder goes to the first tenants, so every connection is placed.
      const count = Math.floor(config.connections / config.tenants) + (t < config.connections % config.tenants ? 1 : 0)
      tenants.push({ tenantId, apiKey: key, count, middleConnectionId: '' })
    }
    let n = 0
    await store.db.transaction().execute(async (trx) => {
      let rows: ConnectionRow[] = []
      for (const tenant of tenants) {
        const { tenantId, count } = tenant
        for (let j = 0; j < count; j++, n++) {
          const id = (n + 1).toString(16).padStart(24, '0')
          // Listing is newest first: connection j sits at position count - 1 - j.
          if (count - 1 - j === Math.floor(count / 2)) tenant.middleConnectionId = id
          const at = new Date(base + n).toISOString()
          rows.push({
            id,
            tenant_id: tenantId,
            integration_id: config.integrationIds[n % config.integrationIds.length] as string,
            name: `bench connection ${j}`,
            description: 'Seeded by the benchmarks\n\n Authentication scheme used for this connections: API_KEY',
            auth_scheme: 'API_KEY',
            status: 'ACTIVE',
            status_reason: null,
            config: '{}',
            secrets: vault.seal({ api_key: ECHO_API_KEY }, { tenantId, connectionId: id }),
            version: 1,
            created_at: at,
            updated_at: at,
            expires_at: null,
            token_expires_at: null,
          })
          if (rows.length === BATCH) {
            await trx.insertInto('connections').values(rows).execute()
            rows = []
          }
        }
      }
      if (rows.length) await trx.insertInto('connections').values(rows).execute()
    })
    // Fresh planner statistics, as autovacuum would gather soon after a bulk load.
    if (store.dialect === 'postgres') await sql`ANALYZE connections`.execute(store.db)
    return { tenants, rows: n, seconds: (performance.now() - started) / 1000 }
  } finally {
    await store.close()
  }
}
