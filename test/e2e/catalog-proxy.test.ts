import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { grantDefinitions, readGrantData } from '@patchbay/hub'
import { echoDefinition } from '../support/echo-service.js'
import { followAuthorization, startOAuth2Server, type OAuth2TestServer } from '../support/oauth2-server.js'
import { call, startTestHub, type TestHub } from '../support/test-hub.js'
import { startUpstream, type Upstream } from '../support/upstream.js'

// A curated definition (the echo service, key schemes) and a generated one (grant's Twitch, its
// OAuth 2 URLs and base URL pointed at the real oidc-provider on 127.0.0.1), both offering the
// shared REQUEST proxy action the catalog adds.
let as: OAuth2TestServer
let upstream: Upstream
let hub: TestHub
let dir: string

const run = (id: string, action: string, data: unknown) => call(hub, 'POST', `/api/v2/execute/${id}`, { action, data })

beforeAll(async () => {
  as = await startOAuth2Server()
  upstream = await startUpstream()
  const twitch = grantDefinitions(await readGrantData()).definitions.find((d) => d.id === 'twitch')
  if (!twitch?.auth.OAUTH2?.oauth2) throw new Error('grant has no Twitch OAuth 2 provider')
  const generated = {
    ...twitch,
    baseUrl: `${as.url}/api`,
    auth: {
      OAUTH2: { oauth2: { ...twitch.auth.OAUTH2.oauth2, authorizationUrl: `${as.url}/auth`, tokenUrl: `${as.url}/token`, issuer: as.url, scopes: ['api:read'], pkce: true } },
    },
  }
  dir = await mkdtemp(join(tmpdir(), 'patchbay-proxy-'))
  await writeFile(join(dir, 'twitch.json'), JSON.stringify(generated))
  await writeFile(join(dir, 'echo.json'), JSON.stringify(echoDefinition(upstream.url)))
  hub = await startTestHub({ catalogDirs: [dir] })
  as.configure(`${hub.url}/oauth/callback`)
})

afterAll(async () => {
  await hub?.close()
  await upstream?.close()
  await as?.close()
  if (dir) await rm(dir, { recursive: true, force: true })
})

describe('REQUEST on a curated integration', () => {
  let id: string

  it('sends method, path under the base URL, query, headers and body with the connection credentials, and answers the envelope', async () => {
    const c = await call(hub, 'POST', '/api/v2/execute/echo', { name: 'proxy echo', authScheme: 'BEARER_TOKEN', data: { token: 'tok-proxy-1234' } })
    expect(c.status).toBe(200)
    id = c.body.data.id
    upstream.handler = (r) => (r.path === '/eu/things/7' ? { status: 201, headers: { 'x-upstream': 'yes' }, body: { created: true } } : undefined)
    const r = await run(id, 'REQUEST', { method: 'PUT', path: '/things/7', query: { dry: true, n: 2 }, headers: { 'X-Trace': 'abc' }, body: { name: 'seven' } })
    expect(r.status).toBe(200)
    expect(r.body.status).toBe('SUCCESS')
    expect(r.body.data).toMatchObject({ status: 201, headers: { 'x-upstream': 'yes' }, body: { created: true } })
    const got = upstream.received.at(-1)
    expect(got).toMatchObject({ method: 'PUT', path: '/eu/things/7' })
    expect(got?.query.get('dry')).toBe('true')
    expect(got?.query.get('n')).toBe('2')
    expect(got?.headers['x-trace']).toBe('abc')
    expect(got?.headers.authorization).toBe('Bearer tok-proxy-1234')
    expect(JSON.parse(got?.body ?? '')).toEqual({ name: 'seven' })
  })

  it('answers an upstream error status as data, and refuses a path without a leading slash', async () => {
    upstream.handler = () => ({ status: 404, body: { error: 'nope' } })
    const r = await run(id, 'REQUEST', { method: 'GET', path: '/missing' })
    expect(r.body.data).toMatchObject({ status: 404, body: { error: 'nope' } })
    const bad = await run(id, 'REQUEST', { method: 'GET', path: 'missing' })
    expect(bad.status).toBe(400)
    expect(JSON.stringify(bad.body)).toContain('path')
    upstream.handler = undefined
  })

  it('is listed with the curated actions, in the tool export and in the action scope', async () => {
    const tools = await call(hub, 'GET', `/api/v2/connections/${id}/tools?format=openai`)
    expect(tools.status).toBe(200)
    expect(JSON.stringify(tools.body.tools)).toContain('REQUEST')
    const scope = await call(hub, 'PUT', `/api/v2/connections/${id}/action-scope`, { actions: ['ECHO_GET_ITEM', 'REQUEST'] })
    expect(scope.body).toMatchObject({ actions: ['ECHO_GET_ITEM', 'REQUEST'] })
  })
})

describe('a generated (grant) OAuth 2 integration, end to end', () => {
  it('connects through the provider, verifies with GET_PROFILE and proxies with REQUEST', async () => {
    const rec = await call(hub, 'GET', `/sdk/models/patchbay%2Ftwitch`)
    expect(rec.status).toBe(200)
    expect(rec.body.attributes).toContainEqual({ name: 'generated_from', code: '"grant"' })
    expect((await call(hub, 'PUT', '/admin/oauth-apps/twitch', { clientId: as.clientId, clientSecret: as.clientSecret })).status).toBe(200)
    const res = await call(hub, 'POST', '/api/v2/execute/twitch', { name: 'Twitch via grant', authScheme: 'OAUTH2' })
    expect(res.status).toBe(200)
    const url = new URL(res.body.data.redirectURL)
    expect(url.origin + url.pathname).toBe(`${as.url}/auth`)
    expect(url.searchParams.get('code_challenge_method')).toBe('S256')
    const page = await followAuthorization(res.body.data.redirectURL, `${hub.url}/oauth/callback`)
    expect(page.status).toBe(200)
    const id = res.body.data.id as string

    const profile = await run(id, 'GET_PROFILE', {})
    expect(profile.body.status).toBe('SUCCESS')
    expect(profile.body.data).toMatchObject({ ok: true, method: 'GET', path: '/api/helix/users' })

    const proxied = await run(id, 'REQUEST', { method: 'POST', path: '/channels', query: { broadcaster_id: '42' }, body: { title: 'hi' } })
    expect(proxied.body.status).toBe('SUCCESS')
    expect(proxied.body.data).toMatchObject({ status: 200, body: { ok: true, method: 'POST', path: '/api/channels?broadcaster_id=42', body: { title: 'hi' } } })
    expect(proxied.body.data.body.scope).toContain('api:read')
  })
})
