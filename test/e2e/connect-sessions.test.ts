import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createApiKey, hashConnectToken } from '@patchbay/hub'
import { startEchoService, type EchoService } from '../support/echo-service.js'
import { call, startTestHub, type TestHub } from '../support/test-hub.js'

/**
 * Connect sessions over the API: creation with a `connect` key, full body validation (clear 400s),
 * redirect URLs only to allowed origins, reconnect sessions within the tenant, settings, and the
 * token kept hashed at rest.
 */
describe('connect sessions API', () => {
  let hub: TestHub
  let echo: EchoService

  beforeAll(async () => {
    echo = await startEchoService()
    hub = await startTestHub({ catalogDirs: [echo.catalogDir] })
  })
  afterAll(async () => {
    await hub?.close()
    await echo?.close()
  })

  const session = (body: unknown, key = hub.key) => call({ url: hub.url, key }, 'POST', '/api/v2/connect/sessions', body)

  it('creates a session with a connect key: 201 with token, expiresAt and the page URL; only its hash is stored', async () => {
    const { key } = await createApiKey(hub.hub.store, { name: 'connect-only', scopes: ['connect'] })
    const before = Date.now()
    const r = await session({ endUser: { id: 'user-42', email: 'ann@example.com', displayName: 'Ann' }, allowedIntegrations: ['github'], tags: { plan: 'pro' } }, key)
    expect(r.status, r.text).toBe(201)
    expect(r.body.token).toMatch(/^pbcs_[A-Za-z0-9_-]{43}$/)
    expect(r.body.connectUrl).toBe(`${hub.url}/connect?session=${r.body.token}`)
    const ttl = Date.parse(r.body.expiresAt) - before
    expect(ttl).toBeGreaterThan(1_795_000)
    expect(ttl).toBeLessThan(1_805_000)
    const rows = await hub.hub.store.db.selectFrom('connect_sessions').selectAll().execute()
    const row = rows.find((x) => x.token_hash === hashConnectToken(r.body.token))
    expect(row?.end_user_id).toBe('user-42')
    expect(row?.allowed_integrations).toBe('["github"]')
    expect(JSON.stringify(rows)).not.toContain(r.body.token)
  })

  it('refuses a run-only key (403) and a missing key (401)', async () => {
    const { key } = await createApiKey(hub.hub.store, { name: 'run-only', scopes: ['run'] })
    expect((await session({ endUser: { id: 'u' } }, key)).status).toBe(403)
    expect((await session({ endUser: { id: 'u' } }, '')).status).toBe(401)
  })

  it.each([
    [{}, /endUser is required/],
    [[], /must be a JSON object/],
    [{ endUser: 'u1' }, /endUser must be an object/],
    [{ endUser: {} }, /endUser.id is required/],
    [{ endUser: { id: 42 } }, /endUser.id must be a string/],
    [{ endUser: { id: 'x'.repeat(201) } }, /at most 200/],
    [{ endUser: { id: 'u', email: 'not-an-email' } }, /endUser.email must be an email/],
    [{ endUser: { id: 'u', nickname: 'a' } }, /Unknown endUser field "nickname"/],
    [{ endUser: { id: 'u' }, allowedIntegration: ['github'] }, /Unknown field "allowedIntegration"/],
    [{ endUser: { id: 'u' }, allowedIntegrations: [] }, /non-empty array/],
    [{ endUser: { id: 'u' }, allowedIntegrations: ['no-such-thing'] }, /unknown integration "no-such-thing"/],
    [{ endUser: { id: 'u' }, tags: ['a'] }, /tags must be an object/],
    [{ endUser: { id: 'u' }, tags: { plan: 3 } }, /tags.plan must be a string/],
    [{ endUser: { id: 'u' }, tags: { 'bad key': 'x' } }, /must be 1 to 64 letters/],
    [{ endUser: { id: 'u' }, expiresInSeconds: 59 }, /from 60 to 86400/],
    [{ endUser: { id: 'u' }, expiresInSeconds: 86_401 }, /from 60 to 86400/],
    [{ endUser: { id: 'u' }, expiresInSeconds: '600' }, /from 60 to 86400/],
    [{ endUser: { id: 'u' }, successRedirectUrl: 'javascript:alert(1)' }, /absolute http\(s\) URL/],
    [{ endUser: { id: 'u' }, successRedirectUrl: 'https://evil.example/x' }, /not an allowed origin.*PUT \/api\/v2\/connect\/settings/],
    [{ endUser: { id: 'u' }, reconnect: 'abc' }, /reconnect must be an object/],
  ])('answers 400 saying what to fix for %j', async (body, message) => {
    const r = await session(body)
    expect(r.status, r.text).toBe(400)
    expect(r.body.message).toMatch(message)
  })

  it('settings: defaults, validated replacement, and redirect URLs allowed once their origin is', async () => {
    const fresh = await hub.newKey()
    const get = await call({ url: hub.url, key: fresh }, 'GET', '/api/v2/connect/settings')
    expect(get.body).toEqual({ allowedOrigins: [], branding: { productName: null, logoUrl: null, accentColor: null } })
    for (const [body, msg] of [
      [{ allowedOrigins: ['https://app.example.com/path'] }, /is not an origin/],
      [{ allowedOrigins: 'https://app.example.com' }, /must be an array/],
      [{ branding: { accentColor: 'red' } }, /#rrggbb/],
      [{ branding: { accentColor: '#ffeb3b' } }, /too light for white button text/],
      [{ branding: { logoUrl: 'javascript:x' } }, /http\(s\) URL/],
      [{ branding: { font: 'x' } }, /Unknown branding field/],
      [{ colours: 1 }, /Unknown field/],
    ] as const) {
      const r = await call({ url: hub.url, key: fresh }, 'PUT', '/api/v2/connect/settings', body)
      expect(r.status, r.text).toBe(400)
      expect(r.body.message).toMatch(msg)
    }
    const put = await call({ url: hub.url, key: fresh }, 'PUT', '/api/v2/connect/settings', {
      allowedOrigins: ['https://app.example.com', 'http://localhost:3000/'],
      branding: { productName: 'Acme', accentColor: '#0B57D0' },
    })
    expect(put.status, put.text).toBe(200)
    expect(put.body).toEqual({ allowedOrigins: ['https://app.example.com', 'http://localhost:3000'], branding: { productName: 'Acme', logoUrl: null, accentColor: '#0b57d0' } })
    const ok = await session({ endUser: { id: 'u' }, successRedirectUrl: 'https://app.example.com/done', errorRedirectUrl: 'http://localhost:3000/failed' }, fresh)
    expect(ok.status, ok.text).toBe(201)
    // Another tenant's origins are not this one's.
    expect((await session({ endUser: { id: 'u' }, successRedirectUrl: 'https://app.example.com/done' })).status).toBe(400)
    const { key: connectKey } = await createApiKey(hub.hub.store, { name: 'c', scopes: ['connect'] })
    expect((await call({ url: hub.url, key: connectKey }, 'PUT', '/api/v2/connect/settings', {})).status).toBe(403)
  })

  it('reconnect sessions: an unknown or another tenant’s connection is a 404', async () => {
    const r = await session({ endUser: { id: 'u' }, reconnect: { connectionId: '0123456789abcdef01234567' } })
    expect(r.status, r.text).toBe(404)
    expect(r.body.message).toMatch(/reconnect.connectionId: no connection/)
  })

  it('connections carry endUserId and tags; paginate filters by end user; DELETE /api/v2/end-users/{id}/connections deletes them with events', async () => {
    const ids: string[] = []
    for (const user of ['ann', 'ann', 'bob']) {
      const r = await call(hub, 'POST', '/api/v2/execute/patchbay%2Fecho', { data: { region: 'eu', token: 'tok-1234567' } })
      expect(r.status, r.text).toBe(200)
      ids.push(r.body.data.id)
      await hub.hub.store.db
        .updateTable('connections')
        .set({ end_user_id: user, tags: JSON.stringify({ plan: user }) })
        .where('id', '=', r.body.data.id)
        .execute()
    }
    const v1 = await call(hub, 'POST', '/sdk/models/paginate', { functions: ['connection'], endUserId: 'ann' })
    expect(v1.status, v1.text).toBe(200)
    expect(v1.body.items.map((i: { id: string }) => i.id).sort()).toEqual([ids[0], ids[1]].sort())
    expect(v1.body.items[0]).toMatchObject({ endUserId: 'ann', tags: { plan: 'ann' } })
    const v2 = await call(hub, 'POST', '/v2/models/paginate', { functions: ['connection'], endUserId: 'bob' })
    expect(v2.status, v2.text).toBe(200)
    expect(v2.body.results.map((i: { id: string }) => i.id)).toEqual([ids[2]])
    expect((await call(hub, 'POST', '/sdk/models/paginate', { functions: ['connection'], endUserId: 7 })).status).toBe(400)
    // Another tenant deletes nothing of this one's.
    const other = await hub.newKey()
    const none = await call({ url: hub.url, key: other }, 'DELETE', '/api/v2/end-users/ann/connections')
    expect(none.body).toEqual({ endUserId: 'ann', deleted: 0, ids: [] })
    const del = await call(hub, 'DELETE', '/api/v2/end-users/ann/connections')
    expect(del.status, del.text).toBe(200)
    expect(del.body.deleted).toBe(2)
    expect((await call(hub, 'GET', `/sdk/models/${ids[0]}`)).status).toBe(404)
    expect((await call(hub, 'GET', `/sdk/models/${ids[2]}`)).status).toBe(200)
    const events = await call(hub, 'GET', '/api/v2/events')
    const deleted = events.body.events.filter((e: { type: string }) => e.type === 'connection.deleted')
    expect(deleted.map((e: { data: { connectionId: string } }) => e.data.connectionId).sort()).toEqual([ids[0], ids[1]].sort())
    expect(deleted[0].data).toMatchObject({ endUserId: 'ann', tags: { plan: 'ann' } })
  })
})
