import { performance } from 'node:perf_hooks'
import SQLite from 'better-sqlite3'
import pg from 'pg'
import { createApiKey, openStore, parseMasterKey, Vault } from '@patchbay/hub'
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

/** Where the seed's time went, in seconds. */
export interface SeedPhases {
  /** Tenants and their API keys, through the hub's own `createApiKey`. */
  tenants: number
  /** Building and sealing the rows (the vault's AES-256-GCM, one random nonce per row). */
  seal: number
  /** The bulk load itself, with every index the hub has in place, and the commit. */
  insert: number
  /** After the load: SQLite's WAL checkpoint, PostgreSQL's VACUUM ANALYZE. */
  finish: number
}

/** What {@link seedConnections} did. */
export interface SeedResult {
  tenants: SeededTenant[]
  rows: number
  seconds: number
  phases: SeedPhases
}

/** The columns every seeded row varies in; the others are the same for all (see {@link CONSTANT}). */
interface SeedRow {
  id: string
  tenantId: string
  integrationId: string
  name: string
  secrets: string
  at: string
}

/** The columns a seeded row shares with every other: an ACTIVE API_KEY connection, as a connect stores it. */
const CONSTANT = {
  description: 'Seeded by the benchmarks\n\n Authentication scheme used for this connections: API_KEY',
  auth_scheme: 'API_KEY',
  status: 'ACTIVE',
  config: '{}',
  version: 1,
} as const

/** Rows per batch: one SQLite transaction, or one PostgreSQL `INSERT … SELECT FROM unnest(…)`. */
const BATCH = 10_000
/** SQLite page cache of the seeding connection (KiB, as `cache_size` takes it negative): the indexes of 1M rows fit. */
const SQLITE_CACHE_KIB = 256 * 1024

/**
 * Seeds tenants (each with an API key) and connections straight into the store: 1,000,000 in about
 * 45 s on either database on this 2-core machine alone (1.5–3 minutes while it is shared), where a
 * million connect calls would take minutes more and measure scenario 2 again.
 *
 * Every row is a real API_KEY connection, its secret sealed by the vault bound to its tenant and id
 * with a fresh nonce, exactly as a connect stores it: the hub opens any of them. Rows go to the
 * tenants round-robin, so a tenant's connections are spread through the table and its indexes as
 * they would be after years of connects from many tenants (not one tenant's rows in a block). The
 * load runs with every index and constraint of the hub's schema in place (nothing is dropped and
 * rebuilt), in batches built while the previous one is written:
 *
 * - SQLite: better-sqlite3 directly, one prepared INSERT, a transaction per batch, and a page
 *   cache the indexes fit in (the default 2 MB made 1M rows take 709 s, re-reading index pages
 *   from the WAL on every insert). The hub reopens the file with its own settings.
 * - PostgreSQL: `INSERT … SELECT FROM unnest($1::text[], …)`, one statement and six array
 *   parameters per batch (the constant columns are scalar parameters), in one transaction; then
 *   `VACUUM ANALYZE`, which autovacuum would run soon after a load this size.
 */
export async function seedConnections(config: SeedConfig): Promise<SeedResult> {
  const started = performance.now()
  const phases: SeedPhases = { tenants: 0, seal: 0, insert: 0, finish: 0 }
  const tenants: SeededTenant[] = []
  const store = openStore(config.databaseUrl)
  const postgres = store.dialect === 'postgres'
  try {
    await store.migrate()
    for (let t = 0; t < config.tenants; t++) {
      const { key, tenantId } = await createApiKey(store, { name: 'bench', tenantName: `bench-tenant-${String(t).padStart(4, '0')}` })
      // Round-robin: the first `connections % tenants` tenants get one more, so every connection is placed.
      const count = Math.floor(config.connections / config.tenants) + (t < config.connections % config.tenants ? 1 : 0)
      tenants.push({ tenantId, apiKey: key, count, middleConnectionId: '' })
    }
  } finally {
    await store.close()
  }
  phases.tenants = (performance.now() - started) / 1000

  const vault = new Vault([parseMasterKey(config.masterKey)])
  const base = Date.parse('2026-01-01T00:00:00.000Z')
  let n = 0
  /** The next batch of rows, sealed; empty when all are built. */
  const nextBatch = (): SeedRow[] => {
    const t0 = performance.now()
    const rows: SeedRow[] = []
    for (; n < config.connections && rows.length < BATCH; n++) {
      const tenant = tenants[n % tenants.length] as SeededTenant
      const j = Math.floor(n / tenants.length)
      const id = (n + 1).toString(16).padStart(24, '0')
      // Listing is newest first: the tenant's connection j sits at position count - 1 - j.
      if (tenant.count - 1 - j === Math.floor(tenant.count / 2)) tenant.middleConnectionId = id
      rows.push({
        id,
        tenantId: tenant.tenantId,
        integrationId: config.integrationIds[n % config.integrationIds.length] as string,
        name: `bench connection ${j}`,
        secrets: vault.seal({ api_key: ECHO_API_KEY }, { tenantId: tenant.tenantId, connectionId: id }),
        at: new Date(base + n).toISOString(),
      })
    }
    phases.seal += (performance.now() - t0) / 1000
    return rows
  }
  const load = postgres ? loadPostgres : loadSqlite
  await load(config.databaseUrl, nextBatch, phases)
  return { tenants, rows: n, seconds: (performance.now() - started) / 1000, phases }
}

