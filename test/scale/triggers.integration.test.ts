import { Kysely, PostgresDialect, sql } from 'kysely'
import pg from 'pg'
import { afterAll, afterEach, describe, expect, it } from 'vitest'
import { generateMasterKey } from '@patchbay/hub'
import { startHubProcess, startHubProcesses, stopAllProcesses, waitFor } from '../support/hub-processes.js'
import { createTestDatabase, dropTestDatabases, postgresAvailable } from '../support/postgres.js'
import { call } from '../support/test-hub.js'
import { timeTriggerRow } from '../support/trigger-fixtures.js'
import { startWebhookReceiver, type WebhookReceiver } from '../support/webhook-receiver.js'

/**
 * Schedules across hub processes on PostgreSQL (pg-boss): every due time fires exactly once
 * whatever the number of processes, and a trigger event whose delivery was cut by a SIGKILL is
 * delivered after a restart with the same webhook-id.
 */
const available = await postgresAvailable()
const apiKey = 'triggers-scale-key-0123456789abcdef'

function open(url: string): Kysely<any> {
  return new Kysely<any>({ dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: url, max: 2 }) }) })
}

/** Inserts `n` aiXplain daily time triggers of the only tenant, all due at `due` (as v1/triggers would store them). */
async function insertTimeTriggers(db: Kysely<any>, n: number, due: Date): Promise<string[]> {
  const tenant = (await sql<{ id: string }>`SELECT id FROM tenants LIMIT 1`.execute(db)).rows[0]?.id as string
  const now = new Date().toISOString()
  const hhmm = due.toISOString().slice(11, 16)
  const ids = Array.from({ length: n }, (_, i) => `sched${String(i).padStart(19, '0')}`)
  const rows = ids.map((id, i) =>
    timeTriggerRow({
      id,
      tenant_id: tenant,
      configuration: JSON.stringify({ type: 'daily', time: hhmm, timezone: 'UTC' }),
      next_run_at: due.toISOString(),
      created_at: now,
      name: `schedule ${i}`,
      input: JSON.stringify({ i }),
      asset_type: 'agent',
      asset_id: 'agent-1',
    }),
  )
  await db.insertInto('trigger_instances').values(rows).execute()
  return ids
}

/** `trigger.fired` events per trigger id. */
async function firedCounts(db: Kysely<any>): Promise<Map<string, number>> {
  const { rows } = await sql<{ data: string }>`SELECT data FROM events WHERE type = 'trigger.fired'`.execute(db)
  const counts = new Map<string, number>()
  for (const r of rows) {
    const id = (JSON.parse(r.data) as { triggerId: string }).triggerId
    counts.set(id, (counts.get(id) ?? 0) + 1)
  }
  return counts
}

describe.skipIf(!available)('schedules across hub processes (PostgreSQL, pg-boss)', () => {
  let receiver: WebhookReceiver | undefined
  const dbs: Kysely<any>[] = []
  afterEach(async () => {
    await stopAllProcesses()
    await receiver?.close()
    for (const db of dbs.splice(0)) await db.destroy()
  })
  afterAll(async () => {
    if (available) await dropTestDatabases()
  })

  it('3 hub processes and 200 schedules due in the same minute: each fires exactly once', async () => {
    const databaseUrl = await createTestDatabase()
    const hubs = await startHubProcesses(3, { databaseUrl, masterKeys: [generateMasterKey()], apiKey, readyTimeoutMs: 90_000 })
    const db = open(databaseUrl)
    dbs.push(db)
    // Rows written straight to the table (no engine told): the once-a-minute sweep finds them.
    const due = new Date(Math.ceil((Date.now() + 20_000) / 1000) * 1000)
    const ids = await insertTimeTriggers(db, 200, due)
    await waitFor(async () => (await firedCounts(db)).size === 200, '200 schedules fired', 150_000)
    // Three processes polling every second for a few more rounds: nothing fires twice.
    await new Promise((r) => setTimeout(r, 4_000))
    const counts = await firedCounts(db)
    expect([...counts.keys()].sort()).toEqual(ids)
    expect([...counts.values()].filter((n) => n !== 1)).toEqual([])
    // Each moved to its time (HH:MM of the due time) on the next day, and the events carry their due time.
    const tomorrow = `${new Date(due.getTime() + 86_400_000).toISOString().slice(0, 16)}:00.000Z`
    const { rows } = await sql<{ next_run_at: string; n: number }>`SELECT next_run_at, count(*)::int AS n FROM trigger_instances GROUP BY next_run_at`.execute(db)
    expect(rows).toEqual([{ next_run_at: tomorrow, n: 200 }])
    const { rows: causes } = await sql<{ data: string }>`SELECT data FROM events WHERE type = 'trigger.fired' LIMIT 1`.execute(db)
    expect(JSON.parse(causes[0]?.data as string).cause).toEqual({ type: 'schedule', scheduledAt: due.toISOString() })
    // Every process ran with the engine (their logs name no job-engine failure).
    for (const h of hubs) expect(h.output()).not.toContain('the job engine did not start')
  }, 240_000)

  it('a trigger event whose delivery was cut by a SIGKILL is delivered after a restart, same webhook-id, fired once', async () => {
    const databaseUrl = await createTestDatabase()
    const masterKeys = [generateMasterKey()]
    receiver = await startWebhookReceiver()
    receiver.respond = () => 503
    const options = { databaseUrl, masterKeys, apiKey, readyTimeoutMs: 90_000 }
    let hub = await startHubProcess({ ...options, name: 'before' })
    const set = await call(hub, 'PUT', '/api/v2/webhooks', { url: receiver.url })
    receiver.secret = set.body.secret
    const db = open(databaseUrl)
    dbs.push(db)
    const [id] = await insertTimeTriggers(db, 1, new Date(Date.now() + 2_000))
    const r = receiver
    await waitFor(() => r.received.some((w) => w.payload?.type === 'trigger.fired'), 'the first (refused) delivery of trigger.fired', 120_000)
    await hub.kill()
    const refused = r.received.filter((w) => w.payload?.type === 'trigger.fired').map((w) => w.id)
    r.respond = () => 204
    hub = await startHubProcess({ ...options, name: 'after' })
    await waitFor(() => r.received.filter((w) => w.payload?.type === 'trigger.fired').length > refused.length, 'the delivery after the restart', 60_000)
    const delivered = r.received.filter((w) => w.payload?.type === 'trigger.fired').at(-1)
    expect(delivered?.verified).toBe(true)
    expect(delivered?.id).toBe(refused[0])
    expect(delivered?.payload).toMatchObject({ type: 'trigger.fired', data: { triggerId: id, assetType: 'agent', cause: { type: 'schedule' } } })
    expect(await firedCounts(db)).toEqual(new Map([[id, 1]]))
  }, 240_000)
})
