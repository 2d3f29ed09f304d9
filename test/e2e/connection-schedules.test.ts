import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { waitFor } from '../support/hub-processes.js'
import { call, startTestHub, type TestHub } from '../support/test-hub.js'
import { startUpstream, type Upstream } from '../support/upstream.js'
import { startWebhookReceiver, type WebhookReceiver } from '../support/webhook-receiver.js'

/**
 * Schedules on a connection end to end through the real hub on SQLite: the built-in `SCHEDULE`
 * trigger on an HTTP API connection to a local stand-in service, run by the hub's own job engine
 * on real time, its `trigger.fired` (with the action's result) delivered through the outbox to a
 * local receiver; bad configs answer 400 naming the field; GET, PATCH and DELETE work on it.
 */
describe('schedules on a connection (real hub)', () => {
  let hub: TestHub
  let receiver: WebhookReceiver
  let upstream: Upstream
  let conn: string

  beforeAll(async () => {
    receiver = await startWebhookReceiver()
    upstream = await startUpstream()
    upstream.handler = (req) => (req.path === '/daily' ? { body: { total: 42 } } : undefined)
    hub = await startTestHub({ delivery: { pollMs: 100, baseDelayMs: 100, maxDelayMs: 400 } })
    const r = await call(hub, 'PUT', '/api/v2/webhooks', { url: receiver.url, events: ['trigger.fired', 'trigger.failed'] })
    expect(r.status, r.text).toBe(201)
    receiver.secret = r.body.secret
    const c = await call(hub, 'POST', '/api/v2/execute/http-api', { name: 'sched', data: { base_url: upstream.url, token: 'tok-sched-1' } })
    expect(c.status, c.text).toBe(200)
    conn = c.body.data.id as string
  })
  afterAll(async () => {
    await hub?.close()
    await upstream?.close()
    await receiver?.close()
  })

  const path = () => `/api/v2/connections/${conn}/triggers`

  it('a once schedule runs the action at its time and delivers trigger.fired with the result; then it is unscheduled', async () => {
    const once = new Date(Date.now() + 2_000).toISOString()
    const r = await call(hub, 'POST', path(), { slug: 'SCHEDULE', config: { action: 'REQUEST', input: { method: 'GET', path: '/daily' }, schedule: { once } } })
    expect(r.status, r.text).toBe(201)
    expect(r.body).toEqual({ triggerId: expect.any(String), nextRunAt: once })
    const { triggerId } = r.body as { triggerId: string }
    await waitFor(() => receiver.received.some((x) => x.payload?.type === 'trigger.fired' && x.payload.data['triggerId'] === triggerId), 'schedule trigger.fired', 30_000)
    const fired = receiver.received.find((x) => x.payload?.data['triggerId'] === triggerId)
    expect(fired?.verified).toBe(true)
    expect(fired?.payload?.data).toMatchObject({
      connectionId: conn,
      action: 'REQUEST',
      result: { status: 200, body: { total: 42 } },
      cause: { type: 'schedule', scheduledAt: once },
    })
    const list = await call(hub, 'GET', path())
    expect(list.body.items.find((i: { triggerId: string }) => i.triggerId === triggerId)).toMatchObject({ slug: 'SCHEDULE', type: 'schedule', nextRunAt: null, enabled: true })
  })

  it('bad configs answer 400 naming the field, never 5xx', async () => {
    const ok = { action: 'REQUEST', input: { method: 'GET', path: '/daily' }, schedule: { everySeconds: 3600 } }
    const cases: [unknown, RegExp][] = [
      [{ ...ok, action: 'SEND' }, /config\.action must be an action of/],
      [{ ...ok, input: { method: 'GET' } }, /config\.input: 'path' is required/],
      [{ ...ok, input: { method: 'FETCH', path: '/x' } }, /config\.input: 'method' must be one of/],
      [{ ...ok, schedule: { everySeconds: 30 } }, /config\.schedule\.everySeconds .* at least 60/],
      [{ ...ok, schedule: { cron: 'every day' } }, /config\.schedule\.cron/],
      [{ ...ok, schedule: { cron: '0 8 * * *', timezone: 'Nowhere/City' } }, /config\.schedule\.timezone/],
      ['nope', /config must be a JSON object/],
    ]
    for (const [config, message] of cases) {
      const r = await call(hub, 'POST', path(), { slug: 'schedule', config })
      expect(r.status, r.text).toBe(400)
      expect(r.text).toMatch(message)
    }
  })

  it('GET, PATCH (pause, resume) and DELETE work on a cron schedule in a time zone', async () => {
    const r = await call(hub, 'POST', path(), {
      slug: 'SCHEDULE',
      config: { action: 'REQUEST', input: { method: 'GET', path: '/daily' }, schedule: { cron: '0 8 * * *', timezone: 'Europe/Berlin' } },
    })
    expect(r.status, r.text).toBe(201)
    const { triggerId, nextRunAt } = r.body as { triggerId: string; nextRunAt: string }
    expect(new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/Berlin', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(new Date(nextRunAt))).toBe('08:00')
    const paused = await call(hub, 'PATCH', `${path()}/${triggerId}`, { enabled: false })
    expect(paused.status, paused.text).toBe(200)
    expect(paused.body).toMatchObject({ enabled: false, config: { action: 'REQUEST', schedule: { cron: '0 8 * * *', timezone: 'Europe/Berlin' } } })
    const resumed = await call(hub, 'PATCH', `${path()}/${triggerId}`, { enabled: true })
    expect(resumed.body).toMatchObject({ enabled: true, nextRunAt })
    expect((await call(hub, 'DELETE', `${path()}/${triggerId}`)).status).toBe(200)
    expect((await call(hub, 'GET', path())).body.items.map((i: { triggerId: string }) => i.triggerId)).not.toContain(triggerId)
    expect((await call(hub, 'DELETE', `${path()}/${triggerId}`)).status).toBe(404)
  })
})
