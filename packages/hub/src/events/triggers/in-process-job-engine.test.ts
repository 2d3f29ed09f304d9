import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { afterEach, describe, expect, it } from 'vitest'
import { InProcessJobEngine } from './in-process-job-engine.js'
import { type DueRun, type DueWork, nextDueAfterRun } from './job-engine.js'
import { nextRun, parseSchedule, type Schedule } from './schedule.js'

/**
 * A stand-in for the trigger instances: a SQLite table of schedules with their next due time,
 * fired compare-and-set (the DueWork contract), each run recorded in `fires`.
 */
class ScheduleTable implements DueWork {
  readonly db: Database.Database
  failNext = 0

  constructor(
    file: string,
    readonly clock: { now: Date },
  ) {
    this.db = new Database(file)
    this.db.exec(`CREATE TABLE IF NOT EXISTS jobs (id TEXT PRIMARY KEY, schedule TEXT NOT NULL, next_run_at INTEGER);
      CREATE TABLE IF NOT EXISTS fires (job_id TEXT NOT NULL, due_at INTEGER NOT NULL, ran_at INTEGER NOT NULL)`)
  }

  add(id: string, schedule: Schedule): Date | null {
    const first = nextRun(schedule, new Date(this.clock.now.getTime() - 1))
    this.db.prepare('INSERT INTO jobs VALUES (?, ?, ?)').run(id, JSON.stringify(schedule), first?.getTime() ?? null)
    return first
  }

  fires(id?: string): Array<{ due: string; ran: string }> {
    const rows = this.db.prepare(`SELECT due_at, ran_at FROM fires ${id ? 'WHERE job_id = ?' : ''} ORDER BY due_at`).all(...(id ? [id] : [])) as Array<{
      due_at: number
      ran_at: number
    }>
    return rows.map((r) => ({ due: new Date(r.due_at).toISOString(), ran: new Date(r.ran_at).toISOString() }))
  }

  async listDue(until: Date, limit: number): Promise<DueRun[]> {
    const rows = this.db.prepare('SELECT id, next_run_at FROM jobs WHERE next_run_at <= ? ORDER BY next_run_at LIMIT ?').all(until.getTime(), limit) as Array<{
      id: string
      next_run_at: number
    }>
    return rows.map((r) => ({ jobId: r.id, dueAt: new Date(r.next_run_at) }))
  }

  async nextDueAt(): Promise<Date | null> {
    const row = this.db.prepare('SELECT MIN(next_run_at) AS at FROM jobs').get() as { at: number | null }
    return row.at === null ? null : new Date(row.at)
  }

  async run(run: DueRun): Promise<Date | null> {
    if (this.failNext > 0) {
      this.failNext--
      throw new Error('database is locked')
    }
    return this.db.transaction(() => {
      const row = this.db.prepare('SELECT schedule, next_run_at FROM jobs WHERE id = ?').get(run.jobId) as { schedule: string; next_run_at: number | null } | undefined
      if (!row) return null
      if (row.next_run_at !== run.dueAt.getTime()) return row.next_run_at === null ? null : new Date(row.next_run_at)
      const next = nextDueAfterRun(JSON.parse(row.schedule) as Schedule, run.dueAt, this.clock.now)
      this.db.prepare('UPDATE jobs SET next_run_at = ? WHERE id = ?').run(next?.getTime() ?? null, run.jobId)
      this.db.prepare('INSERT INTO fires VALUES (?, ?, ?)').run(run.jobId, run.dueAt.getTime(), this.clock.now.getTime())
      return next
    })()
  }
}

const dirs: string[] = []
const engines: InProcessJobEngine[] = []
afterEach(async () => {
  for (const e of engines.splice(0)) await e.stop()
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true })
})

function setup(start: string) {
  const dir = mkdtempSync(join(tmpdir(), 'patchbay-jobs-'))
  dirs.push(dir)
  const clock = { now: new Date(start) }
  const file = join(dir, 'jobs.db')
  const table = new ScheduleTable(file, clock)
  const engine = new InProcessJobEngine({ work: table, now: () => clock.now, retryDelayMs: 60_000 })
  engines.push(engine)
  return { clock, table, engine, file }
}

