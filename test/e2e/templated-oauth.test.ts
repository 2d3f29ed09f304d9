import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { grantDefinitions, readGrantData } from '@patchbay/hub'
import { startOAuth1Server, type OAuth1TestServer } from '../support/oauth1-server.js'
import { followAuthorization, startOAuth2Server, type OAuth2TestServer } from '../support/oauth2-server.js'
import { call, startTestHub, type TestHub } from '../support/test-hub.js'

// OAuth endpoint URLs filled from connection inputs: the HTTP API integration's OAUTH2 (both
// grants) and OAUTH1 against the real oidc-provider and the OAuth 1.0a stand-in, and a grant
// provider whose URLs hold {subdomain} (Keycloak, its URLs pointed at the local provider with
// {subdomain} = 127.0.0.1:<port>).
let as: OAuth2TestServer
let o1: OAuth1TestServer
let hub: TestHub
let guarded: TestHub
let dir: string

const run = (h: TestHub, id: string, action: string, data: unknown) => call(h, 'POST', `/api/v2/execute/${id}`, { action, data })

beforeAll(async () => {
  as = await startOAuth2Server()
  o1 = await startOAuth1Server()
  const keycloak = grantDefinitions(await readGrantData()).definitions.find((d) => d.id === 'keycloak')
  const kc2 = keycloak?.auth.OAUTH2
  if (!kc2?.oauth2 || !kc2.oauth2.tokenUrl.includes('{subdomain}')) throw new Error('grant has no Keycloak with a {subdomain} URL')
  const http = (u: string) => u.replace('https://{subdomain}', 'http://{subdomain}')
  const local = {
    ...keycloak,
    baseUrl: 'http://{subdomain}/api',
    auth: {
      OAUTH2: {
        ...kc2,
        oauth2: { ...kc2.oauth2, authorizationUrl: 'http://{subdomain}/auth', tokenUrl: http('https://{subdomain}/token'), scopes: ['api:read'], pkce: true },
      },
    },
  }
  dir = await mkdtemp(join(tmpdir(), 'patchbay-templated-oauth-'))
  await writeFile(join(dir, 'keycloak.json'), JSON.stringify(local))
  hub = await startTestHub({ catalogDirs: [dir] })
  guarded = await startTestHub({ allowPrivateNetwork: false })
  as.configure(`${hub.url}/oauth/callback`)
})

afterAll(async () => {
  await hub?.close()
  await guarded?.close()
  await as?.close()
  await o1?.close()
  if (dir) await rm(dir, { recursive: true, force: true })
})

describe('HTTP API over OAUTH2 with the endpoints as connection inputs', () => {
  it('authorization code: redirects to the given authorization URL, exchanges at the given token URL, then REQUEST carries the token', async () => {
    expect((await call(hub, 'PUT', '/admin/oauth-apps/http-api', { clientId: as.clientId, clientSecret: as.clientSecret, scopes: ['api:read', 'offline_access'] })).status).toBe(
      200,
    )
    const res = await call(hub, 'POST', '/api/v2/execute/http-api', {
      name: 'HTTP API via authorization code',
      authScheme: 'OAUTH2',
      data: { base_url: `${as.url}/api`, authorization_url: `${as.url}/auth`, token_url: `${as.url}/token` },
    })
    expect(res.status).toBe(200)
    const url = new URL(res.body.data.redirectURL)
    expect(url.origin + url.pathname).toBe(`${as.url}/auth`)
    expect(url.searchParams.get('code_challenge_method')).toBe('S256')
    const page = await followAuthorization(res.body.data.redirectURL, `${hub.url}/oauth/callback`)
    expect(page.status).toBe(200)
    const id = res.body.data.id as string
    expect((await call(hub, 'GET', `/sdk/models/${id}`)).body.connectionStatus).toBe('ACTIVE')
    expect(as.tokenRequests).toContain('authorization_code')
    const r = await run(hub, id, 'REQUEST', { method: 'GET', path: '/me' })
    expect(r.body.status).toBe('SUCCESS')
    expect(r.body.data).toMatchObject({ status: 200, body: { ok: true, method: 'GET', path: '/api/me' } })
    expect(r.body.data.body.scope).toContain('api:read')
  })

  it('client credentials: gets the token at the given token URL at connect, without a redirect', async () => {
    const before = as.tokenRequests.filter((g) => g === 'client_credentials').length
    const res = await call(hub, 'POST', '/api/v2/execute/http-api', {
      name: 'HTTP API via client credentials',
      authScheme: 'OAUTH2',
      data: { base_url: `${as.url}/api`, grant: 'client_credentials', token_url: `${as.url}/token` },
    })
    expect(res.status).toBe(200)
    expect(res.body.data.redirectURL).toBeUndefined()
    expect(as.tokenRequests.filter((g) => g === 'client_credentials').length).toBe(before + 1)
    const r = await run(hub, res.body.data.id, 'REQUEST', { method: 'POST', path: '/things', body: { a: 1 } })
    expect(r.body.data).toMatchObject({ status: 200, body: { ok: true, method: 'POST', path: '/api/things', body: { a: 1 } } })
  })

  it('answers 400 naming what to fix: no token URL, no authorization URL for the code grant, an unknown grant', async () => {
    const noToken = await call(hub, 'POST', '/api/v2/execute/http-api', { authScheme: 'OAUTH2', data: { base_url: `${as.url}/api` } })
    expect(noToken.status).toBe(400)
    expect(noToken.body.message).toContain('token_url')
    const noAuth = await call(hub, 'POST', '/api/v2/execute/http-api', { authScheme: 'OAUTH2', data: { base_url: `${as.url}/api`, token_url: `${as.url}/token` } })
    expect(noAuth.status).toBe(400)
    expect(noAuth.body.message).toContain('authorization URL')
    const badGrant = await call(hub, 'POST', '/api/v2/execute/http-api', {
      authScheme: 'OAUTH2',
      data: { base_url: `${as.url}/api`, grant: 'password', token_url: `${as.url}/token` },
    })
    expect(badGrant.status).toBe(400)
    expect(badGrant.body.message).toContain('authorization_code or client_credentials')
  })

  it('without PATCHBAY_ALLOW_PRIVATE_NETWORK refuses http and private token URLs before any request', async () => {
    expect((await call(guarded, 'PUT', '/admin/oauth-apps/http-api', { clientId: as.clientId, clientSecret: as.clientSecret })).status).toBe(200)
    const before = as.tokenRequests.length
    for (const token_url of [`${as.url}/token`, 'https://127.0.0.1/token', 'https://10.0.0.8/token', 'https://localhost/token']) {
      const res = await call(guarded, 'POST', '/api/v2/execute/http-api', {
        authScheme: 'OAUTH2',
        data: { base_url: 'https://api.example.com', grant: 'client_credentials', token_url },
      })
      expect(res.status, token_url).toBe(400)
      expect(res.body.message, token_url).toMatch(/PATCHBAY_ALLOW_PRIVATE_NETWORK/)
    }
    expect(as.tokenRequests.length).toBe(before)
  })
})

