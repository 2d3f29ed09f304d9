import { createHash } from 'node:crypto'
import { createRequire } from 'node:module'
import type { Kysely } from 'kysely'
import { CompiledQuery } from '../../store/kysely.js'
import type PgBoss from 'pg-boss'
import { postgresAdapter } from '../../store/postgres-dialect.js'
import type { DueRun, DueWork, JobEngine, RunErrorHandler } from './job-engine.js'

/** What a {@link PgBossJobEngine} is built with. */
export interface PgBossJobEngineConfig {
  /** The hub's PostgreSQL handle (the store's `db`); pg-boss runs its SQL on the store's pool. */
  db: Kysely<any>
  work: DueWork
  /** The schema pg-boss keeps its tables in; default `pgboss`. */
  schema?: string
  /** Queue of due runs; default `patchbay-trigger-runs`. */
  queue?: string
  /** How often each process looks for runs whose time has come, s (pg-boss's minimum is 0.5); default 1. */
  pollingIntervalSeconds?: number
  /** Runs one process takes per look; default 20. */
  batchSize?: number
  /** How far ahead the once-a-minute sweep queues due runs, s; default 120 (more than the sweep's minute). */
  lookaheadSeconds?: number
  /** A run not finished in this time (its process died) is retried by another process, s; default 300. */
  expireInSeconds?: number
  /** Attempts of a run that throws before pg-boss gives up on it (the next sweep queues it again); default 10. */
  retryLimit?: number
  /** How often pg-boss's maintenance expires runs of dead processes and archives old jobs, s; default 60. */
  maintenanceIntervalSeconds?: number
  /** Told about a run that threw (pg-boss retries it with backoff). */
  onError?: RunErrorHandler
  /** Told about pg-boss's own errors (a lost connection while polling). */
  onBossError?: (err: Error) => void
}

const SWEEP_QUEUE = 'patchbay-trigger-sweep'

interface RunData {
  jobId: string
  dueAt: string
}

/**
 * The pg-boss job id of one due run: a UUID derived from (job, due time), so the same due run
 * queued by the sweep of three processes and by {@link JobEngine.schedule} is one pg-boss job
 * (pg-boss inserts `ON CONFLICT DO NOTHING` on its primary key).
 */
