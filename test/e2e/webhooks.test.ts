import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createClient } from '@patchbay/sdk'
import { startEchoService, type EchoService } from '../support/echo-service.js'
import { call, startTestHub, type TestHub } from '../support/test-hub.js'
import { startWebhookReceiver, type WebhookReceiver } from '../support/webhook-receiver.js'
import { waitFor } from '../support/hub-processes.js'

/**
 * Auth webhooks end to end: endpoints set over the API, connection events delivered through the
 * outbox and verified by a receiver with the `standardwebhooks` package, retries with the same
 * webhook-id, attempts readable, and the events feed (pagination, long-poll).
 */
describe('webhooks and the events feed', () => {
  let echo: EchoService
  let hub: TestHub
  let receiver: WebhookReceiver
  const token = 'tok-webhook-secret-7777'

  beforeAll(async () => {
    echo = await startEchoService()
    receiver = await startWebhookReceiver()
    hub = await startTestHub({ catalogDirs: [echo.catalogDir], delivery: { pollMs: 100, baseDelayMs: 100, maxDelayMs: 400 } })
  })
  afterAll(async () => {
    await hub?.close()
    await receiver?.close()
    await echo?.close()
  })

  const connect = async (name: string) => {
    const r = await call(hub, 'POST', '/api/v2/execute/patchbay%2Fecho', { name, data: { region: 'eu', token } })
    expect(r.status, r.text).toBe(200)
    return r.body.data.id as string
  }

  it('sets an endpoint: 201 with a whsec_ secret shown once, listed without it; bad input is a 400 saying what to fix', async () => {
    const bad = await call(hub, 'PUT', '/api/v2/webhooks', { url: 'ftp://example.com/x' })
    expect(bad.status).toBe(400)
    expect(bad.text).toMatch(/http or https/)
    const badEvents = await call(hub, 'PUT', '/api/v2/webhooks', { url: receiver.url, events: ['connection.nope'] })
    expect(badEvents.status).toBe(400)
    expect(badEvents.text).toMatch(/connection\.created/)
    const r = await call(hub, 'PUT', '/api/v2/webhooks', { url: receiver.url })
    expect(r.status, r.text).toBe(201)
    expect(r.body).toMatchObject({ url: receiver.url, events: null })
    expect(r.body.secret).toMatch(/^whsec_[A-Za-z0-9+/]{32}$/)
    receiver.secret = r.body.secret
    const list = await call(hub, 'GET', '/api/v2/webhooks')
    expect(list.body.items).toEqual([{ id: r.body.id, url: receiver.url, events: null, createdAt: expect.any(String) }])
    expect(list.text).not.toContain(r.body.secret.slice(6))
    // The secret is sealed in the database, not stored as given.
    const row = await hub.hub.store.db.selectFrom('webhook_endpoints').select('secret').executeTakeFirstOrThrow()
    expect(row.secret).not.toContain(r.body.secret.slice(6))
    // Another tenant sees none of it.
    expect((await call({ url: hub.url, key: await hub.newKey() }, 'GET', '/api/v2/webhooks')).body.items).toEqual([])
  })

  it('delivers connection.created signed with Standard Webhooks, with no credential in it', async () => {
    const id = await connect('hooked')
    await waitFor(() => receiver.received.some((r) => r.payload?.data['connectionId'] === id), 'connection.created delivery', 10_000)
    const got = receiver.received.find((r) => r.payload?.data['connectionId'] === id)!
    expect(got.verified).toBe(true)
    expect(got.id).toMatch(/^msg_/)
    expect(got.payload).toEqual({
      type: 'connection.created',
      timestamp: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      data: { connectionId: id, integration: expect.any(String), endUserId: null, tags: null },
    })
    expect(got.body).not.toContain(token)
    expect(receiver.received.every((r) => r.verified)).toBe(true)
  })

  it('retries a failing receiver with the same webhook-id until it succeeds, and records every attempt', async () => {
    let failures = 0
    receiver.respond = () => (failures++ < 2 ? 503 : 200)
    const before = receiver.received.length
    const id = await connect('flaky')
    await waitFor(() => receiver.received.filter((r) => r.payload?.data['connectionId'] === id).length >= 3, 'three attempts', 15_000)
    const tries = receiver.received.slice(before).filter((r) => r.payload?.data['connectionId'] === id)
    expect(new Set(tries.map((t) => t.id)).size).toBe(1)
    expect(tries.every((t) => t.verified)).toBe(true)
    receiver.respond = () => 204
    await waitFor(async () => (await call(hub, 'GET', '/api/v2/webhooks/deliveries?status=DELIVERED')).body.items.some((d: any) => d.id === tries[0]!.id), 'delivered', 5_000)
    const d = (await call(hub, 'GET', '/api/v2/webhooks/deliveries')).body.items.find((x: any) => x.id === tries[0]!.id)
    expect(d).toMatchObject({ status: 'DELIVERED', eventType: 'connection.created', nextAttemptAt: null })
    expect(d.attempts.map((a: any) => a.statusCode)).toEqual([503, 503, 200])
    expect(d.attempts[0].error).toMatch(/503/)
    const bad = await call(hub, 'GET', '/api/v2/webhooks/deliveries?status=LOST')
    expect(bad.status).toBe(400)
  })

  it('reports a reconnect and a delete', async () => {
    const id = await connect('to-delete')
    const re = await call(hub, 'POST', '/api/v2/execute/patchbay%2Fecho', { data: { assetId: id, region: 'eu', token: 'tok-new-8888' } })
    expect(re.status, re.text).toBe(200)
    const del = await call(hub, 'DELETE', `/v2/tools/${id}`)
    expect(del.status, del.text).toBe(200)
    const types = () => receiver.received.filter((r) => r.payload?.data['connectionId'] === id).map((r) => r.payload!.type)
    await waitFor(() => types().length >= 3, 'three events', 10_000)
    expect(types()).toEqual(['connection.created', 'connection.reauthorized', 'connection.deleted'])
    expect(receiver.received.some((r) => r.body.includes('tok-new-8888'))).toBe(false)
  })

  it('an endpoint subscribed to some types gets only those; a removed endpoint gets nothing more', async () => {
    const only = await startWebhookReceiver()
    try {
      const r = await call(hub, 'PUT', '/api/v2/webhooks', { url: only.url, events: ['connection.deleted'] })
      only.secret = r.body.secret
      const id = await connect('filtered')
      expect((await call(hub, 'DELETE', `/v2/tools/${id}`)).status).toBe(200)
      await waitFor(() => only.received.length >= 1, 'deleted event', 10_000)
      expect(only.received.map((x) => [x.payload?.type, x.verified])).toEqual([['connection.deleted', true]])
      expect((await call(hub, 'DELETE', `/api/v2/webhooks/${r.body.id}`)).body).toEqual({ id: r.body.id, deleted: true })
      expect((await call(hub, 'DELETE', `/api/v2/webhooks/${r.body.id}`)).status).toBe(404)
    } finally {
      await only.close()
    }
  })

  it('the events feed pages with a cursor and long-polls', async () => {
    const all = await call(hub, 'GET', '/api/v2/events')
    expect(all.status).toBe(200)
    expect(all.body.events.length).toBeGreaterThanOrEqual(5)
    expect(all.body.events[0]).toEqual({ id: expect.stringMatching(/^evt_/), type: 'connection.created', timestamp: expect.any(String), data: expect.any(Object) })
    expect(all.text).not.toContain(token)
    const first = await call(hub, 'GET', '/api/v2/events?limit=2')
    const second = await call(hub, 'GET', `/api/v2/events?limit=2&after=${first.body.nextCursor}`)
    expect([...first.body.events, ...second.body.events].map((e: any) => e.id)).toEqual(all.body.events.slice(0, 4).map((e: any) => e.id))
    const end = all.body.nextCursor
    const empty = await call(hub, 'GET', `/api/v2/events?after=${end}`)
    expect(empty.body).toEqual({ events: [], nextCursor: end })
    // A long-poll answers as soon as an event is recorded.
    const started = Date.now()
    const waiting = call(hub, 'GET', `/api/v2/events?after=${end}&wait=20`)
    await new Promise((r) => setTimeout(r, 300))
    const id = await connect('long-polled')
    const polled = await waiting
    expect(Date.now() - started).toBeLessThan(10_000)
    expect(polled.body.events.map((e: any) => [e.type, e.data.connectionId])).toEqual([['connection.created', id]])
    // A bounded wait with nothing new answers empty.
    const t0 = Date.now()
    const none = await call(hub, 'GET', `/api/v2/events?after=${polled.body.nextCursor}&wait=1`)
    expect(none.body.events).toEqual([])
    expect(Date.now() - t0).toBeGreaterThanOrEqual(900)
    expect((await call(hub, 'GET', '/api/v2/events?wait=31')).status).toBe(400)
    expect((await call(hub, 'GET', '/api/v2/events?after=abc')).status).toBe(400)
  })

  it('the SDK iterates the feed with for await, resuming after an event id', async () => {
    const client = createClient({ apiKey: hub.key, backendUrl: hub.url, env: {} })
    const all = (await call(hub, 'GET', '/api/v2/events')).body.events as { id: string }[]
    const controller = new AbortController()
    const seen: string[] = []
    for await (const event of client.events({ after: all[1]!.id, waitSeconds: 1, signal: controller.signal })) {
      seen.push(event.id)
      if (seen.length === all.length - 2) controller.abort()
    }
    expect(seen).toEqual(all.slice(2).map((e) => e.id))
    const other = createClient({ apiKey: await hub.newKey(), backendUrl: hub.url, env: {} })
    await expect(other.events({ after: all[0]!.id }).next()).rejects.toThrow(/names no event of yours/)
  })
})
