import { Kysely, PostgresDialect, sql } from 'kysely'
import pg from 'pg'
import { afterAll, describe, expect, it } from 'vitest'
import { createTestDatabase, dropTestDatabases, postgresAvailable } from '../../../../../test/support/postgres.js'
import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { PgScheduleTable } from '../../../../../test/support/pg-schedule-table.js'
import { PgBossJobEngine, runJobId } from './pg-boss-job-engine.js'

const available = await postgresAvailable()
afterAll(dropTestDatabases)

function open(url: string): Kysely<any> {
  return new Kysely<any>({ dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: url, max: 4 }) }) })
}

const fires = (db: Kysely<any>) => PgScheduleTable.fires(db)

describe.skipIf(!available)('PgBossJobEngine on PostgreSQL', () => {
  it('three engines (separate pools, as separate processes) run each of 200 runs due at one instant exactly once', async () => {
    const url = await createTestDatabase()
    const dbs = [open(url), open(url), open(url)]
    const admin = dbs[0] as Kysely<any>
    await PgScheduleTable.create(admin)
    const due = new Date(Math.ceil((Date.now() + 8_000) / 1000) * 1000)
    await sql`INSERT INTO jobs SELECT 'job-' || i, ${JSON.stringify({ kind: 'once', at: due.toISOString() })}::jsonb, ${due} FROM generate_series(1, 200) i`.execute(admin)
    // One interval schedule, to see its next run queued after the first.
    const every = { kind: 'interval', everySeconds: 60, startAt: due.toISOString() }
    await sql`INSERT INTO jobs VALUES ('interval', ${JSON.stringify(every)}::jsonb, ${due})`.execute(admin)
    const tables = dbs.map((db, i) => new PgScheduleTable(db, `engine-${i}`))
    const engines = tables.map((work, i) => new PgBossJobEngine({ db: dbs[i] as Kysely<any>, work, pollingIntervalSeconds: 0.5 }))
    try {
      // All three install pg-boss's schema and sweep at once: the same due runs are queued three times.
      await Promise.all(engines.map((e) => e.start()))
      for (const e of engines) await e.schedule('job-1', due)
      await expect.poll(async () => (await fires(admin)).length, { timeout: 60_000, interval: 250 }).toBe(201)
      // Let every engine poll a few more times: nothing runs twice.
      await new Promise((r) => setTimeout(r, 3_000))
      const rows = await fires(admin)
      expect(rows).toHaveLength(201)
      expect(rows.filter((r) => r.n !== 1)).toEqual([])
      expect(tables.reduce((n, t) => n + t.attempts, 0)).toBe(201)
      const { rows: queued } = await sql<{ n: number }>`SELECT count(*)::int AS n FROM pgboss.job WHERE name = 'patchbay-trigger-runs' AND start_after = ${due}`.execute(admin)
      expect(queued[0]?.n).toBe(201)
      // The interval schedule's next run (a minute later) is queued under its derived id.
      const next = new Date(due.getTime() + 60_000)
      const { rows: successor } = await sql<{ state: string }>`SELECT state FROM pgboss.job WHERE id = ${runJobId('interval', next)}`.execute(admin)
      expect(successor.map((r) => r.state)).toEqual(['created'])
    } finally {
      await Promise.all(engines.map((e) => e.stop()))
      await Promise.all(dbs.map((db) => db.destroy()))
    }
  })

  it('a run scheduled while the engine is still installing pg-boss is neither refused nor lost', async () => {
    const url = await createTestDatabase()
    const db = open(url)
    await PgScheduleTable.create(db)
    const due = new Date(Math.ceil((Date.now() + 4_000) / 1000) * 1000)
    await sql`INSERT INTO jobs VALUES ('early', ${JSON.stringify({ kind: 'once', at: due.toISOString() })}::jsonb, ${due})`.execute(db)
    const engine = new PgBossJobEngine({ db, work: new PgScheduleTable(db, 'engine'), pollingIntervalSeconds: 0.5 })
    try {
      const starting = engine.start()
      // What a trigger created in the hub's first second does: before, this threw (no pgboss.job yet).
      await expect(engine.schedule('early', due)).resolves.toBeUndefined()
      await starting
      await expect.poll(async () => (await fires(db)).length, { timeout: 30_000, interval: 250 }).toBe(1)
    } finally {
      await engine.stop()
      await db.destroy()
    }
  })

  it('a process SIGKILLed mid-run loses nothing: its run is retried in another process once pg-boss expires it', async () => {
    const url = await createTestDatabase()
    const db = open(url)
    await PgScheduleTable.create(db)
    const due = new Date(Date.now() + 1_000)
    await sql`INSERT INTO jobs VALUES ('killed', ${JSON.stringify({ kind: 'once', at: due.toISOString() })}::jsonb, ${due})`.execute(db)
    const script = fileURLToPath(new URL('../../../../../test/support/job-engine-child.ts', import.meta.url))
    const child = spawn(process.execPath, ['--import', 'tsx', script, url, '3'], { stdio: ['ignore', 'pipe', 'pipe'] })
    let output = ''
    child.stdout.on('data', (d: Buffer) => (output += d))
    child.stderr.on('data', (d: Buffer) => (output += d))
    const exited = new Promise((r) => child.once('exit', r))
    const started = async () => (await sql<{ engine: string }>`SELECT engine FROM started`.execute(db)).rows.map((r) => r.engine)
    const engine = new PgBossJobEngine({ db, work: new PgScheduleTable(db, 'survivor'), pollingIntervalSeconds: 0.5, expireInSeconds: 3, maintenanceIntervalSeconds: 1 })
    try {
      await expect.poll(started, { timeout: 60_000, interval: 200 }).toEqual(['child'])
      expect(output).toContain('ready')
      child.kill('SIGKILL')
      await exited
      await engine.start()
      await expect.poll(() => fires(db), { timeout: 60_000, interval: 250 }).toEqual([{ job_id: 'killed', engine: 'survivor', n: 1 }])
      expect(await started()).toEqual(['child', 'survivor'])
    } finally {
      child.kill('SIGKILL')
      await engine.stop()
      await db.destroy()
    }
  })
})
