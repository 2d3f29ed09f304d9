import type { Kysely, Selectable } from 'kysely'
import { CompiledQuery } from './kysely.js'
import type { Database, RunLogTable } from './schema.js'
import { inTransaction } from './transaction.js'

/** A stored run log row. */
export type RunLogRow = Selectable<RunLogTable>
/** A run log row to write (the same shape). */
export type RunLogEntry = RunLogRow

/** Filters of {@link RunLogStore.listRunLog}; all optional. */
export interface RunLogFilter {
  connection?: string
  action?: string
  status?: string
  /** Cursor: rows older than this id (the `next` of the previous page). */
  after?: string
  /** Rows newer than this id, oldest first (for `runs tail --follow`). */
  newerThan?: string
  limit: number
}

/**
 * Rows per INSERT, largest first. Every batch is written in statements of these sizes only, so
 * the database sees three SQL texts whatever the batch size, and the SQLite statement cache
 * reuses them; a statement per batch size meant preparing a new INSERT of up to 3,000
 * parameters on most flushes (docs/performance.md). 15 columns × 100 stays far below both
 * databases' parameter limits.
 */
const INSERT_SIZES = [100, 10, 1] as const

/** The columns of `run_log`, in the order of the compiled INSERT's parameters. */
const RUN_LOG_COLUMNS = [
  'id',
  'tenant_id',
  'created_at',
  'connection_id',
  'end_user_id',
  'integration_id',
  'action',
  'status',
  'http_status',
  'duration_ms',
  'error_code',
  'error_message',
  'key_id',
  'input_excerpt',
  'output_excerpt',
] as const satisfies readonly (keyof RunLogEntry)[]
// A column added to run_log and not listed above fails to compile here.
const everyColumn: [Exclude<keyof RunLogEntry, (typeof RUN_LOG_COLUMNS)[number]>] extends [never] ? true : never = true
void everyColumn

/**
 * The `run_log` and `tenant_settings` tables. Reached as `store.runLog`.
 *
 * @example
 * ```ts
 * const page = await new RunLogStore(db).listRunLog(tenantId, { status: 'FAILED', limit: 50 })
 * ```
 */
export class RunLogStore {
  readonly #db: Kysely<Database>
  readonly #insertSql = new Map<number, string>()

  constructor(db: Kysely<Database>) {
    this.#db = db
  }

  /**
   * Writes a batch of rows, in statements of {@link INSERT_SIZES} rows and, when that takes more
   * than one, in one transaction: one commit per batch, not one per statement (on SQLite each
   * commit appends to the WAL and takes its locks; about half the cost of a flush).
   */
  async insertRunLog(rows: readonly RunLogEntry[]): Promise<void> {
    const statements: CompiledQuery[] = []
    let i = 0
    for (const size of INSERT_SIZES) {
      for (; rows.length - i >= size; i += size) statements.push(this.#insertOf(size, rows.slice(i, i + size)))
    }
    if (statements.length === 1) await this.#db.executeQuery(statements[0] as CompiledQuery)
    else if (statements.length > 1) {
      await inTransaction(this.#db, async (trx) => {
        for (const q of statements) await trx.executeQuery(q)
      })
    }
  }

  /**
   * The INSERT of `rows` (exactly `size` of them), from SQL text compiled once per size: building
   * Kysely's tree for 100 rows and walking it for NUL characters cost about 10 µs per action run
   * (docs/performance.md). The values are the hub's own (ids, codes, scrubbed excerpts); a NUL
   * in one (from a service's error text) is dropped, which the text guard would have refused.
   */
  #insertOf(size: number, rows: readonly RunLogEntry[]): CompiledQuery {
    let sqlText = this.#insertSql.get(size)
    if (sqlText === undefined) {
      const template = Array.from({ length: size }, () => Object.fromEntries(RUN_LOG_COLUMNS.map((c) => [c, null])) as unknown as RunLogEntry)
      sqlText = this.#db.insertInto('run_log').values(template).compile().sql
      this.#insertSql.set(size, sqlText)
    }
    const params: unknown[] = []
    for (const row of rows) {
      for (const c of RUN_LOG_COLUMNS) {
        const v = row[c]
        params.push(typeof v === 'string' && v.includes('\u0000') ? v.replaceAll('\u0000', '') : v)
      }
    }
    return CompiledQuery.raw(sqlText, params)
  }

  /**
   * A tenant's runs, newest first (or, with `newerThan`, oldest first); `tenantId` undefined:
   * every tenant's (the CLI).
   */
  async listRunLog(tenantId: string | undefined, f: RunLogFilter): Promise<RunLogRow[]> {
    let q = this.#db.selectFrom('run_log').selectAll()
    if (tenantId !== undefined) q = q.where('tenant_id', '=', tenantId)
    if (f.connection) q = q.where('connection_id', '=', f.connection)
    if (f.action) q = q.where('action', '=', f.action)
    if (f.status) q = q.where('status', '=', f.status)
    if (f.after) q = q.where('id', '<', f.after)
    if (f.newerThan !== undefined) q = q.where('id', '>', f.newerThan).orderBy('id', 'asc')
    else q = q.orderBy('id', 'desc')
    return q.limit(f.limit).execute()
  }

  /**
   * Retention: deletes rows older than `olderThan`, then, for each tenant in `tenantIds`, all but
   * its newest `maxRows`. Returns the number of rows deleted.
   */
  async pruneRunLog(olderThan: Date, maxRows: number, tenantIds: Iterable<string>): Promise<number> {
    let deleted = Number((await this.#db.deleteFrom('run_log').where('created_at', '<', olderThan.toISOString()).executeTakeFirst()).numDeletedRows)
    for (const tenantId of tenantIds) {
      const edge = await this.#db.selectFrom('run_log').select('id').where('tenant_id', '=', tenantId).orderBy('id', 'desc').offset(maxRows).limit(1).executeTakeFirst()
      if (!edge) continue
      const r = await this.#db.deleteFrom('run_log').where('tenant_id', '=', tenantId).where('id', '<=', edge.id).executeTakeFirst()
      deleted += Number(r.numDeletedRows)
    }
    return deleted
  }

  /** Whether the tenant opted in to input/output excerpts in its run log. */
  async runLogExcerpts(tenantId: string): Promise<boolean> {
    const r = await this.#db.selectFrom('tenant_settings').select('run_log_excerpts').where('tenant_id', '=', tenantId).executeTakeFirst()
    return Number(r?.run_log_excerpts ?? 0) === 1
  }

  /** Sets the tenant's excerpt opt-in. */
  async setRunLogExcerpts(tenantId: string, on: boolean): Promise<void> {
    const row = { tenant_id: tenantId, run_log_excerpts: on ? 1 : 0, updated_at: new Date().toISOString() }
    await this.#db
      .insertInto('tenant_settings')
      .values(row)
      .onConflict((oc) => oc.column('tenant_id').doUpdateSet({ run_log_excerpts: row.run_log_excerpts, updated_at: row.updated_at }))
      .execute()
  }
}
