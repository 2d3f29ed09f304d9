import type { Kysely } from 'kysely'
import type { Database } from './schema.js'

/** Which SQL engine a store runs on. */
export type StoreDialect = 'sqlite' | 'postgres'

/**
 * What differs between the databases a store runs on: how a read-check-write on one row is kept
 * from racing another process, and how a cluster-wide named lock is held. Everything else is
 * plain Kysely shared by both. `openStore` picks the adapter from the database URL
 * (sqlite-dialect.ts, postgres-dialect.ts).
 *
 * @example
 * ```ts
 * await store.adapter.withAdvisoryLock(store.db, 'startup', () => seed())
 * ```
 */
export interface DialectAdapter {
  /** The engine's name, as `Store.dialect` reports it. */
  readonly name: StoreDialect
  /**
   * Runs a read-check-write `fn` that must not race another process doing the same. `fn` gets
   * the handle to query on and whether its read must hold the row (`SELECT … FOR UPDATE`).
   */
  withRowLock<T>(db: Kysely<Database>, fn: (db: Kysely<Database>, forUpdate: boolean) => Promise<T>): Promise<T>
  /** Runs `fn` while holding the cluster-wide lock called `name`. */
  withAdvisoryLock<T>(db: Kysely<Database>, name: string, fn: () => Promise<T>): Promise<T>
}
