import { mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { generateMasterKey } from '@patchbay/hub'
import { startEchoService, type EchoService } from '../support/echo-service.js'
import { startHubProcess, startHubProcesses, stopAllProcesses, waitFor, type HubProcess } from '../support/hub-processes.js'
import { createTestDatabase, dropTestDatabases, postgresAvailable } from '../support/postgres.js'
import { call } from '../support/test-hub.js'
import { startWebhookReceiver, type WebhookReceiver } from '../support/webhook-receiver.js'

/**
 * The outbox across processes: an event whose change was acknowledged is delivered even when the
 * hub is SIGKILLed before delivering it (state in the database), and on PostgreSQL two hub
 * processes sharing the outbox deliver each event once.
 */
const available = await postgresAvailable()
const apiKey = 'webhooks-test-key-0123456789abcdef'

async function connect(hub: HubProcess, name: string): Promise<string> {
  const r = await call(hub, 'POST', '/api/v2/execute/patchbay%2Fecho', { name, data: { region: 'eu', token: `tok-${name}` } })
  expect(r.status, JSON.stringify(r.body)).toBe(200)
  return r.body.data.id as string
}

describe('webhook outbox across processes', () => {
  let echo: EchoService
  let receiver: WebhookReceiver

  beforeAll(async () => {
    echo = await startEchoService()
  })
  afterEach(async () => {
    await stopAllProcesses()
    await receiver?.close()
  })
  afterAll(async () => {
    await echo?.close()
    if (available) await dropTestDatabases()
  })

  const databases: [string, () => Promise<string>][] = [['SQLite', async () => join(await mkdtemp(join(tmpdir(), 'pb-hooks-')), 'patchbay.db')]]
  if (available) databases.push(['PostgreSQL', createTestDatabase])

  it.each(databases)(
    '%s: a hub SIGKILLed between the change and the delivery delivers it after a restart, same webhook-id',
    async (_name, database) => {
      const databaseUrl = await database()
      const masterKeys = [generateMasterKey()]
      receiver = await startWebhookReceiver()
      receiver.respond = () => 503
      const options = { databaseUrl, masterKeys, apiKey, catalogDirs: [echo.catalogDir] }
      let hub = await startHubProcess({ ...options, name: 'before' })
      const set = await call(hub, 'PUT', '/api/v2/webhooks', { url: receiver.url })
      receiver.secret = set.body.secret
      const id = await connect(hub, 'killed')
      // The refused attempt is recorded (a retry is due in seconds); then the process dies.
      await waitFor(async () => (await call(hub, 'GET', '/api/v2/webhooks/deliveries')).body.items[0]?.attempts.length === 1, 'the first (refused) attempt', 10_000)
      await hub.kill()
      const refused = receiver.received.map((r) => r.id)
      receiver.respond = () => 204
      hub = await startHubProcess({ ...options, name: 'after' })
      await waitFor(() => receiver.received.length > refused.length, 'the delivery after the restart', 20_000)
      const last = receiver.received[receiver.received.length - 1]!
      expect(last.verified).toBe(true)
      expect(last.id).toBe(refused[0])
      expect(last.payload).toMatchObject({ type: 'connection.created', data: { connectionId: id } })
      await waitFor(async () => (await call(hub, 'GET', '/api/v2/webhooks/deliveries?status=DELIVERED')).body.items.length === 1, 'recorded delivered', 5_000)
    },
    90_000,
  )

  it.skipIf(!available)(
    'PostgreSQL: two hub processes deliver each event once',
    async () => {
      const databaseUrl = await createTestDatabase()
      receiver = await startWebhookReceiver()
      const hubs = await startHubProcesses(2, { databaseUrl, masterKeys: [generateMasterKey()], apiKey, catalogDirs: [echo.catalogDir] })
      const set = await call(hubs[0]!, 'PUT', '/api/v2/webhooks', { url: receiver.url })
      receiver.secret = set.body.secret
      const n = 24
      const ids = await Promise.all(Array.from({ length: n }, (_, i) => connect(hubs[i % 2]!, `pair-${i}`)))
      await waitFor(() => new Set(receiver.received.map((r) => r.id)).size >= n, `${n} deliveries`, 30_000)
      // Both processes poll every second: wait for a few more rounds, then count.
      await new Promise((r) => setTimeout(r, 2_500))
      expect(receiver.received.length).toBe(n)
      expect(receiver.received.every((r) => r.verified)).toBe(true)
      expect(new Set(receiver.received.map((r) => r.payload?.data['connectionId']))).toEqual(new Set(ids))
      // The feed answers the same events from either process.
      const feed = await Promise.all(hubs.map(async (h) => (await call(h, 'GET', '/api/v2/events?wait=5')).body.events.length))
      expect(feed).toEqual([n, n])
    },
    120_000,
  )
})