describe('HTTP API over OAUTH1 with the three URLs as connection inputs', () => {
  it('runs the three legs at the given URLs and signs REQUEST calls', async () => {
    expect((await call(hub, 'PUT', '/admin/oauth-apps/http-api', { clientId: o1.consumerKey, clientSecret: o1.consumerSecret })).status).toBe(200)
    const res = await call(hub, 'POST', '/api/v2/execute/http-api', {
      name: 'HTTP API via OAuth 1.0a',
      authScheme: 'OAUTH1',
      data: {
        base_url: `${o1.url}/1`,
        request_token_url: `${o1.url}/oauth/request_token`,
        authorize_url: `${o1.url}/oauth/authorize`,
        access_token_url: `${o1.url}/oauth/access_token`,
      },
    })
    expect(res.status).toBe(200)
    const redirect = new URL(res.body.data.redirectURL)
    expect(redirect.origin + redirect.pathname).toBe(`${o1.url}/oauth/authorize`)
    const page = await followAuthorization(res.body.data.redirectURL, `${hub.url}/oauth/callback`)
    expect(page.status).toBe(200)
    const id = res.body.data.id as string
    expect((await call(hub, 'GET', `/sdk/models/${id}`)).body.connectionStatus).toBe('ACTIVE')
    const r = await run(hub, id, 'REQUEST', { method: 'GET', path: '/statuses', query: { q: 'a b&c' } })
    expect(r.body.status).toBe('SUCCESS')
    expect(r.body.data).toMatchObject({ status: 200, body: { ok: true, method: 'GET', path: '/1/statuses', query: { q: 'a b&c' } } })
    expect(o1.rejected).toEqual([])
  })
})

describe('a grant provider with {subdomain} in its OAuth URLs', () => {
  it('connects with the subdomain input filling the authorization, token and base URLs', async () => {
    expect((await call(hub, 'PUT', '/admin/oauth-apps/keycloak', { clientId: as.clientId, clientSecret: as.clientSecret })).status).toBe(200)
    const subdomain = new URL(as.url).host
    const missing = await call(hub, 'POST', '/api/v2/execute/keycloak', { authScheme: 'OAUTH2', data: {} })
    expect(missing.status).toBe(400)
    expect(missing.body.message).toContain('subdomain')
    const bad = await call(hub, 'POST', '/api/v2/execute/keycloak', { authScheme: 'OAUTH2', data: { subdomain: 'evil.example@127.0.0.1' } })
    expect(bad.status).toBe(400)
    expect(bad.body.message).toContain('host name')
    const res = await call(hub, 'POST', '/api/v2/execute/keycloak', { name: 'Keycloak via grant', authScheme: 'OAUTH2', data: { subdomain } })
    expect(res.status).toBe(200)
    const url = new URL(res.body.data.redirectURL)
    expect(url.origin + url.pathname).toBe(`${as.url}/auth`)
    const page = await followAuthorization(res.body.data.redirectURL, `${hub.url}/oauth/callback`)
    expect(page.status).toBe(200)
    const id = res.body.data.id as string
    const profile = await run(hub, id, 'GET_PROFILE', {})
    expect(profile.body.status).toBe('SUCCESS')
    expect(profile.body.data).toMatchObject({ ok: true, method: 'GET' })
    expect(String(profile.body.data.path)).toMatch(/^\/api\//)
  })
})
