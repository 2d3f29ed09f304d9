import type { Selectable } from 'kysely'
import type { ConnectionTable } from './schema.js'

// As connection-store.ts's ConnectionRow (not imported: that module imports this one).
type Row = Omit<Selectable<ConnectionTable>, 'end_user_id' | 'tags'> & { end_user_id?: string | null; tags?: string | null }

/** How a cached connection row is known to be current. */
export type ConnectionCacheMode =
  /**
   * SQLite: one hub process per file. Every write path of the connection store forgets the rows
   * it changes, and `changeToken` (SQLite's `PRAGMA data_version`, which moves when another
   * process, such as the CLI, commits to the file) empties the cache when it moves.
   */
  | 'in-process'
  /**
   * PostgreSQL: several hub processes share the table, so each use of a cached row is checked
   * with a narrow query of the columns that change (see `ConnectionStore.getConnection`).
   */
  | 'verify'

/** What a {@link ConnectionCache} is built with. */
export interface ConnectionCacheOptions {
  mode: ConnectionCacheMode
  /** Largest number of rows kept; the oldest goes first (default 10,000). */
  maxEntries?: number
  /** A number that moves when another process changed the database ('in-process' mode). */
  changeToken?: () => number
}

/**
 * Connection rows by tenant and id, so an action run does not read the whole row (with its
 * sealed secrets) from the database while this process knows it is current. Rows are frozen: a
 * caller that tried to change one would throw instead of corrupting the cache.
 *
 * A read that raced a write must not store the row it read: callers take {@link generation}
 * before reading and pass it to {@link remember}, which stores nothing when a write (a
 * {@link forget} or {@link clear}) happened in between.
 *
 * @example
 * ```ts
 * const cache = new ConnectionCache({ mode: 'verify' })
 * const g = cache.generation
 * const row = await read(tenantId, id)
 * if (row) cache.remember(row, g)
 * ```
 */
export class ConnectionCache {
  /** How rows are known to be current. */
  readonly mode: ConnectionCacheMode
  readonly #rows = new Map<string, Row>()
  readonly #max: number
  readonly #changeToken: (() => number) | undefined
  #token: number
  #generation = 0

  constructor(options: ConnectionCacheOptions) {
    this.mode = options.mode
    this.#max = options.maxEntries ?? 10_000
    this.#changeToken = options.changeToken
    this.#token = this.#changeToken?.() ?? 0
  }

  /** Moves on every write; see {@link remember}. */
  get generation(): number {
    return this.#generation
  }

  /** Number of rows held (for tests). */
  get size(): number {
    return this.#rows.size
  }

  /** The cached row, if any (after emptying the cache when another process wrote). */
  get(tenantId: string, id: string): Row | undefined {
    if (this.#changeToken) {
      const token = this.#changeToken()
      if (token !== this.#token) {
        this.#token = token
        this.clear()
        return undefined
      }
    }
    return this.#rows.get(keyOf(tenantId, id))
  }

  /** Stores (and freezes) a row just read, unless a write happened since `generation` was taken. */
  remember(row: Row, generation: number): void {
    if (generation !== this.#generation) return
    const key = keyOf(row.tenant_id, row.id)
    if (!this.#rows.has(key) && this.#rows.size >= this.#max) {
      const oldest = this.#rows.keys().next().value
      if (oldest !== undefined) this.#rows.delete(oldest)
    }
    this.#rows.set(key, Object.freeze(row))
  }

  /** Drops one row (called after every write to it). */
  forget(tenantId: string, id: string): void {
    this.#generation++
    this.#rows.delete(keyOf(tenantId, id))
  }

  /** Drops every row (after a write whose rows are not known one by one). */
  clear(): void {
    this.#generation++
    this.#rows.clear()
  }
}

function keyOf(tenantId: string, id: string): string {
  return `${tenantId}\u0000${id}`
}
