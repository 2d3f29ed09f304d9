import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { connectHttpApi } from '../scale/fixtures.js'
import { call, startTestHub, type TestHub } from '../support/test-hub.js'
import { startUpstream, type Upstream } from '../support/upstream.js'

/** Issue 16: keys with scopes, revocation, and the log of every run. */
describe('keys with scopes and the run log', () => {
  let hub: TestHub
  let upstream: Upstream
  let admin: { url: string; key: string }
  let conn: string

  async function runsUntil(n: number, query = '') {
    for (let i = 0; i < 100; i++) {
      const r = await call(admin, 'GET', `/api/v2/runs${query}`)
      if (r.status !== 200 || r.body.items.length >= n) return r
      await new Promise((res) => setTimeout(res, 30))
    }
    throw new Error('run log rows never appeared')
  }

  beforeAll(async () => {
    upstream = await startUpstream((req) => (req.path === '/fail' ? { status: 500, body: { error: 'boom' } } : undefined))
    hub = await startTestHub()
    admin = { url: hub.url, key: hub.key }
    conn = await connectHttpApi(admin, upstream.url, 'upstream-token-123')
  })
  afterAll(async () => {
    await hub?.close()
    await upstream?.close()
  })

  it('lists keys without hashes, creates a scoped key once, and refuses bad bodies with 400', async () => {
    const list = await call(admin, 'GET', '/api/v2/keys')
    expect(list.status).toBe(200)
    expect(list.body.items[0]).toMatchObject({ name: 'test', scopes: ['admin'] })
    expect(list.text).not.toContain('key_hash')
    expect(list.text).not.toContain(hub.key)
    const made = await call(admin, 'POST', '/api/v2/keys', { name: 'agent', scopes: ['run'] })
    expect(made.status).toBe(201)
    expect(made.body).toMatchObject({ name: 'agent', scopes: ['run'] })
    expect(made.body.key).toMatch(/^pb_/)
    const again = await call(admin, 'GET', '/api/v2/keys')
    expect(again.text).not.toContain(made.body.key)
    expect((await call(admin, 'POST', '/api/v2/keys', { name: 'x', scopes: ['root'] })).status).toBe(400)
    expect((await call(admin, 'POST', '/api/v2/keys', { scopes: ['run'] })).status).toBe(400)
  })

  it('a run key runs actions but gets 403 naming the scope elsewhere; a connect key connects but cannot run', async () => {
    const run = { url: hub.url, key: (await call(admin, 'POST', '/api/v2/keys', { name: 'r', scopes: ['run'] })).body.key as string }
    const con = { url: hub.url, key: (await call(admin, 'POST', '/api/v2/keys', { name: 'c', scopes: ['connect'] })).body.key as string }
    const ok = await call(run, 'POST', `/api/v2/execute/${conn}`, { action: 'REQUEST', data: { method: 'GET', path: '/x' } })
    expect(ok.status).toBe(200)
    expect(ok.body.status).toBe('SUCCESS')
    const keys = await call(run, 'GET', '/api/v2/keys')
    expect(keys.status).toBe(403)
    expect(keys.body.code ?? keys.text).toBeTruthy()
    expect(keys.text).toContain("'admin'")
    const connectByRun = await call(run, 'POST', '/api/v2/execute/patchbay%2Fhttp-api', { authScheme: 'BEARER_TOKEN', data: { base_url: upstream.url, token: 't' } })
    expect(connectByRun.status).toBe(403)
    expect(connectByRun.text).toContain("'connect'")
    expect((await call(con, 'POST', '/api/v2/execute/patchbay%2Fhttp-api', { authScheme: 'BEARER_TOKEN', data: { base_url: upstream.url, token: 't' } })).status).toBe(200)
    const runByConnect = await call(con, 'POST', `/api/v2/execute/${conn}`, { action: 'REQUEST', data: { method: 'GET', path: '/x' } })
    expect(runByConnect.status).toBe(403)
    expect(runByConnect.text).toContain("'run'")
    expect((await call(con, 'POST', `/api/v2/execute/${conn}`, { action: 'LIST_ACTIONS' })).status).toBe(200)
  })

  it('a revoked key is refused on the very next request; an unknown id is 404', async () => {
    const made = await call(admin, 'POST', '/api/v2/keys', { name: 'short-lived', scopes: ['run'] })
    const k = { url: hub.url, key: made.body.key as string }
    expect((await call(k, 'POST', `/api/v2/execute/${conn}`, { action: 'LIST_ACTIONS' })).status).toBe(200)
    expect((await call(admin, 'DELETE', `/api/v2/keys/${made.body.id}`)).status).toBe(204)
    expect((await call(k, 'POST', `/api/v2/execute/${conn}`, { action: 'LIST_ACTIONS' })).status).toBe(401)
    expect((await call(admin, 'DELETE', `/api/v2/keys/${made.body.id}`)).status).toBe(404)
  })

  it('logs every run with key id, status and HTTP status, never inputs by default; filters and pages', async () => {
    const made = await call(admin, 'POST', '/api/v2/keys', { name: 'logger', scopes: ['run'] })
    const k = { url: hub.url, key: made.body.key as string }
    await call(k, 'POST', `/api/v2/execute/${conn}`, { action: 'REQUEST', data: { method: 'GET', path: '/ok', query: { q: 'input-marker' } } })
    // REQUEST answers the service's envelope: a 500 is a SUCCESS run with httpStatus 500.
    await call(k, 'POST', `/api/v2/execute/${conn}`, { action: 'REQUEST', data: { method: 'GET', path: '/fail' } })
    const dead = await connectHttpApi(admin, 'http://127.0.0.1:9', 'dead-token-value-0123456789abcdefghijklmnop', 'dead')
    const failed = await call(k, 'POST', `/api/v2/execute/${dead}`, { action: 'REQUEST', data: { method: 'GET', path: '/x' } })
    expect(failed.body.status).toBe('FAILED')
    const r = await runsUntil(1, '?status=FAILED')
    const row = r.body.items[0]
    expect(row).toMatchObject({
      connectionId: dead,
      action: 'REQUEST',
      status: 'FAILED',
      httpStatus: null,
      keyId: made.body.id,
      endUserId: null,
      errorCode: 'UPSTREAM_UNREACHABLE',
    })
    expect(row.errorMessage).toBeTruthy()
    expect(typeof row.durationMs).toBe('number')
    const all = await runsUntil(3)
    expect(all.body.items.find((x: any) => x.httpStatus === 500)).toMatchObject({ status: 'SUCCESS', connectionId: conn })
    expect(all.text).not.toContain('input-marker')
    const page1 = await call(admin, 'GET', '/api/v2/runs?limit=1')
    expect(page1.body.items).toHaveLength(1)
    expect(page1.body.next).toBeTruthy()
    const page2 = await call(admin, 'GET', `/api/v2/runs?limit=1&after=${page1.body.next}`)
    expect(page2.body.items[0].id < page1.body.items[0].id).toBe(true)
    expect((await call(admin, 'GET', `/api/v2/runs?connection=nope`)).body.items).toEqual([])
    expect((await call(admin, 'GET', '/api/v2/runs?status=MAYBE')).status).toBe(400)
    expect((await call(admin, 'GET', '/api/v2/runs?after=x')).status).toBe(400)
    // Another tenant sees none of it.
    const other = { url: hub.url, key: await hub.newKey() }
    expect((await call(other, 'GET', '/api/v2/runs')).body.items).toEqual([])
  })

  it('keeps bounded, redacted excerpts only after the tenant opts in', async () => {
    expect((await call(admin, 'GET', '/api/v2/settings')).body).toEqual({ runLogExcerpts: false })
    expect((await call(admin, 'PUT', '/api/v2/settings', { runLogExcerpts: 'yes' })).status).toBe(400)
    expect((await call(admin, 'PUT', '/api/v2/settings', { runLogExcerpts: true })).body).toEqual({ runLogExcerpts: true })
    await new Promise((res) => setTimeout(res, 5_100)) // the writer caches the setting for 5 s
    await call(admin, 'POST', `/api/v2/execute/${conn}`, { action: 'REQUEST', data: { method: 'GET', path: '/excerpt', headers: { authorization: 'Bearer hidden-value' } } })
    let row: any
    for (let i = 0; i < 100 && !row; i++) {
      row = (await call(admin, 'GET', '/api/v2/runs')).body.items.find((x: any) => x.inputExcerpt?.includes('/excerpt'))
      if (!row) await new Promise((res) => setTimeout(res, 30))
    }
    expect(row.inputExcerpt).not.toContain('hidden-value')
    expect(row.outputExcerpt).toContain('/excerpt')
  }, 15_000)
})
