import { mkdtemp, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { call, startTestHub, type TestHub } from '../support/test-hub.js'
import { startUpstream, type Upstream } from '../support/upstream.js'

// With PATCHBAY_ALLOW_PRIVATE_NETWORK off (the default), URLs a tenant controls — the HTTP API's
// base_url, a definition the tenant registered — may not reach this machine or its network. The
// operator's own catalog still may (it is trusted configuration).
let upstream: Upstream
let hub: TestHub

beforeAll(async () => {
  upstream = await startUpstream()
  const dir = await mkdtemp(join(tmpdir(), 'patchbay-netpolicy-'))
  await writeFile(
    join(dir, 'internal.json'),
    JSON.stringify({
      id: 'internal',
      name: 'Internal',
      description: 'An operator-defined service on this machine',
      baseUrl: upstream.url,
      auth: { NO_AUTH: {} },
      actions: [{ code: 'PING', name: 'Ping', description: 'Ping.', input: { type: 'object' }, request: { method: 'GET', path: '/ping' } }],
    }),
  )
  hub = await startTestHub({ catalogDirs: [dir], allowPrivateNetwork: false })
})

afterAll(async () => {
  await hub?.close()
  await upstream?.close()
})

describe('network policy for tenant-controlled URLs', () => {
  it('lets the operator catalog reach a local service', async () => {
    const conn = await call(hub, 'POST', '/api/v2/execute/internal', { authScheme: 'NO_AUTH' })
    const ran = await call(hub, 'POST', `/api/v2/execute/${conn.body.data.id}`, { action: 'PING', data: {} })
    expect(ran.body.status).toBe('SUCCESS')
  })

  it.each(['http://127.0.0.1:PORT', 'http://localhost:PORT', 'http://[::1]:PORT', 'http://169.254.169.254', 'http://10.0.0.1', 'http://192.168.1.1'])(
    'refuses the HTTP API with base_url %s, saying how to allow it',
    async (base) => {
      const before = upstream.received.length
      const conn = await call(hub, 'POST', '/api/v2/execute/http-api', {
        name: `p ${base}`,
        authScheme: 'NO_AUTH',
        data: { base_url: base.replace('PORT', new URL(upstream.url).port) },
      })
      expect(conn.status).toBe(200)
      const ran = await call(hub, 'POST', `/api/v2/execute/${conn.body.data.id}`, { action: 'REQUEST', data: { method: 'GET', path: '/x' } })
      expect(ran.status).toBe(400)
      expect(ran.body.message).toMatch(/(loopback|private|link-local).* address/)
      expect(ran.body.message).toContain('PATCHBAY_ALLOW_PRIVATE_NETWORK=true')
      expect(upstream.received.length).toBe(before)
    },
  )
})
