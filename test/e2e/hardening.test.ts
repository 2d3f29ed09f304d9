import { connect, type Socket } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DEFAULT_LIMITS } from '@patchbay/hub'
import { call, startTestHub, type TestHub } from '../support/test-hub.js'

/** Issue 11 (items 6 partial, 7, 8, 9, 10): what a hostile or careless client gets from a real hub. */
describe('request hardening on a real hub', () => {
  let hub: TestHub
  beforeAll(async () => {
    hub = await startTestHub({
      limits: { ...DEFAULT_LIMITS, requestTimeoutMs: 1_500, headersTimeoutMs: 1_000, maxAdminBodyBytes: 64 * 1024, maxTenantIntegrations: 2, authFailuresPerWindow: 5 },
    })
  })
  afterAll(async () => {
    await hub?.close()
  })

  it.each([
    '/sdk/models?ids=a&ids=b',
    '/api/v2/tools?actions=a&actions=b',
    '/api/v2/tools?connections=a&connections=b',
    '/api/v2/connections/abc/tools?actions=a&actions=b',
    '/oauth/callback?state=a&state=b',
  ])('answers 400 naming the parameter for a repeated query parameter: %s', async (path) => {
    const r = await call(hub, 'GET', path)
    expect(r.status, r.text).toBe(400)
    expect(r.body.message).toMatch(/query parameter "(ids|actions|connections|state)" is given 2 times; send it once/)
    expect(hub.logs.join('')).not.toContain('unexpected error')
  })

  it('sets nosniff and no-store on API answers, and frame-ancestors on the callback page', async () => {
    for (const path of ['/health', '/sdk/models?ids=x', '/nope']) {
      const res = await fetch(`${hub.url}${path}`, { headers: { 'x-api-key': hub.key } })
      expect(res.headers.get('x-content-type-options'), path).toBe('nosniff')
      expect(res.headers.get('cache-control'), path).toBe('no-store')
    }
    const cb = await fetch(`${hub.url}/oauth/callback?state=nope`)
    expect(cb.headers.get('content-security-policy')).toContain("frame-ancestors 'none'")
  })

  it('refuses a search text over the limit with 400, and matches % and _ literally', async () => {
    const long = await call(hub, 'POST', '/sdk/models/paginate', { q: 'x'.repeat(60_000), functions: ['connection'] })
    expect(long.status, long.text.slice(0, 300)).toBe(400)
    expect(long.body.message).toContain('at most 1000')
    const pct = await call(hub, 'POST', '/sdk/models/paginate', { q: '%', functions: ['connection'] })
    expect(pct.status).toBe(200)
    expect(pct.body.total).toBe(0)
  })

  it('refuses NUL characters in text that reaches the database with 400', async () => {
    const conn = await call(hub, 'POST', '/api/v2/execute/patchbay%2Fhttp-api', { name: 'a\u0000b', authScheme: 'NO_AUTH', data: { base_url: 'https://example.com' } })
    expect(conn.status, conn.text).toBe(400)
    expect(conn.body.message).toContain('NUL')
    const poll = await call(hub, 'GET', '/api/v1/data/%00')
    expect(poll.status, poll.text).toBe(400)
    const q = await call(hub, 'POST', '/sdk/models/paginate', { q: 'a\u0000', functions: ['connection'] })
    expect(q.status, q.text).toBe(400)
  })

  it('bounds admin integration bodies before parsing (413 naming the setting) and caps definitions per tenant (409)', async () => {
    const big = await call(hub, 'POST', '/api/v2/admin/integrations', { id: 'big', padding: 'x'.repeat(70 * 1024) })
    expect(big.status).toBe(413)
    expect(big.body.message).toContain('65536 bytes')
    expect(big.body.message).toContain('PATCHBAY_MAX_ADMIN_BODY_BYTES')
    const key = await hub.newKey()
    const def = (id: string) => ({
      id,
      name: `Own ${id}`,
      description: 'Own service',
      baseUrl: 'https://api.example.com',
      auth: { NO_AUTH: {} },
      actions: [{ code: 'PING', name: 'Ping', description: 'Ping it', input: { type: 'object', properties: {} }, request: { method: 'GET', path: '/ping' } }],
    })
    for (const id of ['own-a', 'own-b']) {
      const r = await call({ url: hub.url, key }, 'POST', '/api/v2/admin/integrations', def(id))
      expect(r.status, r.text).toBe(201)
    }
    const third = await call({ url: hub.url, key }, 'POST', '/api/v2/admin/integrations', def('own-c'))
    expect(third.status, third.text).toBe(409)
    expect(third.body.message).toContain('PATCHBAY_MAX_TENANT_INTEGRATIONS')
    const replace = await call({ url: hub.url, key }, 'POST', '/api/v2/admin/integrations', def('own-a'))
    expect(replace.status, replace.text).toBe(201)
  })
})

