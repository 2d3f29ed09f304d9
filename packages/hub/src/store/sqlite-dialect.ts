import { closeSync, openSync } from 'node:fs'
import { dirname } from 'node:path'
import SQLite from 'better-sqlite3'
import type { SqliteDatabase } from 'kysely'
import { Kysely, SqliteDialect } from './kysely.js'
import type { DialectAdapter } from './dialect.js'
import type { Database } from './schema.js'
import { checkSqliteParent, TextGuardPlugin } from './text-guards.js'

/**
 * SQLite's locks: none. A SQLite file has one hub process, so a cluster-wide lock just runs `fn`.
 * A row lock runs no transaction either: one would stall every other query on the single
 * connection during the network call `fn` may make (an OAuth refresh); the caller single-flights
 * in memory and the update still checks the expected version.
 */
export const sqliteAdapter: DialectAdapter = {
  name: 'sqlite',
  withRowLock: (db, fn) => fn(db, false),
  withAdvisoryLock: (_db, _name, fn) => fn(),
}

/**
 * Opens a Kysely instance on a SQLite file (created owner-only if missing; its folder must exist), or
 * `:memory:`, in WAL mode with foreign keys on and prepared statements reused.
 */
export function openSqlite(file: string): Kysely<Database> {
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
  const kysely = new Kysely<Database>({ dialect: new SqliteDialect({ database: withStatementCache(db) }), plugins: [new TextGuardPlugin()] })
  const dataVersion = db.prepare('PRAGMA data_version').pluck()
  // Asked once per turn of the event loop at most: a commit by another process that races with
  // a turn is seen at the next turn. The read costs more inside the hub than alone (~8 µs
  // against ~2.5 µs, from profiles), and an action run asks twice (key epoch, connection), so
  // under load one read serves many requests. A write through any connection of this process
  // (see withStatementCache) forgets it at once, so this process's own commits are never missed.
  let memo: number | undefined
  let memoWrites = 0
  const forget = () => {
    memo = undefined
  }
  changeTokens.set(kysely, () => {
    if (memo === undefined || memoWrites !== processWrites) {
      if (memo === undefined) setImmediate(forget)
      memo = dataVersion.get() as number
      memoWrites = processWrites
    }
    return memo
  })
  return kysely
}

/** Statements that write, run by any SQLite connection of this process (see openSqlite). */
let processWrites = 0

const changeTokens = new WeakMap<Kysely<Database>, () => number>()

/**
 * For a Kysely instance from {@link openSqlite}: a function answering SQLite's `PRAGMA
 * data_version`, which moves whenever another connection (another process, such as the CLI)
 * has committed to the file since the last call. A read of the connection's own page cache, no
 * table access: about a microsecond. Undefined for any other instance.
 */
export function sqliteChangeToken(db: Kysely<Database>): (() => number) | undefined {
  return changeTokens.get(db)
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
      if (hit && !hit.busy) {
        if (!hit.readonly) processWrites++
        return hit
      }
      const statement = db.prepare(text)
      if (!statement.readonly) processWrites++
      if (!hit) {
        if (cache.size >= STATEMENT_CACHE_MAX) cache.clear()
        cache.set(text, statement)
      }
      return statement
    },
  }
}
