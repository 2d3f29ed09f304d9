import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { connectHttpApi } from '../scale/fixtures.js'
import { call, startTestHub, type TestHub } from '../support/test-hub.js'
import { startUpstream, type Upstream } from '../support/upstream.js'

const METRICS_TOKEN = 'fast-lane-metrics-token-0123456789'

/**
 * The fast lane of `POST /api/v2/execute/{connection id}` (packages/hub/src/http/fast-execute.ts)
 * answers exactly as the Fastify route does. Over a socket a request takes the lane; through
 * `app.inject()` the same request takes the route; both answers are compared, case by case.
 */
describe('the fast lane of the action run answers as the Fastify route does', () => {
  let hub: TestHub
  let upstream: Upstream
  let conn: string

  beforeAll(async () => {
    upstream = await startUpstream((req) => (req.path === '/fail' ? { status: 500, body: { error: 'boom' } } : undefined))
    hub = await startTestHub({ logLevel: 'info', metricsToken: METRICS_TOKEN })
    conn = await connectHttpApi({ url: hub.url, key: hub.key }, upstream.url, 'upstream-token-fast-lane-123')
  })
  afterAll(async () => {
    await hub?.close()
    await upstream?.close()
  })

  async function laneCount(outcome: string): Promise<number> {
    const text = await (await fetch(`${hub.url}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } })).text()
    const m = new RegExp(`^patchbay_http_fast_lane_total\\{outcome="${outcome}"\\} (\\d+)`, 'm').exec(text)
    return m ? Number(m[1]) : 0
  }

  /** The same request over the socket and through inject: status, JSON body (runTime and the service's date aside) and headers. */
  async function both(raw: string, key = hub.key, id = conn, headers: Record<string, string> = {}) {
    const h = { 'content-type': 'application/json', 'x-api-key': key, ...headers }
    const socket = await fetch(`${hub.url}/api/v2/execute/${id}`, { method: 'POST', headers: h, body: raw })
    const injected = await hub.hub.app.inject({ method: 'POST', url: `/api/v2/execute/${id}`, headers: h, payload: raw })
    // The service's own `date` header (in the run's output) changes when the two calls straddle a second.
    const norm = (text: string) => {
      const body = JSON.parse(text, (k, v) => (k === 'date' && typeof v === 'string' ? 'a date' : v))
      if (typeof body.runTime === 'number') body.runTime = 'n'
      return body
    }
    return {
      lane: { status: socket.status, body: norm(await socket.text()), headers: socket.headers },
      route: { status: injected.statusCode, body: norm(injected.body), headers: injected.headers },
    }
  }

  const cases: [string, string | (() => string), number][] = [
    ['an action run', JSON.stringify({ action: 'REQUEST', data: { method: 'GET', path: '/items/1' } }), 200],
    ["a service's failure (a 2xx FAILED body)", JSON.stringify({ action: 'REQUEST', data: { method: 'GET', path: '/fail' } }), 200],
    ['discovery', JSON.stringify({ action: 'LIST_ACTIONS' }), 200],
    ['invalid JSON', '{"action":', 400],
    ['prototype poisoning', '{"__proto__":{"admin":true}}', 400],
    ['an array body', '[1,2]', 400],
    ['a null body', 'null', 400],
    ['no action', '{}', 400],
    ['an unknown action', JSON.stringify({ action: 'NOPE', data: {} }), 400],
    ['an invalid input', JSON.stringify({ action: 'REQUEST', data: { zz: 1 } }), 400],
    ['input nested too deep', () => JSON.stringify({ action: 'REQUEST', data: JSON.parse(`${'{"a":'.repeat(80)}1${'}'.repeat(80)}`) }), 400],
    ['a trigger action without data', JSON.stringify({ action: 'activate_trigger' }), 400],
  ]
  for (const [name, raw, status] of cases) {
    it(`${name}: the same status and body`, async () => {
      const served = await laneCount('served')
      const { lane, route } = await both(typeof raw === 'function' ? raw() : raw)
      expect(lane.status).toBe(status)
      expect(lane.status).toBe(route.status)
      expect(lane.body).toEqual(route.body)
      for (const h of ['content-type', 'x-content-type-options', 'cache-control']) expect(lane.headers.get(h)).toBe(route.headers[h])
      expect(lane.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/)
      expect(await laneCount('served')).toBe(served + 1)
    })
  }

  it('hands an unknown key and a key without the scope to Fastify, which answers 401 and 403', async () => {
    const handed = await laneCount('handed_over')
    const body = JSON.stringify({ action: 'REQUEST', data: { method: 'GET', path: '/x' } })
    const unknown = await both(body, 'pb_not_a_key_0000000000000000')
    expect(unknown.lane.status).toBe(401)
    expect(unknown.lane.body).toEqual(unknown.route.body)
    const connectOnly = (await call({ url: hub.url, key: hub.key }, 'POST', '/api/v2/keys', { name: 'c', scopes: ['connect'] })).body.key as string
    const forbidden = await both(body, connectOnly)
    expect(forbidden.lane.status).toBe(403)
    expect(forbidden.lane.body).toEqual(forbidden.route.body)
    expect(forbidden.lane.body.message).toContain("'run'")
    // The unknown key went to Fastify; the connect key passed the route's scope (any key) and the lane refused the run.
    expect(await laneCount('handed_over')).toBe(handed + 1)
  })

  it('answers an unknown or another tenant’s connection with the same 404', async () => {
    const other = await hub.newKey()
    const body = JSON.stringify({ action: 'REQUEST', data: { method: 'GET', path: '/x' } })
    const unknown = await both(body, hub.key, '0123456789abcdef01234567')
    const foreign = await both(body, other)
    expect(unknown.lane.status).toBe(404)
    expect(unknown.lane.body).toEqual(unknown.route.body)
    expect(foreign.lane.status).toBe(404)
    expect(foreign.lane.body).toEqual(foreign.route.body)
  })

  it('echoes a safe x-request-id, writes the access line with the route pattern, and logs the run', async () => {
    const before = hub.logs.length
    // Whole milliseconds, as the run log's times are: a row stamped in this millisecond is this run's.
    const sentAt = Math.floor(Date.now())
    const res = await fetch(`${hub.url}/api/v2/execute/${conn}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json; charset=utf-8', 'x-api-key': hub.key, 'x-request-id': 'lane-test-1' },
      body: JSON.stringify({ action: 'REQUEST', data: { method: 'GET', path: '/lane-marker' } }),
    })
    expect(res.status).toBe(200)
    expect(res.headers.get('x-request-id')).toBe('lane-test-1')
    const line = hub.logs
      .slice(before)
      .map((l) => JSON.parse(l))
      .find((l) => l.reqId === 'lane-test-1')
    expect(line).toMatchObject({ level: 30, msg: 'request', method: 'POST', route: '/api/v2/execute/:id', status: 200 })
    expect(typeof line.ms).toBe('number')
    expect(JSON.stringify(line)).not.toContain(conn)
    expect(JSON.stringify(line)).not.toContain(hub.key)
    // This run's row: the newest of the connection once the batched run log has flushed. Earlier
    // tests' rows (a FAILED one among them) may flush later than this test starts, so the row is
    // told apart by its action and its time, not taken as whatever comes first.
    type RunRow = { connectionId: string; status: string; action: string; time: string }
    let row: RunRow | undefined
    for (let i = 0; i < 100 && !row; i++) {
      const items = (await call({ url: hub.url, key: hub.key }, 'GET', `/api/v2/runs?connection=${conn}&limit=50`)).body.items as RunRow[]
      row = items.find((r) => Date.parse(r.time) >= sentAt)
      if (!row) await new Promise((r) => setTimeout(r, 30))
    }
    expect(row).toMatchObject({ connectionId: conn, action: 'REQUEST', status: 'SUCCESS' })
  })

  it('leaves what it does not take to Fastify: other content types, a query string, an empty body', async () => {
    const served = await laneCount('served')
    const text = await fetch(`${hub.url}/api/v2/execute/${conn}`, { method: 'POST', headers: { 'content-type': 'text/plain', 'x-api-key': hub.key }, body: 'x' })
    expect(text.status).toBe(400)
    const query = await fetch(`${hub.url}/api/v2/execute/${conn}?x=1`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': hub.key },
      body: JSON.stringify({ action: 'LIST_ACTIONS' }),
    })
    expect(query.status).toBe(200)
    const empty = await fetch(`${hub.url}/api/v2/execute/${conn}`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-api-key': hub.key }, body: '' })
    expect(empty.status).toBe(400)
    expect((await empty.json()).code).toBe('INVALID_JSON')
    expect(await laneCount('served')).toBe(served)
  })
})
