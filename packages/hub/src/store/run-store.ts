import type { Kysely, Selectable } from 'kysely'
import type { Database, RunTable } from './schema.js'

/** A stored asynchronous run. */
export type RunRow = Selectable<RunTable>

/**
 * The `runs` table: asynchronous runs and their final bodies. Reached through the `Store` facade,
 * which keeps these method names.
 *
 * @example
 * ```ts
 * await new RunStore(db).completeRun(id, 'SUCCESS', body)
 * ```
 */
export class RunStore {
  readonly #db: Kysely<Database>

  constructor(db: Kysely<Database>) {
    this.#db = db
  }

  /** Records a run that has started. */
  async insertRun(row: RunRow): Promise<void> {
    await this.#db.insertInto('runs').values(row).execute()
  }

  /** Stores a run's final body. */
  async completeRun(id: string, status: string, result: unknown): Promise<void> {
    await this.#db
      .updateTable('runs')
      .set({ status, result: JSON.stringify(result), completed_at: new Date().toISOString() })
      .where('id', '=', id)
      .execute()
  }

  /** A tenant's run by id. */
  async getRun(tenantId: string, id: string): Promise<RunRow | undefined> {
    return this.#db.selectFrom('runs').selectAll().where('tenant_id', '=', tenantId).where('id', '=', id).executeTakeFirst()
  }

  /**
   * Marks runs left IN_PROGRESS by a process that died as FAILED, and deletes runs older than
   * `olderThan`. Called at start.
   */
  async sweepRuns(staleBefore: Date, olderThan: Date): Promise<void> {
    const failed = { status: 'FAILED', completed: true, error_message: 'The hub restarted before this run finished; run it again.' }
    await this.#db
      .updateTable('runs')
      .set({ status: 'FAILED', result: JSON.stringify(failed), completed_at: new Date().toISOString() })
      .where('status', '=', 'IN_PROGRESS')
      .where('created_at', '<', staleBefore.toISOString())
      .execute()
    await this.#db.deleteFrom('runs').where('created_at', '<', olderThan.toISOString()).execute()
  }
}
