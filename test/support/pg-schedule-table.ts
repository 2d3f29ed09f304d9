import { type Kysely, sql } from 'kysely'
import { type DueRun, type DueWork, nextDueAfterRun } from '../../packages/hub/src/events/triggers/job-engine.js'
import type { Schedule } from '../../packages/hub/src/events/triggers/schedule.js'

/**
 * A stand-in for trigger instances on PostgreSQL, for job-engine tests: schedules with their next
 * due time, run compare-and-set (the DueWork contract) and recorded in `fires` with the name of
 * the engine that ran them. `hold` makes this table's runs hang (a process stalled mid-run);
 * `started` rows record every attempt, even one that never finishes.
 */
export class PgScheduleTable implements DueWork {
  attempts = 0
  hold: Promise<void> | undefined

  constructor(
    readonly db: Kysely<any>,
    readonly engine: string,
  ) {}

  /** Creates the tables (once per database). */
  static async create(db: Kysely<any>): Promise<void> {
    await sql`CREATE TABLE jobs (id text PRIMARY KEY, schedule jsonb NOT NULL, next_run_at timestamptz)`.execute(db)
    await sql`CREATE TABLE fires (job_id text NOT NULL, due_at timestamptz NOT NULL, engine text NOT NULL)`.execute(db)
    await sql`CREATE TABLE started (job_id text NOT NULL, engine text NOT NULL)`.execute(db)
  }

  /** Fires per job: `n` is how often it fired, `engine` one engine that fired it. */
  static async fires(db: Kysely<any>): Promise<Array<{ job_id: string; engine: string; n: number }>> {
    const { rows } = await sql<{
      job_id: string
      engine: string
      n: number
    }>`SELECT job_id, min(engine) AS engine, count(*)::int AS n FROM fires GROUP BY job_id ORDER BY job_id`.execute(db)
    return rows
  }

  async listDue(until: Date, limit: number): Promise<DueRun[]> {
    const { rows } = await sql<{ id: string; next_run_at: Date }>`SELECT id, next_run_at FROM jobs WHERE next_run_at <= ${until} ORDER BY next_run_at LIMIT ${limit}`.execute(
      this.db,
    )
    return rows.map((r) => ({ jobId: r.id, dueAt: new Date(r.next_run_at) }))
  }

  async nextDueAt(): Promise<Date | null> {
    const { rows } = await sql<{ at: Date | null }>`SELECT MIN(next_run_at) AS at FROM jobs`.execute(this.db)
    return rows[0]?.at ? new Date(rows[0].at) : null
  }

  async run(run: DueRun): Promise<Date | null> {
    this.attempts++
    await sql`INSERT INTO started VALUES (${run.jobId}, ${this.engine})`.execute(this.db)
    await this.hold
    return this.db.transaction().execute(async (tx) => {
      const { rows } = await sql<{ schedule: Schedule; next_run_at: Date | null }>`SELECT schedule, next_run_at FROM jobs WHERE id = ${run.jobId} FOR UPDATE`.execute(tx)
      const row = rows[0]
      if (!row) return null
      if (row.next_run_at?.getTime() !== run.dueAt.getTime()) return row.next_run_at
      const next = nextDueAfterRun(row.schedule, run.dueAt, new Date())
      await sql`UPDATE jobs SET next_run_at = ${next} WHERE id = ${run.jobId}`.execute(tx)
      await sql`INSERT INTO fires VALUES (${run.jobId}, ${run.dueAt}, ${this.engine})`.execute(tx)
      return next
    })
  }
}
