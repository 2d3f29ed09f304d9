/**
 * aiXplain's real, unmodified Python SDK v2 triggers (`aix.Trigger`, run by ax-python) against a
 * real hub, on SQLite and PostgreSQL: time triggers of every schedule type with their `nextRunAt`,
 * get, search by agent (a bare JSON array), pause with save (PUT), delete; an event trigger on a
 * connected tool (activate_trigger, then /v1/triggers with its triggerId) that fires
 * `trigger.fired {triggerId, assetType, assetId, input, cause}` when its service delivers a signed
 * event; its delete (delete_trigger, then DELETE). Bad input answers a 4xx the SDK raises.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { fireTrigger, signatureHeaders } from '@patchbay/hub'
import { createTestDatabase, dropTestDatabases, postgresAvailable } from '../support/postgres.js'
import { call, startTestHub, type TestHub } from '../support/test-hub.js'
import { runSdk, sdkProblem, type SdkRun } from './sdk.js'

const problem = await sdkProblem()
const postgres = problem === undefined && (await postgresAvailable())
const databases = [{ db: 'sqlite' }, ...(postgres ? [{ db: 'postgres' }] : [])]
const WHSEC = 'whsec_v2_trigger_secret_5150'
const AGENT = '6650aaaabbbbccccdddd0001'

describe.skipIf(problem !== undefined).each(databases)('aiXplain Python SDK v2 triggers (real) against the hub on $db', ({ db }) => {
  let hub: TestHub
  let run: SdkRun
  const runAt = new Date(Date.now() + 7 * 86_400_000).toISOString().replace(/\.\d+Z$/, 'Z')
  const ok = (name: string) => {
    const s = run.json?.steps?.[name]
    expect(s, `${name}: ${JSON.stringify(s)}\n${run.stderr.slice(-2000)}`).toMatchObject({ ok: true })
    return s.value
  }
  const failed = (name: string) => {
    const s = run.json?.steps?.[name]
    expect(s?.ok, JSON.stringify(s)).toBe(false)
    return s as { error: string; message: string; status: number | null }
  }

  /** The trigger.fired event of `triggerId` from the events feed (PostgreSQL holds back the last moment, so it is polled). */
  const firedEvent = async (triggerId: string) => {
    const deadline = Date.now() + 15_000
    for (;;) {
      const feed = await call(hub, 'GET', '/api/v2/events?after=0&limit=100')
      const got = (feed.body.events as { type: string; data: Record<string, any> }[]).find((e) => e.type === 'trigger.fired' && e.data['triggerId'] === triggerId)
      if (got || Date.now() > deadline) return got
      await new Promise((r) => setTimeout(r, 250))
    }
  }

  beforeAll(async () => {
    hub = await startTestHub(db === 'postgres' ? { databaseUrl: await createTestDatabase() } : {})
    run = await runSdk('aixplain_v2_trigger_flows.py', {
      api_key: hub.key,
      backend_url: hub.url,
      model_url: `${hub.url}/api/v2/execute`,
      agent_id: AGENT,
      run_at: runAt,
      stripe_path: 'stripe',
      connection_name: `stripe-v2-triggers-${db}`,
      whsec: WHSEC,
    })
  }, 240_000)
  afterAll(async () => {
    await hub?.close()
    if (db === 'postgres') await dropTestDatabases()
  })

  it('runs to the end', () => {
    expect(run.code, run.stderr).toBe(0)
    expect(run.json?.steps).toBeDefined()
  })

  it('creates time triggers of every schedule type, each with its configuration and a nextRunAt', () => {
    const once = ok('create[once]')
    expect(once).toMatchObject({
      name: 't-once',
      input: 'Run once',
      asset_id: AGENT,
      asset_type: 'agent',
      trigger_type: 'time',
      enabled: true,
      notifications: false,
      schedule_type: 'once',
    })
    expect(once.id).toMatch(/^[0-9a-f]{24}$/)
    expect(new Date(once.next_run_at).toISOString()).toBe(new Date(runAt).toISOString())
    const daily = ok('create[daily]')
    expect(daily.configuration).toEqual({ type: 'daily', time: '09:00', timezone: 'Europe/London', daysOfWeek: null, daysOfMonth: null, runAt: null, startAt: null, repeat: null })
    // 09:00 in London is 08:00 or 09:00 UTC, depending on the season.
    expect(new Date(daily.next_run_at).getUTCMinutes()).toBe(0)
    expect([8, 9]).toContain(new Date(daily.next_run_at).getUTCHours())
    expect(Date.parse(daily.next_run_at)).toBeGreaterThan(Date.now())
    const recurring = ok('create[recurring]')
    expect(recurring.configuration.repeat).toEqual({ every: 2, unit: 'hour' })
    expect(Date.parse(recurring.next_run_at) - Date.parse(recurring.created_at)).toBe(2 * 3_600_000)
    expect(ok('create[weekly]').configuration).toMatchObject({ type: 'weekly', daysOfWeek: ['mon', 'thu'], time: '17:00' })
    expect(ok('create[monthly]').configuration).toMatchObject({ type: 'monthly', daysOfMonth: [1, 15], time: '08:30' })
    expect(new Date(ok('create[monthly]').next_run_at).getUTCDate()).toSatisfy((d: number) => d === 1 || d === 15)
  })

  it('gets, searches by agent (a bare array), pauses with save(), and deletes', async () => {
    expect(ok('get[daily]')).toMatchObject({ id: ok('create[daily]').id, name: 't-daily', trigger_type: 'time' })
    expect(ok('search[agent]')).toEqual(['t-daily', 't-monthly', 't-once', 't-recurring', 't-weekly'])
    expect(ok('list[other_agent]')).toEqual([])
    expect(ok('pause[recurring]')).toMatchObject({ enabled: false, name: 't-recurring' })
    expect(ok('delete[once]')).toBe('SUCCESS')
    expect(failed('get[once_deleted]').message).toMatch(/No trigger|404|not found/i)
    const list = await call(hub, 'GET', `/v1/triggers?agentId=${AGENT}`)
    expect(Array.isArray(list.body)).toBe(true)
    expect((list.body as { name: string }[]).map((t) => t.name).sort()).toEqual(['On invoice', 't-daily', 't-monthly', 't-recurring', 't-weekly'])
  })

  it('refuses bad input with a message naming the field', () => {
    expect(failed('bad[past_once]').message).toMatch(/configuration\.runAt/)
    expect(failed('bad[timezone]').message).toMatch(/timezone/)
    expect(failed('bad[event_config]').message).toMatch(/signing_secret|Failed to activate/)
  })

  it('an event trigger: activate_trigger on the tool, /v1/triggers with its triggerId; a signed delivery fires trigger.fired for the agent', async () => {
    const toolId = ok('connect[stripe]') as string
    expect(ok('tool_triggers')).toEqual({ slug: 'STRIPE_EVENT', connection_id: toolId })
    const ev = ok('create[event]')
    expect(ev).toMatchObject({ name: 'On invoice', trigger_type: 'external', asset_id: AGENT, input: 'Handle the invoice', enabled: true })
    expect(ev.trigger_id).toMatch(/^[0-9a-f]{24}$/)
    // The deleted one: delete_trigger removed its instance, then DELETE its record.
    const gone = ok('create[event_deleted]')
    expect(ok('delete[event_deleted]')).toBe('SUCCESS')
    expect(failed('get[event_deleted]').message).toBeTruthy()
    const instances = (await call(hub, 'GET', `/api/v2/connections/${toolId}/triggers`)).body.items as { triggerId: string; webhookUrl: string }[]
    expect(instances.map((i) => i.triggerId)).toEqual([ev.trigger_id])
    expect(instances.map((i) => i.triggerId)).not.toContain(gone.trigger_id)

    const body = JSON.stringify({ id: 'evt_v2', object: 'event', type: 'invoice.paid', created: Math.floor(Date.now() / 1000), data: { object: { id: 'in_v2' } } })
    const res = await fetch(instances[0]!.webhookUrl, { method: 'POST', headers: { 'content-type': 'application/json', ...signatureHeaders('stripe', WHSEC, body) }, body })
    expect(res.status, await res.clone().text()).toBe(200)
    expect(await res.json()).toEqual({ received: true, fired: 1 })
    expect((await firedEvent(ev.id))?.data).toEqual({
      triggerId: ev.id,
      name: 'On invoice',
      assetType: 'agent',
      assetId: AGENT,
      input: 'Handle the invoice',
      cause: { type: 'webhook', kind: 'invoice.paid', triggerInstanceId: ev.trigger_id, slug: 'STRIPE_EVENT', connectionId: toolId, payload: JSON.parse(body) },
    })
  })

  it('a time trigger fired by the scheduler at its due time emits trigger.fired with the agent, input and cause', async () => {
    const daily = ok('create[daily]')
    const due = daily.next_run_at as string
    const row = await hub.hub.store.triggers.getById(daily.id)
    const result = await fireTrigger(hub.hub.store, daily.id, {
      cause: { type: 'schedule', scheduledAt: due },
      advance: { from: row!.next_run_at, to: new Date(Date.parse(due) + 86_400_000).toISOString() },
    })
    expect(result.recorded).toBe(true)
    expect((await firedEvent(daily.id))?.data).toEqual({
      triggerId: daily.id,
      name: 't-daily',
      assetType: 'agent',
      assetId: AGENT,
      input: 'Run daily',
      cause: { type: 'schedule', scheduledAt: due },
    })
    const after = await call(hub, 'GET', `/v1/triggers/${daily.id}`)
    expect(after.body.lastRunAt).toBeTruthy()
    expect(Date.parse(after.body.nextRunAt)).toBe(Date.parse(due) + 86_400_000)
  })
})
