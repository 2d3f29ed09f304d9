import { createHash } from 'node:crypto'
import { sql } from 'kysely'
import type { Store } from './store.js'

/**
 * The 64-bit PostgreSQL advisory lock key of a name: the first 8 bytes of SHA-256 of
 * `patchbay:<name>`, as a signed bigint (the type `pg_advisory_lock` takes).
 */
export function advisoryLockKey(name: string): bigint {
  return createHash('sha256').update(`patchbay:${name}`).digest().readBigInt64BE(0)
}

/**
 * Runs `fn` while holding a cluster-wide lock called `name`, so that of several hub processes
 * starting at once only one at a time does it (e.g. seeding the bootstrap API key, which must
 * not create the `default` tenant twice).
 *
 * On PostgreSQL this is a session-level advisory lock held on a connection of its own for the
 * duration of `fn` (`fn` uses the store's other pooled connections as usual); a process that dies
 * while holding it releases it with its session. On SQLite, a single-process database, `fn` just
 * runs.
 *
 * @example
 * ```ts
 * await withAdvisoryLock(store, 'startup', () => ensureBootstrapKey(store, key))
 * ```
 * @see https://www.postgresql.org/docs/current/explicit-locking.html#ADVISORY-LOCKS
 */
export async function withAdvisoryLock<T>(store: Store, name: string, fn: () => Promise<T>): Promise<T> {
  if (store.dialect !== 'postgres') return fn()
  const key = advisoryLockKey(name).toString()
  return store.db.connection().execute(async (conn) => {
    await sql`select pg_advisory_lock(${key}::bigint)`.execute(conn)
    try {
      return await fn()
    } finally {
      await sql`select pg_advisory_unlock(${key}::bigint)`.execute(conn)
    }
  })
}
