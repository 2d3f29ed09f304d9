import { mkdtemp, readFile, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { call, startTestHub, type TestHub } from '../support/test-hub.js'
import { startUpstream, type Upstream } from '../support/upstream.js'

const GOOD = 'sk-live-good-secret-9876'
const WRONG = 'sk-live-wrong-secret-1234'

/**
 * The Connect page's JSON calls without a browser: verification before save (422, nothing
 * written), single use (also under concurrent submits), expiry, tenant isolation, rate limiting,
 * and no typed secret in any response, log line or database row.
 */
describe('Connect page API', () => {
  let hub: TestHub
  let service: Upstream

  beforeAll(async () => {
    service = await startUpstream((r) => {
      if (r.path === '/me') return r.headers['x-api-key'] === GOOD ? { body: { id: 'acct' } } : { status: 403, body: { error: 'key not recognised' } }
      return undefined
    })
    const dir = await mkdtemp(join(tmpdir(), 'patchbay-connect-api-'))
    await writeFile(
      join(dir, 'keyed.json'),
      JSON.stringify({
        id: 'keyed',
        name: 'Keyed',
        description: 'Checks its key.',
        baseUrl: service.url,
        verify: 'WHO',
        auth: {
          API_KEY: {
            inputs: [{ name: 'api_key', displayName: 'API key', description: 'Key', secret: true, helpUrl: 'https://keyed.example/help/keys' }],
            apply: { headers: { 'X-Api-Key': '{api_key}' } },
          },
        },
        actions: [{ code: 'WHO', name: 'Who', description: 'Who am I.', input: { type: 'object', properties: {} }, request: { method: 'GET', path: '/me' } }],
      }),
    )
    hub = await startTestHub({ catalogDirs: [dir] })
  })
  afterAll(async () => {
    await hub?.close()
    await service?.close()
  })

  const newSession = async (key = hub.key, body: Record<string, unknown> = {}) => {
    const r = await call({ url: hub.url, key }, 'POST', '/api/v2/connect/sessions', { endUser: { id: 'u1' }, ...body })
    expect(r.status, r.text).toBe(201)
    return r.body.token as string
  }
  const submit = (session: string, api_key: string, integration = 'keyed') =>
    call({ url: hub.url, key: '' }, 'POST', '/connect/api/submit', { session, integration, scheme: 'API_KEY', data: { api_key } })

  it('verifies before saving: a refused key is a 422 VERIFICATION_FAILED with the refusal, and nothing is written', async () => {
    const token = await newSession()
    const before = (await call(hub, 'POST', '/sdk/models/paginate', { functions: ['connection'] })).body.total
    const r = await submit(token, WRONG)
    expect(r.status, r.text).toBe(422)
    expect(r.body.code).toBe('VERIFICATION_FAILED')
    expect(r.body.message).toMatch(/Keyed refused these credentials \(HTTP 403\).*key not recognised/)
    expect((await call(hub, 'POST', '/sdk/models/paginate', { functions: ['connection'] })).body.total).toBe(before)
    // The session is still usable after a refusal.
    const ok = await submit(token, GOOD)
    expect(ok.status, ok.text).toBe(200)
    expect(ok.body).toMatchObject({ status: 'connected', integration: 'keyed', endUserId: 'u1', redirectUrl: null })
  })

  it('is single use, also when two submits race', async () => {
    const token = await newSession()
    const [a, b] = await Promise.all([submit(token, GOOD), submit(token, GOOD)])
    expect([a.status, b.status].sort()).toEqual([200, 410])
    expect([a.body.code, b.body.code]).toContain('SESSION_USED')
    const again = await submit(token, GOOD)
    expect(again.status).toBe(410)
    expect(again.body.code).toBe('SESSION_USED')
    const page = await fetch(`${hub.url}/connect?session=${token}`)
    expect(page.status).toBe(410)
    expect(await page.text()).toContain('This link was already used')
  })

  it('an expired session is refused (410 SESSION_EXPIRED) and writes nothing', async () => {
    const token = await newSession(hub.key, { endUser: { id: 'expiring' } })
    await hub.hub.store.db
      .updateTable('connect_sessions')
      .set({ expires_at: new Date(Date.now() - 1).toISOString() })
      .where('end_user_id', '=', 'expiring')
      .execute()
    const r = await submit(token, GOOD)
    expect(r.status).toBe(410)
    expect(r.body.code).toBe('SESSION_EXPIRED')
    expect((await call(hub, 'POST', '/sdk/models/paginate', { functions: ['connection'], endUserId: 'expiring' })).body.items).toEqual([])
  })

  it('a session is bound to its tenant and its allowed integrations', async () => {
    const other = await hub.newKey()
    const token = await newSession(other, { endUser: { id: 'other-user' }, allowedIntegrations: ['keyed'] })
    const ok = await submit(token, GOOD)
    expect(ok.status, ok.text).toBe(200)
    // The connection is the other tenant's, invisible to this one.
    expect((await call(hub, 'GET', `/sdk/models/${ok.body.connectionId}`)).status).toBe(404)
    expect((await call({ url: hub.url, key: other }, 'GET', `/sdk/models/${ok.body.connectionId}`)).body.endUserId).toBe('other-user')
    const limited = await newSession(hub.key, { allowedIntegrations: ['keyed'] })
    const refused = await call({ url: hub.url, key: '' }, 'POST', '/connect/api/submit', { session: limited, integration: 'github', scheme: 'BEARER_TOKEN', data: { token: 'x' } })
    expect(refused.status).toBe(404)
    expect(refused.body.message).toMatch(/does not offer the integration "github"/)
    expect((await call({ url: hub.url, key: '' }, 'POST', '/connect/api/submit', { session: 'pbcs_forged', integration: 'keyed' })).status).toBe(404)
  })

  it('never shows, logs or stores a typed secret or a session token in plaintext', async () => {
    const token = await newSession()
    await submit(token, WRONG)
    await submit(token, GOOD)
    const logs = hub.logs.join('\n')
    for (const secret of [GOOD, WRONG, token]) expect(logs).not.toContain(secret)
    for (const file of [hub.dbFile, `${hub.dbFile}-wal`]) {
      const db = await readFile(file).catch(() => Buffer.alloc(0))
      for (const secret of [GOOD, WRONG, token]) expect(db.includes(Buffer.from(secret)), file).toBe(false)
    }
  })

  it('serves the page with strict headers; an integration the session does not offer is a 404 page', async () => {
    const token = await newSession(hub.key, { allowedIntegrations: ['keyed'] })
    const page = await fetch(`${hub.url}/connect?session=${token}`)
    expect(page.status).toBe(200)
    expect(page.headers.get('content-security-policy')).toMatch(/^default-src 'none'; script-src 'self'; style-src 'self' 'nonce-[^']+'; .*frame-ancestors 'none'$/)
    expect(page.headers.get('referrer-policy')).toBe('no-referrer')
    expect(page.headers.get('cache-control')).toBe('no-store')
    const html = await page.text()
    expect(html).not.toMatch(/<script>/)
    expect(html).toContain('<label for="in-api_key">API key')
    expect(html).toContain('type="password"')
    expect(html).toContain('<a href="https://keyed.example/help/keys" target="_blank" rel="noopener noreferrer">Where to find it')
    const other = await fetch(`${hub.url}/connect?session=${token}&integration=github`)
    expect(other.status).toBe(404)
    expect(other.headers.get('content-type')).toMatch(/text\/html/)
    expect(await other.text()).toContain('does not offer the integration')
    const script = await fetch(`${hub.url}/connect/assets/connect.js`)
    expect(script.headers.get('content-type')).toMatch(/javascript/)
  })

  it('answers hostile input with a 4xx, never a 5xx', async () => {
    const token = await newSession()
    const pages = [
      `/connect?session=${token}&session=${token}`,
      `/connect?session=${token}&integration=keyed&integration=x`,
      `/connect?session=${token}&integration=keyed&scheme=OAUTH2`,
      `/connect?session=${token}&integration=%00&scheme=__proto__`,
      `/connect?session=${token}&origin=javascript:alert(1)`,
      '/connect',
    ]
    for (const p of pages) {
      const r = await fetch(`${hub.url}${p}`)
      expect(r.status, p).toBeLessThan(500)
    }
    const bodies: unknown[] = [
      [],
      'x',
      { session: [token] },
      { session: token, integration: 'keyed', scheme: 5, data: 'x' },
      { session: token, integration: 'keyed', scheme: 'API_KEY', data: { api_key: 5 } },
      { session: token, integration: 'keyed', scheme: 'API_KEY', data: { api_key: 'x'.repeat(20_000) } },
      { session: token, integration: { $ne: 1 } },
    ]
    for (const b of bodies) {
      const r = await call({ url: hub.url, key: '' }, 'POST', '/connect/api/submit', b)
      expect(r.status, JSON.stringify(b).slice(0, 80)).toBeGreaterThanOrEqual(400)
      expect(r.status, JSON.stringify(b).slice(0, 80)).toBeLessThan(500)
    }
    const finish = await call({ url: hub.url, key: '' }, 'POST', '/connect/api/finish', { session: token })
    expect(finish.status).toBe(400)
    expect(finish.body.message).toMatch(/has not started an authorization/)
  })

  it('rate-limits the submit call per client address (429)', async () => {
    const token = await newSession()
    const statuses: number[] = []
    for (let i = 0; i < 35; i++) statuses.push((await call({ url: hub.url, key: '' }, 'POST', '/connect/api/submit', { session: token, integration: 'nope' })).status)
    expect(statuses).toContain(429)
  })
})
