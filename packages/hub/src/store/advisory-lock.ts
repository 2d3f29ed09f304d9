import type { Store } from './store.js'

export { advisoryLockKey } from './postgres-dialect.js'

/**
 * Runs `fn` while holding a cluster-wide lock called `name`, so that of several hub processes
 * starting at once only one at a time does it (e.g. seeding the bootstrap API key, which must
 * not create the `default` tenant twice).
 *
 * On PostgreSQL this is a session-level advisory lock held on a connection of its own for the
 * duration of `fn` (`fn` uses the store's other pooled connections as usual); a process that dies
 * while holding it releases it with its session. On SQLite, a single-process database, `fn` just
 * runs. The two live in the store's dialect adapter (postgres-dialect.ts, sqlite-dialect.ts).
 *
 * @example
 * ```ts
 * await withAdvisoryLock(store, 'startup', () => ensureBootstrapKey(store, key))
 * ```
 * @see https://www.postgresql.org/docs/current/explicit-locking.html#ADVISORY-LOCKS
 */
export async function withAdvisoryLock<T>(store: Store, name: string, fn: () => Promise<T>): Promise<T> {
  return store.adapter.withAdvisoryLock(store.db, name, fn)
}
