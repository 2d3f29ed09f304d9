import { mkdtemp, readFile, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { AuthenticationSchema, ConnectionTool, createClient } from '@patchbay/sdk'
import { acmeDefinition, followAuthorization, startOAuth2Server, type OAuth2TestServer } from '../support/oauth2-server.js'
import { call, seenResponses, startTestHub, type TestHub } from '../support/test-hub.js'

// An integration whose provider is the real oidc-provider on 127.0.0.1, and one using the client
// credentials grant against the same server.
const definitions = (as: string) => [
  acmeDefinition(as),
  acmeDefinition(as, { id: 'acme-m2m', name: 'Acme M2M', oauth2: { authorizationUrl: undefined, revocationUrl: undefined, grant: 'client_credentials', scopes: ['api:read'] } }),
]

let as: OAuth2TestServer
let hub: TestHub
let connected: string

const run = (id: string, action: string, data: unknown) => call(hub, 'POST', `/api/v2/execute/${id}`, { action, data })
const record = async (id: string) => (await call(hub, 'GET', `/sdk/models/${id}`)).body
const refreshes = () => as.tokenRequests.filter((g) => g === 'refresh_token').length
// A write behind the store's back: the hub's in-process row cache must be told (connection-cache.ts).
const expireToken = async (id: string) => {
  await hub.hub.store.db
    .updateTable('connections')
    .set({ token_expires_at: new Date(Date.now() - 1000).toISOString() })
    .where('id', '=', id)
    .execute()
  hub.hub.store.connections.cache?.clear()
}

async function connectAndAuthorize(name: string): Promise<{ id: string; page: { status: number; body: string; callbackUrl?: string } }> {
  const res = await call(hub, 'POST', '/api/v2/execute/acme', { name, authScheme: 'OAUTH2' })
  expect(res.status).toBe(200)
  const page = await followAuthorization(res.body.data.redirectURL, `${hub.url}/oauth/callback`)
  return { id: res.body.data.id, page }
}

beforeAll(async () => {
  as = await startOAuth2Server()
  const dir = await mkdtemp(join(tmpdir(), 'patchbay-oauth2-'))
  for (const d of definitions(as.url)) await writeFile(join(dir, `${d.id}.json`), JSON.stringify(d))
  hub = await startTestHub({ catalogDirs: [dir] })
  as.configure(`${hub.url}/oauth/callback`)
})

afterAll(async () => {
  await hub?.close()
  await as?.close()
})

describe('OAuth 2 apps', () => {
  it('refuses an OAUTH2 connect until the app is set, saying exactly what to configure', async () => {
    const res = await call(hub, 'POST', '/api/v2/execute/acme', { name: 'too early', authScheme: 'OAUTH2' })
    expect(res.status).toBe(400)
    expect(res.body.code).toBe('OAUTH_APP_NOT_CONFIGURED')
    expect(res.body.message).toContain('patchbay oauth-app set acme --client-id')
    expect(res.body.message).toContain(`${hub.url}/oauth/callback`)
  })

  it('stores the app through the admin API and never shows the secret back', async () => {
    const bad = await call(hub, 'PUT', '/admin/oauth-apps/acme', { clientId: as.clientId })
    expect(bad.status).toBe(400)
    expect(bad.body.message).toContain('clientSecret is required')
    const put = await call(hub, 'PUT', '/admin/oauth-apps/acme', { clientId: as.clientId, clientSecret: as.clientSecret })
    expect(put.status).toBe(200)
    expect(put.body).toMatchObject({ integration: 'acme', clientId: as.clientId, redirectUrl: `${hub.url}/oauth/callback` })
    const list = await call(hub, 'GET', '/admin/oauth-apps')
    expect(list.body.items).toHaveLength(1)
    expect(list.text).not.toContain(as.clientSecret)
    expect((await call(hub, 'PUT', '/admin/oauth-apps/nope', { clientId: 'x', clientSecret: 'y' })).status).toBe(404)
    // Another tenant does not see it.
    const other = { url: hub.url, key: await hub.newKey() }
    expect((await call(other, 'GET', '/admin/oauth-apps')).body.items).toEqual([])
  })
})

describe('OAuth 2 authorization code flow', () => {
  it('hands out a PKCE S256 authorization URL with a long single-use state, and the connection waits PENDING', async () => {
    const res = await call(hub, 'POST', '/api/v2/execute/acme', { name: 'pending one', authScheme: 'OAUTH2' })
    expect(res.status).toBe(200)
    const url = new URL(res.body.data.redirectURL)
    expect(url.origin + url.pathname).toBe(`${as.url}/auth`)
    expect(url.searchParams.get('code_challenge_method')).toBe('S256')
    expect(url.searchParams.get('code_challenge')).toMatch(/^[A-Za-z0-9_-]{43}$/)
    expect(url.searchParams.get('redirect_uri')).toBe(`${hub.url}/oauth/callback`)
    expect(url.searchParams.get('scope')).toBe('api:read api:write')
    expect(Buffer.from(url.searchParams.get('state') as string, 'base64url').length).toBeGreaterThanOrEqual(16)
    const rec = await record(res.body.data.id)
    expect(rec.connectionStatus).toBe('PENDING')
    expect(Date.parse(rec.connectionExpiresAt) - Date.now()).toBeGreaterThan(9 * 60_000)
    const ran = await run(res.body.data.id, 'ACME_GET_THING', { id: '1' })
    // A 200 FAILED body (issue 11 item 16): aiXplain's SDKs show its error_message as it is.
    expect(ran.status).toBe(200)
    expect(ran.body).toMatchObject({ status: 'FAILED', completed: true, code: 'CONNECTION_NOT_ACTIVE', statusCode: 409 })
    expect(ran.body.error_message).toContain('PENDING until the user grants access')
    expect(ran.body.error_message).toContain('redirectURL')
    expect(ran.body.error_message.match(/grant/g)).toHaveLength(2)
  })

  it('completes through the provider and the callback page, then runs actions with the token', async () => {
    const before = as.tokenRequests.length
    const { id, page } = await connectAndAuthorize('Team Acme')
    expect(page.status).toBe(200)
    expect(page.body).toContain('Connected to Acme: you can close this window.')
    expect(as.tokenRequests.slice(before)).toEqual(['authorization_code'])
    const rec = await record(id)
    expect(rec.connectionStatus).toBe('ACTIVE')
    expect(rec.connectionStatusReason).toBeNull()
    expect(Date.parse(rec.tokenExpiresAt) - Date.now()).toBeGreaterThan(3000_000) // the server's 1 h lifetime
    expect(rec.connectionExpiresAt).toBeUndefined()
    const ran = await run(id, 'ACME_CREATE_THING', { title: 'hello' })
    expect(ran.status).toBe(200)
    expect(ran.body.status).toBe('SUCCESS')
    expect(ran.body.data).toMatchObject({ ok: true, path: '/api/things', method: 'POST', body: { title: 'hello' } })
    expect(ran.body.data.scope).toContain('api:read')
    connected = id

    // Replaying the callback is refused and does not break the active connection.
    const replay = await fetch(page.callbackUrl as string)
    expect(replay.status).toBe(400)
    expect(await replay.text()).toContain('already used')
    expect((await record(id)).connectionStatus).toBe('ACTIVE')
  })

  it('ends a denial on a clear page and leaves the connection in ERROR with the reason', async () => {
    as.mode = 'deny'
    try {
      const { id, page } = await connectAndAuthorize('Denied Acme')
      expect(page.status).toBe(400)
      expect(page.body).toContain('Access denied')
      const rec = await record(id)
      expect(rec.connectionStatus).toBe('ERROR')
      expect(rec.connectionStatusReason).toContain('access_denied')
      const ran = await run(id, 'ACME_GET_THING', { id: '1' })
      expect(ran.status).toBe(200)
      expect(ran.body.status).toBe('FAILED')
      expect(ran.body.error_message).toContain('is in ERROR')
    } finally {
      as.mode = 'approve'
    }
  })

  it('refuses an expired state: clear page, connection in ERROR', async () => {
    const res = await call(hub, 'POST', '/api/v2/execute/acme', { name: 'slow user', authScheme: 'OAUTH2' })
    await hub.hub.store.db
      .updateTable('oauth_states')
      .set({ expires_at: new Date(Date.now() - 1000).toISOString() })
      .where('connection_id', '=', res.body.data.id)
      .execute()
    const page = await followAuthorization(res.body.data.redirectURL, `${hub.url}/oauth/callback`)
    expect(page.status).toBe(400)
    expect(page.body).toContain('Authorization expired')
    const rec = await record(res.body.data.id)
    expect(rec.connectionStatus).toBe('ERROR')
    expect(rec.connectionStatusReason).toContain('not completed within 10 minutes')
  })

  it('answers forged or incomplete callbacks with a page, never a crash', async () => {
    const forged = await fetch(`${hub.url}/oauth/callback?code=abc&state=${'A'.repeat(43)}`)
    expect(forged.status).toBe(400)
    expect(forged.headers.get('content-type')).toContain('text/html')
    expect(await forged.text()).toContain('Unknown authorization')
    const bare = await fetch(`${hub.url}/oauth/callback`)
    expect(bare.status).toBe(400)
    expect(await bare.text()).toContain('without the state')
    const xss = await fetch(`${hub.url}/oauth/callback?state=<script>alert(1)</script>`)
    expect(await xss.text()).not.toContain('<script>')
  })

  it('deletes PENDING connections whose authorization expired', async () => {
    const res = await call(hub, 'POST', '/api/v2/execute/acme', { name: 'abandoned', authScheme: 'OAUTH2' })
    expect((await record(res.body.data.id)).connectionStatus).toBe('PENDING')
    const swept = await hub.hub.oauth.sweep(new Date(Date.now() + 11 * 60_000))
    expect(swept.connections).toBeGreaterThanOrEqual(1)
    expect((await call(hub, 'GET', `/sdk/models/${res.body.data.id}`)).status).toBe(404)
  })
})

describe('OAuth 2 through the TypeScript SDK', () => {
  it('connect sends no data, surfaces the redirect URL as a warning, and the tool runs once granted', async () => {
    const warnings: string[] = []
    const patchbay = createClient({ apiKey: hub.key, backendUrl: hub.url, env: {}, onWarning: (m) => warnings.push(m) })
    const acme = await patchbay.IntegrationFactory.get({ name: 'Acme' })
    expect(acme.authenticationMethods).toContain('OAUTH2')
    const res = await acme.connect(AuthenticationSchema.OAUTH2, { name: 'SDK Acme' })
    const redirectURL = (res.data as { redirectURL: string }).redirectURL
    expect(warnings).toEqual([`Before using the tool, please visit the following URL to complete the connection: ${redirectURL}`])
    const page = await followAuthorization(redirectURL, `${hub.url}/oauth/callback`)
    expect(page.body).toContain('you can close this window')
    const tool = await patchbay.ModelFactory.get((res.data as { id: string }).id)
    expect(tool).toBeInstanceOf(ConnectionTool)
    const out = await (tool as ConnectionTool).run('ACME_GET_THING', { id: '7' })
    expect(out.status).toBe('SUCCESS')
    expect(out.data).toMatchObject({ ok: true, path: '/api/things/7' })
    await tool.delete()
  })
})

describe('OAuth 2 refresh', () => {
  it('refreshes before expiry and stores the rotated refresh token', async () => {
    const before = refreshes()
    const seen = as.apiTokens.length
    await expireToken(connected)
    const first = await run(connected, 'ACME_GET_THING', { id: '1' })
    expect(first.body.status).toBe('SUCCESS')
    expect(refreshes()).toBe(before + 1)
    // The rotated refresh token was stored: a second refresh works (reusing the old one would
    // make oidc-provider revoke the grant).
    await expireToken(connected)
    const second = await run(connected, 'ACME_GET_THING', { id: '2' })
    expect(second.body.status).toBe('SUCCESS')
    expect(refreshes()).toBe(before + 2)
    expect(as.tokenErrors).toEqual([])
    const tokens = as.apiTokens.slice(seen)
    expect(new Set(tokens).size).toBe(2)
  })

  it('refreshes once after a 401 from the service and retries', async () => {
    const before = refreshes()
    await run(connected, 'ACME_GET_THING', { id: '1' })
    const current = as.apiTokens.at(-1) as string
    as.rejected.add(current)
    const ran = await run(connected, 'ACME_GET_THING', { id: '1' })
    expect(ran.body.status).toBe('SUCCESS')
    expect(refreshes()).toBe(before + 1)
    expect(as.apiTokens.at(-2)).toBe(current)
    expect(as.apiTokens.at(-1)).not.toBe(current)
  })

  it('shares one refresh among 60 concurrent runs on an expired token', async () => {
    const before = refreshes()
    await expireToken(connected)
    const results = await Promise.all(Array.from({ length: 60 }, (_, i) => run(connected, 'ACME_GET_THING', { id: String(i) })))
    expect(results.map((r) => r.body.status)).toEqual(Array(60).fill('SUCCESS'))
    expect(refreshes()).toBe(before + 1)
    expect(as.tokenErrors).toEqual([])
  })

  it('marks the connection EXPIRED when the refresh token is rejected (invalid_grant) and says to reconnect', async () => {
    const { id } = await connectAndAuthorize('Doomed Acme')
    await as.destroyGrants()
    await expireToken(id)
    const ran = await run(id, 'ACME_GET_THING', { id: '1' })
    expect(ran.status).toBe(200)
    expect(ran.body).toMatchObject({ status: 'FAILED', code: 'CONNECTION_NOT_ACTIVE' })
    expect(ran.body.error_message).toContain('has expired')
    expect(ran.body.error_message).toContain('invalid_grant')
    expect(ran.body.error_message).toContain('data.assetId')
    const rec = await record(id)
    expect(rec.connectionStatus).toBe('EXPIRED')
    expect(rec.connectionStatusReason).toContain('invalid_grant')
    expect(as.tokenErrors).toContain('invalid_grant')
    as.tokenErrors.length = 0
    // Reconnecting the same connection (assetId) brings it back.
    const again = await call(hub, 'POST', '/api/v2/execute/acme', { authScheme: 'OAUTH2', data: { assetId: id } })
    expect(again.body.data.id).toBe(id)
    const page = await followAuthorization(again.body.data.redirectURL, `${hub.url}/oauth/callback`)
    expect(page.status).toBe(200)
    expect((await record(id)).connectionStatus).toBe('ACTIVE')
    expect((await run(id, 'ACME_GET_THING', { id: '1' })).body.status).toBe('SUCCESS')
  })
})

describe('OAuth 2 re-authorization of a working connection', () => {
  it('an abandoned or refused re-authorization leaves the ACTIVE connection working and is never swept', async () => {
    const { id } = await connectAndAuthorize('Re-auth Acme')
    const again = await call(hub, 'POST', '/api/v2/execute/acme', { authScheme: 'OAUTH2', data: { assetId: id } })
    expect(again.body.data.id).toBe(id)
    expect((await record(id)).connectionStatus).toBe('ACTIVE')
    expect((await run(id, 'ACME_GET_THING', { id: '1' })).body.status).toBe('SUCCESS')
    await hub.hub.oauth.sweep(new Date(Date.now() + 11 * 60_000))
    expect((await record(id)).connectionStatus).toBe('ACTIVE')
    as.mode = 'deny'
    try {
      const page = await followAuthorization(again.body.data.redirectURL, `${hub.url}/oauth/callback`)
      expect(page.status).toBe(400)
    } finally {
      as.mode = 'approve'
    }
    expect((await record(id)).connectionStatus).toBe('ACTIVE')
    expect((await run(id, 'ACME_GET_THING', { id: '2' })).body.status).toBe('SUCCESS')
  })
})

describe('OAuth 2 disconnect and client credentials', () => {
  it('revokes the token at the provider when the connection is deleted', async () => {
    const { id } = await connectAndAuthorize('Short-lived Acme')
    const before = as.revocations
    const del = await call(hub, 'DELETE', `/sdk/models/${id}`)
    expect(del.status).toBe(200)
    expect(del.body).toMatchObject({ deleted: true, revoked: true })
    expect(as.revocations).toBe(before + 1)
  })

  it('connects with the client credentials grant without a redirect, and renews the token when it expires', async () => {
    expect((await call(hub, 'PUT', '/admin/oauth-apps/acme-m2m', { clientId: as.clientId, clientSecret: as.clientSecret })).status).toBe(200)
    const res = await call(hub, 'POST', '/api/v2/execute/acme-m2m', { name: 'Robot', authScheme: 'OAUTH2' })
    expect(res.status).toBe(200)
    expect(res.body.data.redirectURL).toBeUndefined()
    expect((await record(res.body.data.id)).connectionStatus).toBe('ACTIVE')
    expect((await run(res.body.data.id, 'ACME_GET_THING', { id: '1' })).body.status).toBe('SUCCESS')
    const before = as.tokenRequests.filter((g) => g === 'client_credentials').length
    await expireToken(res.body.data.id)
    expect((await run(res.body.data.id, 'ACME_GET_THING', { id: '1' })).body.status).toBe('SUCCESS')
    expect(as.tokenRequests.filter((g) => g === 'client_credentials').length).toBe(before + 1)
  })

  it('keeps the client secret and every token out of responses, logs and the database file', async () => {
    const db = await readFile(hub.dbFile)
    const logs = hub.logs.join('\n')
    const responses = seenResponses.join('\n')
    const secrets = [as.clientSecret, ...new Set(as.apiTokens)]
    expect(secrets.length).toBeGreaterThan(5)
    for (const s of secrets) {
      expect(db.includes(Buffer.from(s))).toBe(false)
      expect(logs).not.toContain(s)
      expect(responses).not.toContain(s)
    }
  })
})
