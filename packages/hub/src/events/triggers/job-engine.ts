import { nextRun, type Schedule } from './schedule.js'

/** One due run of a job: the job (a trigger instance's id) and the time it was due. */
export interface DueRun {
  readonly jobId: string
  readonly dueAt: Date
}

/**
 * Where a {@link JobEngine}'s work comes from. The jobs and their next due times live in the
 * database (`next_run_at` on a trigger instance's row), never in the engine: an engine can be
 * stopped, replaced or run in many processes, and a restart resumes from the rows.
 */
export interface DueWork {
  /** Runs due at or before `until`, earliest first, at most `limit`. */
  listDue(until: Date, limit: number): Promise<DueRun[]>
  /**
   * Runs one due run and answers the job's next due time (`null`: it never runs again). It must
   * be idempotent per (`jobId`, `dueAt`): it moves the job's stored due time from `dueAt` to the
   * next one in the transaction that records the run's effect (its events), compare-and-set, and
   * does nothing but answer the stored due time when that is no longer `dueAt` (another process,
   * or an earlier attempt of this one, already ran it). A failure of the work itself (a poll whose
   * action failed) is recorded and answered as a later due time; throwing means the run could not
   * be recorded at all, and the engine tries it again later.
   */
  run(run: DueRun): Promise<Date | null>
  /** The earliest stored due time of any job (`null`: none); lets an in-process engine sleep until then. */
  nextDueAt(): Promise<Date | null>
}

/**
 * Runs jobs at their due times: schedules (once, every interval, cron in a time zone) and polls.
 * Two implementations behind this one interface: {@link PgBossJobEngine} on PostgreSQL (any
 * number of hub processes; each due run runs once, a process dying mid-run loses nothing) and
 * {@link InProcessJobEngine} on SQLite (one process, timers). Both are driven by a
 * {@link DueWork}; which one a hub runs is picked by {@link createJobEngine}.
 *
 * @example
 * ```ts
 * const engine = createJobEngine(store, work, { logger })
 * await engine.start()
 * await engine.schedule(instance.id, new Date(instance.nextRunAt)) // after activating it
 * await engine.stop()
 * ```
 */
export interface JobEngine {
  /** `pg-boss` (PostgreSQL) or `in-process` (SQLite). */
  readonly kind: 'pg-boss' | 'in-process'
  /** Starts running due work (installs pg-boss's schema on PostgreSQL on first start). */
  start(): Promise<void>
  /** Stops taking work and waits for runs in progress; on pg-boss an unfinished run is retried by another process. */
  stop(): Promise<void>
  /**
   * Tells the engine that job `jobId` is next due at `dueAt`, already stored by the caller (after
   * an activation, a resume or a config change), so it runs on time rather than at the engine's
   * next sweep of the rows. Scheduling the same (`jobId`, `dueAt`) twice runs it once.
   */
  schedule(jobId: string, dueAt: Date): Promise<void>
  /**
   * Forgets job `jobId`'s pending run (after a pause or a delete). The rows stay the truth: a
   * run still queued finds its job gone or paused and does nothing.
   */
  unschedule(jobId: string): Promise<void>
}

/**
 * The due time after a run of `schedule` that was due at `dueAt` and ran at `now`: the first
 * time strictly after both, so a hub that was down over several due times fires once when it
 * is back (a catch-up), not once per missed time, and then keeps to the schedule (cron times in
 * the schedule's zone, DST included: see {@link nextRun}). `null` when the schedule is over.
 */
export function nextDueAfterRun(schedule: Schedule, dueAt: Date, now: Date): Date | null {
  return nextRun(schedule, new Date(Math.max(dueAt.getTime(), now.getTime())))
}

/** What both engines report when a run could not be recorded (the run is tried again). */
export type RunErrorHandler = (err: unknown, run: DueRun) => void
