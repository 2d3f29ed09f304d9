import { watchPool } from '../metrics/metrics.js'
import { createHash } from 'node:crypto'
import { createRequire } from 'node:module'
import { Kysely, PostgresDialect, sql } from './kysely.js'
import type pg from 'pg'
import type { DialectAdapter } from './dialect.js'
import type { Database } from './schema.js'
import { TextGuardPlugin } from './text-guards.js'

/**
 * The 64-bit PostgreSQL advisory lock key of a name: the first 8 bytes of SHA-256 of
 * `patchbay:<name>`, as a signed bigint (the type `pg_advisory_lock` takes).
 */
export function advisoryLockKey(name: string): bigint {
  return createHash('sha256').update(`patchbay:${name}`).digest().readBigInt64BE(0)
}

/**
 * PostgreSQL's locks. A row lock is a transaction holding the row with `SELECT … FOR UPDATE`, so
 * hub processes queue on the row and each sees the previous one's write. An advisory lock is a
 * session-level lock held on a connection of its own for the duration of `fn` (`fn` uses the
 * other pooled connections as usual); a process that dies while holding it releases it with its
 * session.
 *
 * @see https://www.postgresql.org/docs/current/explicit-locking.html#ADVISORY-LOCKS
 */
export const postgresAdapter: DialectAdapter = {
  name: 'postgres',
  withRowLock: (db, fn) => db.transaction().execute((trx) => fn(trx, true)),
  async withAdvisoryLock(db, name, fn) {
    const key = advisoryLockKey(name).toString()
    return db.connection().execute(async (conn) => {
      await sql`select pg_advisory_lock(${key}::bigint)`.execute(conn)
      try {
        return await fn()
      } finally {
        await sql`select pg_advisory_unlock(${key}::bigint)`.execute(conn)
      }
    })
  },
}

/** Opens a Kysely instance on a pool of `poolSize` connections to a `postgres://` URL. */
export function openPostgres(databaseUrl: string, poolSize: number): Kysely<Database> {
  // `pg` is loaded only for a PostgreSQL URL: a SQLite hub never pays for it (memory, start-up).
  const { Pool } = createRequire(import.meta.url)('pg') as typeof pg
  const pool = new Pool({ connectionString: databaseUrl, max: poolSize })
  // An idle client losing its connection must not crash the process.
  pool.on('error', () => {})
  // Nor a client that is checked out but between queries (a transaction, pg-boss's work) when the
  // server ends its session: the pool listens only to idle clients, so each client gets its own
  // listener; the query in flight, if any, still fails with the error.
  pool.on('connect', (client) => {
    client.on('error', () => {})
  })
  watchPool(() => (pool.ended ? undefined : { total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount }))
  return new Kysely<Database>({ dialect: new PostgresDialect({ pool }), plugins: [new TextGuardPlugin()] })
}