/** Opens a raw socket, writes `head`, then drips a byte every `everyMs`; resolves with when (ms) the hub closed it. */
function drip(url: string, head: string, everyMs: number, maxMs: number): Promise<{ closedAfterMs: number; answer: string }> {
  const { hostname, port } = new URL(url)
  return new Promise((resolve) => {
    const started = Date.now()
    let answer = ''
    const socket: Socket = connect(Number(port), hostname, () => socket.write(head))
    const timer = setInterval(() => {
      if (!socket.destroyed) socket.write('x')
    }, everyMs)
    const done = () => {
      clearInterval(timer)
      clearTimeout(cap)
      resolve({ closedAfterMs: Date.now() - started, answer })
    }
    const cap = setTimeout(() => {
      socket.destroy()
    }, maxMs)
    socket.on('data', (d) => (answer += d.toString('latin1')))
    socket.on('error', () => {})
    socket.on('close', done)
  })
}

describe('slow clients on a real socket', () => {
  let hub: TestHub
  beforeAll(async () => {
    hub = await startTestHub({ limits: { ...DEFAULT_LIMITS, requestTimeoutMs: 1_500, headersTimeoutMs: 1_000, keepAliveTimeoutMs: 1_000 } })
  })
  afterAll(async () => {
    await hub?.close()
  })

  it('closes an authenticated socket dripping its body once the request timeout passes', async () => {
    const head = `POST /sdk/models/paginate HTTP/1.1\r\nHost: x\r\nx-api-key: ${hub.key}\r\ncontent-type: application/json\r\ncontent-length: 100000\r\n\r\n{"q":"`
    const r = await drip(hub.url, head, 100, 10_000)
    expect(r.closedAfterMs).toBeLessThan(5_000)
    expect(r.closedAfterMs).toBeGreaterThanOrEqual(1_000)
  })

  it('closes a socket dripping its headers once the headers timeout passes', async () => {
    const r = await drip(hub.url, 'GET /health HTTP/1.1\r\nHost: x\r\nx-slow: ', 100, 10_000)
    expect(r.closedAfterMs).toBeLessThan(5_000)
  })

  it('answers 401 to an unauthenticated body and closes the connection at once', async () => {
    const head = 'POST /sdk/models/paginate HTTP/1.1\r\nHost: x\r\ncontent-type: application/json\r\ncontent-length: 100000\r\n\r\n{"q":"'
    const r = await drip(hub.url, head, 50, 10_000)
    expect(r.answer).toMatch(/^HTTP\/1\.1 401/)
    expect(r.answer.toLowerCase()).toContain('connection: close')
    expect(r.closedAfterMs).toBeLessThan(1_000)
  })

  it('closes an idle keep-alive connection after the keep-alive timeout', async () => {
    const r = await drip(hub.url, 'GET /health HTTP/1.1\r\nHost: x\r\n\r\n', 1_000_000, 10_000)
    expect(r.answer).toMatch(/^HTTP\/1\.1 200/)
    expect(r.closedAfterMs).toBeLessThan(4_000)
  })
})

describe('API-key guessing', () => {
  let hub: TestHub
  beforeAll(async () => {
    hub = await startTestHub({ limits: { ...DEFAULT_LIMITS, authFailuresPerWindow: 5 } })
  })
  afterAll(async () => {
    await hub?.close()
  })

  it('answers 429 with Retry-After once an address passes the failure limit, even for a valid key, and logs each failure at warn', async () => {
    const statuses: number[] = []
    for (let i = 0; i < 8; i++) statuses.push((await call({ url: hub.url, key: `pb_guess_${i}_secretpart` }, 'GET', '/sdk/models?ids=x')).status)
    expect(statuses.slice(0, 5)).toEqual([401, 401, 401, 401, 401])
    expect(statuses.slice(5)).toEqual([429, 429, 429])
    const valid = await fetch(`${hub.url}/sdk/models?ids=x`, { headers: { 'x-api-key': hub.key } })
    expect(valid.status).toBe(429)
    expect(Number(valid.headers.get('retry-after'))).toBeGreaterThan(0)
    const warns = hub.logs.map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => l['msg'] === 'unknown API key')
    expect(warns.length).toBeGreaterThanOrEqual(5)
    expect(warns[0]?.['level']).toBe(40)
    expect(warns[0]?.['clientAddress']).toBe('127.0.0.1')
    expect(String(warns[0]?.['keyFingerprint'])).toMatch(/^fp_[0-9a-f]{12}$/)
    expect(hub.logs.join('')).not.toContain('secretpart')
  })
})