type Batches = () => SeedRow[]

async function loadSqlite(file: string, nextBatch: Batches, phases: SeedPhases): Promise<void> {
  const db = new SQLite(file)
  try {
    db.pragma('journal_mode = WAL')
    db.pragma('synchronous = NORMAL')
    db.pragma('foreign_keys = ON')
    db.pragma(`cache_size = -${SQLITE_CACHE_KIB}`)
    const insert = db.prepare(
      `INSERT INTO connections (id, tenant_id, integration_id, name, description, auth_scheme, status, status_reason, config, secrets,
         version, created_at, updated_at, expires_at, token_expires_at, end_user_id, tags)
       VALUES (?, ?, ?, ?, ?, ?, ?, NULL, ?, ?, ?, ?, ?, NULL, NULL, NULL, NULL)`,
    )
    const c = CONSTANT
    const write = db.transaction((rows: SeedRow[]) => {
      for (const r of rows) insert.run(r.id, r.tenantId, r.integrationId, r.name, c.description, c.auth_scheme, c.status, c.config, r.secrets, c.version, r.at, r.at)
    })
    // better-sqlite3 is synchronous: building a batch and writing it cannot overlap here.
    for (let rows = nextBatch(); rows.length; rows = nextBatch()) {
      const t0 = performance.now()
      write(rows)
      phases.insert += (performance.now() - t0) / 1000
    }
    const t0 = performance.now()
    db.pragma('wal_checkpoint(TRUNCATE)')
    phases.finish = (performance.now() - t0) / 1000
  } finally {
    db.close()
  }
}

async function loadPostgres(url: string, nextBatch: Batches, phases: SeedPhases): Promise<void> {
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  try {
    const c = CONSTANT
    const text = `INSERT INTO connections (id, tenant_id, integration_id, name, secrets, created_at, updated_at, description, auth_scheme, status, config, version)
      SELECT id, tenant_id, integration_id, name, secrets, at, at, $7, $8, $9, $10, $11
      FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[]) AS r(id, tenant_id, integration_id, name, secrets, at)`
    const write = (rows: SeedRow[]) =>
      client.query({
        // Named: parsed and planned once for the whole load.
        name: 'patchbay-bench-seed',
        text,
        values: [
          rows.map((r) => r.id),
          rows.map((r) => r.tenantId),
          rows.map((r) => r.integrationId),
          rows.map((r) => r.name),
          rows.map((r) => r.secrets),
          rows.map((r) => r.at),
          c.description,
          c.auth_scheme,
          c.status,
          c.config,
          c.version,
        ],
      })
    await client.query('BEGIN')
    const t0 = performance.now()
    // The next batch is sealed while the server writes the previous one.
    let pending: Promise<unknown> | undefined
    for (let rows = nextBatch(); rows.length; rows = nextBatch()) {
      await pending
      pending = write(rows)
    }
    await pending
    await client.query('COMMIT')
    phases.insert = (performance.now() - t0) / 1000 - phases.seal
    const t1 = performance.now()
    // Fresh planner statistics and visibility map, as autovacuum would leave them soon after a bulk load.
    await client.query('VACUUM ANALYZE connections')
    phases.finish = (performance.now() - t1) / 1000
  } catch (err) {
    await client.query('ROLLBACK').catch(() => {})
    throw err
  } finally {
    await client.end()
  }
}
