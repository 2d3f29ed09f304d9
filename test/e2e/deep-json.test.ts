import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { call, startTestHub, type TestHub } from '../support/test-hub.js'
import { startUpstream, type Upstream } from '../support/upstream.js'

const deep = (n: number) => `${'['.repeat(n)}1${']'.repeat(n)}`

/**
 * Issue 11 item 6 (nesting): an input nested over 64 levels answers 400 naming it; a service
 * answering JSON nested 10,000 deep gives a clear FAILED run, sync and async (it was a 500, and
 * the async poll blamed a restart that never happened).
 */
describe('deeply nested JSON', () => {
  let hub: TestHub
  let upstream: Upstream
  let id: string
  beforeAll(async () => {
    ;[hub, upstream] = await Promise.all([startTestHub(), startUpstream(() => ({ body: deep(10_000) }))])
    const c = await call(hub, 'POST', '/api/v2/execute/patchbay%2Fhttp-api', { name: 'deep', authScheme: 'NO_AUTH', data: { base_url: upstream.url } })
    expect(c.status, c.text).toBe(200)
    id = c.body.data.id as string
  })
  afterAll(async () => {
    await Promise.all([hub?.close(), upstream?.close()])
  })

  it('refuses an input nested more than 64 levels with 400 naming it', async () => {
    const r = await call(hub, 'POST', `/api/v2/execute/${id}`, { action: 'REQUEST', data: { method: 'POST', path: '/x', body: JSON.parse(deep(65)) } })
    expect(r.status, r.text.slice(0, 300)).toBe(400)
    expect(r.body.message).toContain('data is nested more than 64 levels deep')
    const ok = await call(hub, 'POST', `/api/v2/execute/${id}`, { action: 'REQUEST', data: { method: 'POST', path: '/x', body: JSON.parse(deep(40)) } })
    expect(ok.status).toBe(200)
  })

  it('answers a service JSON nested 10,000 deep with a clear FAILED, synchronously', async () => {
    const r = await call(hub, 'POST', `/api/v2/execute/${id}`, { action: 'REQUEST', data: { method: 'GET', path: '/deep' } })
    expect(r.status, r.text.slice(0, 300)).toBe(200)
    expect(r.body).toMatchObject({ status: 'FAILED', completed: true, code: 'UPSTREAM_ERROR' })
    expect(r.body.error_message).toContain('nested more than 64 levels deep')
  })

  it('and asynchronously, without claiming the hub restarted', async () => {
    const started = await call(hub, 'POST', `/api/v1/execute/${id}`, { action: 'REQUEST', data: { method: 'GET', path: '/deep' } })
    expect(started.status, started.text).toBe(200)
    const url = new URL(started.body.data as string)
    let poll = await call(hub, 'GET', url.pathname)
    for (let i = 0; i < 50 && poll.body.completed !== true; i++) {
      await new Promise((r) => setTimeout(r, 100))
      poll = await call(hub, 'GET', url.pathname)
    }
    expect(poll.body).toMatchObject({ status: 'FAILED', completed: true })
    expect(poll.body.error_message).toContain('nested more than 64 levels deep')
    expect(poll.text).not.toContain('restarted')
  })
})