describe('InProcessJobEngine (SQLite, injected clock)', () => {
  it('once: runs at its time, not before, and never again', async () => {
    const { clock, table, engine } = setup('2026-06-01T06:59:00Z')
    table.add('once', parseSchedule({ kind: 'once', at: '2026-06-01T07:00:00Z' }))
    expect(await engine.runDue()).toBe(0)
    clock.now = new Date('2026-06-01T07:00:00.250Z')
    expect(await engine.runDue()).toBe(1)
    clock.now = new Date('2026-06-02T00:00:00Z')
    expect(await engine.runDue()).toBe(0)
    expect(table.fires('once')).toEqual([{ due: '2026-06-01T07:00:00.000Z', ran: '2026-06-01T07:00:00.250Z' }])
    expect(await table.nextDueAt()).toBeNull()
  })

  it('interval: every interval from its start; a hub down over several due times catches up once', async () => {
    const { clock, table, engine } = setup('2026-03-29T00:00:00Z')
    table.add('hourly', parseSchedule({ kind: 'interval', everySeconds: 3600, startAt: '2026-03-28T23:30:00Z' }))
    for (const t of ['00:30:00', '01:30:00', '02:30:00']) {
      clock.now = new Date(`2026-03-29T${t}Z`)
      expect(await engine.runDue()).toBe(1)
    }
    // Down from 02:30 to 06:10: the runs due 03:30, 04:30, 05:30 become one run, then 06:30.
    clock.now = new Date('2026-03-29T06:10:00Z')
    expect(await engine.runDue()).toBe(1)
    expect(await engine.runDue()).toBe(0)
    expect((await table.nextDueAt())?.toISOString()).toBe('2026-03-29T06:30:00.000Z')
    expect(table.fires('hourly').map((f) => f.due)).toEqual(['2026-03-29T00:30:00.000Z', '2026-03-29T01:30:00.000Z', '2026-03-29T02:30:00.000Z', '2026-03-29T03:30:00.000Z'])
  })

  it('cron in a time zone across DST: Berlin 02:30 on spring-forward day runs at 03:30 CEST; New York 01:30 on fall-back day runs once', async () => {
    const { clock, table, engine } = setup('2026-03-28T12:00:00Z')
    table.add('berlin', parseSchedule({ kind: 'cron', expression: '30 2 * * *', timezone: 'Europe/Berlin' }))
    table.add('ny', parseSchedule({ kind: 'cron', expression: '30 1 * * *', timezone: 'America/New_York' }))
    // Walk the clock a minute at a time over each day of interest, running what is due.
    const walk = async (from: string, to: string) => {
      for (let t = Date.parse(from); t <= Date.parse(to); t += 60_000) {
        clock.now = new Date(t)
        await engine.runDue()
      }
    }
    await walk('2026-03-28T23:00:00Z', '2026-03-29T03:00:00Z')
    await walk('2026-11-01T04:00:00Z', '2026-11-01T08:00:00Z')
    // Berlin: 01:30Z is 03:30 CEST; the November walk catches up the run missed since March once.
    expect(table.fires('berlin').map((f) => f.due)).toEqual(['2026-03-29T01:30:00.000Z', '2026-03-30T00:30:00.000Z'])
    // New York: the March run is caught up at 04:00Z, then 01:30 EDT (05:30Z) runs, and 01:30 EST (06:30Z) does not.
    const ny = table.fires('ny')
    expect(ny.map((f) => f.due)).toEqual(['2026-03-29T05:30:00.000Z', '2026-11-01T05:30:00.000Z'])
    expect(ny.map((f) => f.ran)).toEqual(['2026-11-01T04:00:00.000Z', '2026-11-01T05:30:00.000Z'])
    // Next: Berlin 02:30 CET on 2 November (01:30Z), before New York's 06:30Z.
    expect((await table.nextDueAt())?.toISOString()).toBe('2026-11-02T01:30:00.000Z')
  })

  it('a restart resumes from the rows: a run due while the hub was down runs once at start', async () => {
    const { clock, table, engine, file } = setup('2026-05-01T08:00:00Z')
    table.add('every-minute', parseSchedule({ kind: 'cron', expression: '* * * * *', timezone: 'UTC' }))
    clock.now = new Date('2026-05-01T08:01:00Z')
    expect(await engine.runDue()).toBe(1)
    await engine.stop()
    table.db.close()
    // A new process on the same file, 10 minutes later.
    clock.now = new Date('2026-05-01T08:11:30Z')
    const reopened = new ScheduleTable(file, clock)
    const second = new InProcessJobEngine({ work: reopened, now: () => clock.now })
    engines.push(second)
    expect(await second.runDue()).toBe(1)
    expect(reopened.fires().map((f) => f.due)).toEqual(['2026-05-01T08:00:00.000Z', '2026-05-01T08:02:00.000Z'])
    expect((await reopened.nextDueAt())?.toISOString()).toBe('2026-05-01T08:12:00.000Z')
    reopened.db.close()
  })

  it('a run that throws is retried after the retry delay, not in a loop', async () => {
    const { clock, table, engine } = setup('2026-05-01T08:00:00Z')
    table.add('flaky', parseSchedule({ kind: 'once', at: '2026-05-01T08:00:00Z' }))
    table.failNext = 1
    expect(await engine.runDue()).toBe(1)
    expect(table.fires()).toEqual([])
    clock.now = new Date('2026-05-01T08:00:30Z')
    expect(await engine.runDue()).toBe(0)
    clock.now = new Date('2026-05-01T08:01:00Z')
    expect(await engine.runDue()).toBe(1)
    expect(table.fires('flaky')).toEqual([{ due: '2026-05-01T08:00:00.000Z', ran: '2026-05-01T08:01:00.000Z' }])
  })

  it('many runs due at once each run once (concurrency, batches)', async () => {
    const { clock, table } = setup('2026-05-01T08:00:00Z')
    const engine = new InProcessJobEngine({ work: table, now: () => clock.now, batchSize: 7, concurrency: 3 })
    engines.push(engine)
    for (let i = 0; i < 50; i++) table.add(`job-${i}`, parseSchedule({ kind: 'once', at: '2026-05-01T08:05:00Z' }))
    clock.now = new Date('2026-05-01T08:05:00Z')
    const [a, b] = await Promise.all([engine.runDue(), engine.runDue()])
    expect((a ?? 0) + (b ?? 0)).toBe(50)
    expect(table.fires()).toHaveLength(50)
    expect(new Set(table.fires().map((f) => f.due)).size).toBe(1)
  })
})

