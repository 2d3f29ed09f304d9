import type { Kysely } from 'kysely'
import type { Database } from './schema.js'

/**
 * Runs `fn` in a transaction on `db`, or directly when `db` already is one (a store method called
 * from inside another's transaction joins it instead of opening a second).
 *
 * @example
 * ```ts
 * await inTransaction(db, async (trx) => {
 *   await trx.deleteFrom('run_log').where('id', '=', id).execute()
 * })
 * ```
 */
export function inTransaction<T>(db: Kysely<Database>, fn: (trx: Kysely<Database>) => Promise<T>): Promise<T> {
  return db.isTransaction ? fn(db) : db.transaction().execute(fn)
}