export function runJobId(jobId: string, dueAt: Date): string {
  const h = createHash('sha256').update(`${jobId}@${dueAt.toISOString()}`).digest()
  h[6] = ((h[6] as number) & 0x0f) | 0x50
  h[8] = ((h[8] as number) & 0x3f) | 0x80
  const hex = h.subarray(0, 16).toString('hex')
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`
}

/**
 * The job engine of a hub on PostgreSQL, on pg-boss 10 (its tables in their own schema, its SQL
 * on the store's pool). Every due run is a pg-boss job whose id is derived from (job, due time)
 * and whose `startAfter` is the due time: any number of hub processes poll the queue, pg-boss
 * hands each job to one of them (`FOR UPDATE SKIP LOCKED`), and a process that dies mid-run
 * leaves its job active until it expires, when pg-boss retries it elsewhere. After a run, the
 * next due time is queued the same way. pg-boss's own cron (`schedule`, once a minute across all
 * processes) runs a sweep that queues what the rows say is due within `lookaheadSeconds`, which
 * catches rows changed without {@link JobEngine.schedule} and runs whose successor was never
 * queued. Exactly once per due time comes from the {@link DueWork.run} contract (a
 * compare-and-set of the row's due time in the transaction of the run's effect); pg-boss makes
 * sure every due time gets a run, in one process at a time.
 *
 * @see https://github.com/timgit/pg-boss/tree/10.4.2/docs
 */
export class PgBossJobEngine implements JobEngine {
  readonly kind = 'pg-boss' as const
  readonly #config: PgBossJobEngineConfig
  readonly #queue: string
  #boss: PgBoss | undefined
  #started = false
  #workerId: string | undefined

  constructor(config: PgBossJobEngineConfig) {
    this.#config = config
    this.#queue = config.queue ?? 'patchbay-trigger-runs'
  }

  /** pg-boss (and with it `pg`) is loaded on first start: a SQLite hub never loads it. */
  async #load(): Promise<PgBoss> {
    if (this.#boss) return this.#boss
    const config = this.#config
    const db = config.db
    const Boss = createRequire(import.meta.url)('pg-boss') as typeof PgBoss
    const boss = new Boss({
      db: {
        // pg-boss sends multi-statement SQL without parameters (its migrations): an empty
        // parameter list keeps node-postgres on the simple protocol, which allows that.
        executeSql: async (text: string, values?: unknown[]) => {
          const query = CompiledQuery.raw(text, values ?? [])
          if (!/^\s*BEGIN/i.test(text)) return { rows: (await db.executeQuery(query)).rows as any[] }
          // A failed statement inside pg-boss's BEGIN … COMMIT text leaves its connection in an
          // aborted transaction: roll it back before the connection returns to the store's pool.
          return db.connection().execute(async (conn) => {
            try {
              return { rows: (await conn.executeQuery(query)).rows as any[] }
            } catch (err) {
              await conn.executeQuery(CompiledQuery.raw('ROLLBACK')).catch(() => {})
              throw err
            }
          })
        },
      },
      schema: config.schema ?? 'pgboss',
      // Completed jobs stay an hour (the ids of recent due runs keep deduplicating), then go to the archive.
      archiveCompletedAfterSeconds: 3600,
      deleteAfterDays: 7,
      maintenanceIntervalSeconds: config.maintenanceIntervalSeconds ?? 60,
      // The sweep is queued within ~10 s of each minute (pg-boss's defaults: up to 35 s).
      cronMonitorIntervalSeconds: 10,
      cronWorkerIntervalSeconds: 2,
    })
    boss.on('error', (err: Error) => config.onBossError?.(err))
    this.#boss = boss
    return boss
  }

  async start(): Promise<void> {
    if (this.#started) return
    const c = this.#config
    const boss = await this.#load()
    // pg-boss installs its schema and creates a queue's table on first use; processes doing it at
    // once collide (an install that fails half-way, a deadlock), so one process at a time.
    await postgresAdapter.withAdvisoryLock(c.db, 'pg-boss-start', async () => {
      await boss.start()
      await boss.createQueue(this.#queue, {
        name: this.#queue,
        policy: 'standard',
        retryLimit: c.retryLimit ?? 10,
        retryDelay: 5,
        retryBackoff: true,
        expireInSeconds: c.expireInSeconds ?? 300,
      })
      await boss.createQueue(SWEEP_QUEUE, { name: SWEEP_QUEUE, policy: 'standard', retryLimit: 0, expireInSeconds: 120 })
      // pg-boss's cron: one sweep job a minute, whichever process notices first.
      await boss.schedule(SWEEP_QUEUE, '* * * * *', {}, { tz: 'UTC' })
    })
    await boss.work(SWEEP_QUEUE, { pollingIntervalSeconds: 2 }, async () => {
      await this.sweep()
    })
    this.#workerId = await boss.work<RunData>(this.#queue, { batchSize: c.batchSize ?? 20, pollingIntervalSeconds: c.pollingIntervalSeconds ?? 1 }, (jobs) => this.#runBatch(jobs))
    this.#started = true
    // Due work left by a process that stopped (or by a hub that was down) runs now, not at the next minute.
    await this.sweep()
  }

  async stop(): Promise<void> {
    if (!this.#started) return
    this.#started = false
    // Graceful: waits for runs in progress; an unfinished one is failed back to the queue and retried.
    await this.#boss?.stop({ graceful: true, wait: true, timeout: 30_000, close: false })
  }

  async schedule(jobId: string, dueAt: Date): Promise<void> {
    await this.#enqueue([{ jobId, dueAt }])
  }

  async unschedule(_jobId: string): Promise<void> {
    // The rows are the truth: a queued run of a paused or deleted job finds it so and does nothing.
  }

  /** Queues every run the rows say is due within the lookahead (the once-a-minute sweep; idempotent). */
  async sweep(): Promise<number> {
    const until = new Date(Date.now() + (this.#config.lookaheadSeconds ?? 120) * 1000)
    let queued = 0
    const runs = await this.#config.work.listDue(until, 10_000)
    for (let i = 0; i < runs.length; i += 500) {
      await this.#enqueue(runs.slice(i, i + 500))
      queued += Math.min(500, runs.length - i)
    }
    return queued
  }

  async #enqueue(runs: DueRun[]): Promise<void> {
    // Before start() has installed pg-boss (a fresh database takes a second or two), a run is not
    // queued: the insert would fail (a trigger created in the hub's first second answered 500).
    // The rows are the truth, and start() sweeps them once it has set #started.
    if (runs.length === 0 || !this.#boss || !this.#started) return
    await this.#boss.insert(
      runs.map((r) => ({
        id: runJobId(r.jobId, r.dueAt),
        name: this.#queue,
        data: { jobId: r.jobId, dueAt: r.dueAt.toISOString() } satisfies RunData,
        startAfter: r.dueAt,
        singletonKey: r.jobId,
      })),
    )
  }

  async #runBatch(jobs: PgBoss.Job<RunData>[]): Promise<void> {
    const failed: string[] = []
    const next: DueRun[] = []
    await Promise.all(
      jobs.map(async (job) => {
        const run = { jobId: job.data.jobId, dueAt: new Date(job.data.dueAt) }
        try {
          const at = await this.#config.work.run(run)
          if (at && at.getTime() !== run.dueAt.getTime()) next.push({ jobId: run.jobId, dueAt: at })
        } catch (err) {
          failed.push(job.id)
          this.#config.onError?.(err, run)
        }
      }),
    )
    await this.#enqueue(next)
    // Only the runs that threw go back for a retry; pg-boss completes the rest when this returns.
    if (failed.length > 0) await this.#boss?.fail(this.#queue, failed)
    // A full batch: more may be due now, so fetch again at once instead of after the polling interval.
    if (jobs.length >= (this.#config.batchSize ?? 20) && this.#workerId && this.#started) this.#boss?.notifyWorker(this.#workerId)
  }
}