describe('InProcessJobEngine (real timers)', () => {
  it('schedule() wakes a sleeping engine for a run due before its next look', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'patchbay-jobs-'))
    dirs.push(dir)
    const clock = {
      get now() {
        return new Date()
      },
    }
    const table = new ScheduleTable(join(dir, 'jobs.db'), clock)
    const engine = new InProcessJobEngine({ work: table, maxSleepMs: 600_000 })
    engines.push(engine)
    await engine.start()
    await new Promise((r) => setTimeout(r, 50))
    const first = table.add('soon', { kind: 'once', at: new Date(Date.now() + 200).toISOString() })
    await engine.schedule('soon', first as Date)
    // Without the wake-up it would sleep 10 minutes; with it the run comes within the test's wait.
    await expect.poll(() => table.fires('soon').length, { timeout: 30_000, interval: 50 }).toBe(1)
    table.db.close()
  })

  it('a run that falls due while a pass ends (the timer fired early) runs at once, not at the next look', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'patchbay-jobs-'))
    dirs.push(dir)
    // The engine's clock, skewed at will: the timer firing before the due time by this clock is
    // what libuv's cached loop time does by a few ms.
    let skewMs = 0
    const clock = {
      get now() {
        return new Date(Date.now() + skewMs)
      },
    }
    const table = new ScheduleTable(join(dir, 'jobs.db'), clock)
    const work: DueWork = {
      listDue: (until, limit) => table.listDue(until, limit),
      run: (run) => table.run(run),
      // The pass looked at the rows before the due time; by the time it asks for the next one, it has passed.
      nextDueAt: async () => {
        skewMs = 100
        return table.nextDueAt()
      },
    }
    const engine = new InProcessJobEngine({ work, now: () => clock.now, maxSleepMs: 600_000 })
    engines.push(engine)
    await engine.start()
    await new Promise((r) => setTimeout(r, 50))
    skewMs = 0
    const due = table.add('edge', { kind: 'once', at: new Date(Date.now() + 200).toISOString() })
    await engine.schedule('edge', due as Date)
    skewMs = -60
    // Before the fix the engine slept its 10 minutes here.
    await expect.poll(() => table.fires('edge').length, { timeout: 30_000, interval: 20 }).toBe(1)
    table.db.close()
  })
})
