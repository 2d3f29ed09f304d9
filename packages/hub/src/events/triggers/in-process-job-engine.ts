import type { DueRun, DueWork, JobEngine, RunErrorHandler } from './job-engine.js'

/** What an {@link InProcessJobEngine} is built with. */
export interface InProcessJobEngineConfig {
  work: DueWork
  /** The clock (tests inject one); default `() => new Date()`. */
  now?: () => Date
  /** Longest sleep between two looks at the rows, ms (catches rows changed without {@link JobEngine.schedule}); default 30 000. */
  maxSleepMs?: number
  /** Runs read per look; default 100. */
  batchSize?: number
  /** Runs in flight at once; default 4. */
  concurrency?: number
  /** Wait before a run that threw is tried again, ms; default 30 000. */
  retryDelayMs?: number
  /** Told about a run that threw (it is tried again after `retryDelayMs`). */
  onError?: RunErrorHandler
}

/**
 * The job engine of a hub on SQLite (one process): one timer, set for the earliest due time in
 * the database (or `maxSleepMs`, whichever is sooner), that runs what is due and sets itself
 * again. It keeps no state of its own: the due times are the rows' (`DueWork`), so a restart
 * resumes where the last process stopped, and a run missed while the hub was down runs once at
 * start. A run that throws is retried after `retryDelayMs` (its row is unchanged, so it is
 * still due). Runs of one job never overlap.
 *
 * @example
 * ```ts
 * const engine = new InProcessJobEngine({ work })
 * await engine.start()
 * ```
 */
export class InProcessJobEngine implements JobEngine {
  readonly kind = 'in-process' as const
  readonly #work: DueWork
  readonly #now: () => Date
  readonly #maxSleepMs: number
  readonly #batchSize: number
  readonly #concurrency: number
  readonly #retryDelayMs: number
  readonly #onError: RunErrorHandler | undefined
  /** Jobs whose last run threw, and when they may be tried again (ms). */
  readonly #retryAt = new Map<string, number>()
  #timer: NodeJS.Timeout | undefined
  #wakeAt = Number.POSITIVE_INFINITY
  #running: Promise<void> | undefined
  #again = false
  #started = false
  /** The clock's time (ms) of the last look at the rows, so a run that fell due after it is told from one that was skipped. */
  #lastLookAt = Number.NEGATIVE_INFINITY

  constructor(config: InProcessJobEngineConfig) {
    this.#work = config.work
    this.#now = config.now ?? (() => new Date())
    this.#maxSleepMs = config.maxSleepMs ?? 30_000
    this.#batchSize = config.batchSize ?? 100
    this.#concurrency = config.concurrency ?? 4
    this.#retryDelayMs = config.retryDelayMs ?? 30_000
    this.#onError = config.onError
    if (this.#maxSleepMs < 1 || this.#batchSize < 1 || this.#concurrency < 1) {
      throw new TypeError('InProcessJobEngine: maxSleepMs, batchSize and concurrency must be positive')
    }
  }

  async start(): Promise<void> {
    if (this.#started) return
    this.#started = true
    this.#arm(0)
  }

  async stop(): Promise<void> {
    this.#started = false
    this.#disarm()
    await this.#running
  }

  async schedule(jobId: string, dueAt: Date): Promise<void> {
    this.#retryAt.delete(jobId)
    if (!this.#started) return
    const wait = Math.max(0, dueAt.getTime() - this.#now().getTime())
    if (this.#now().getTime() + wait < this.#wakeAt) this.#arm(wait)
  }

  async unschedule(jobId: string): Promise<void> {
    this.#retryAt.delete(jobId)
  }

  /**
   * Runs everything due now (by the engine's clock) and answers how many runs it made. The timer
   * calls it; tests with an injected clock call it directly. A call made while a pass is running
   * makes that pass look again, waits for it, and answers 0.
   */
  async runDue(): Promise<number> {
    if (this.#running) {
      this.#again = true
      await this.#running
      return 0
    }
    let count = 0
    const pass = (async () => {
      do {
        this.#again = false
        count += await this.#drain()
      } while (this.#again)
    })()
    this.#running = pass
    try {
      await pass
    } finally {
      this.#running = undefined
    }
    return count
  }

  async #drain(): Promise<number> {
    let count = 0
    // A run answered without moving its due time must not be run again in the same pass.
    const done = new Set<string>()
    for (;;) {
      const now = this.#now()
      this.#lastLookAt = now.getTime()
      const due = (await this.#work.listDue(now, this.#batchSize)).filter((r) => (this.#retryAt.get(r.jobId) ?? 0) <= now.getTime() && !done.has(`${r.jobId}@${r.dueAt.getTime()}`))
      if (due.length === 0) return count
      for (const r of due) done.add(`${r.jobId}@${r.dueAt.getTime()}`)
      const queue = [...due]
      const lane = async () => {
        for (let run = queue.shift(); run; run = queue.shift()) await this.#runOne(run)
      }
      await Promise.all(Array.from({ length: Math.min(this.#concurrency, queue.length) }, lane))
      count += due.length
    }
  }

  async #runOne(run: DueRun): Promise<void> {
    try {
      await this.#work.run(run)
      this.#retryAt.delete(run.jobId)
    } catch (err) {
      this.#retryAt.set(run.jobId, this.#now().getTime() + this.#retryDelayMs)
      this.#onError?.(err, run)
    }
  }

  #disarm(): void {
    if (this.#timer) clearTimeout(this.#timer)
    this.#timer = undefined
    this.#wakeAt = Number.POSITIVE_INFINITY
  }

  #arm(waitMs: number): void {
    this.#disarm()
    if (!this.#started) return
    const wait = Math.min(Math.max(0, waitMs), this.#maxSleepMs)
    this.#wakeAt = this.#now().getTime() + wait
    this.#timer = setTimeout(() => {
      this.#timer = undefined
      this.#wakeAt = Number.POSITIVE_INFINITY
      void this.#tick()
    }, wait)
    this.#timer.unref()
  }

  async #tick(): Promise<void> {
    try {
      await this.runDue()
    } catch (err) {
      this.#onError?.(err, { jobId: '', dueAt: this.#now() })
    }
    if (!this.#started || this.#timer) return
    let next = Number.POSITIVE_INFINITY
    try {
      const at = await this.#work.nextDueAt()
      if (at) next = at.getTime()
    } catch (err) {
      this.#onError?.(err, { jobId: '', dueAt: this.#now() })
    }
    for (const retry of this.#retryAt.values()) next = Math.min(next, retry)
    const now = this.#now().getTime()
    if (next <= now) {
      // Due after the pass last looked: the timer fired a few ms early (libuv's cached loop time)
      // or the run fell due while the pass was ending, so look again shortly; it used to wait for
      // the next look, up to maxSleepMs. Due before that look, it was skipped: only waiting out
      // its retry delay (or answered without moving), and must not spin the timer.
      next = next > this.#lastLookAt ? now : Math.min(...this.#retryAt.values(), now + this.#maxSleepMs)
    }
    if (this.#started && !this.#timer) this.#arm(Math.max(next - now, 10))
  }
}
