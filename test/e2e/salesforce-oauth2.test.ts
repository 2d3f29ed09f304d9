import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { parse as parseYaml } from 'yaml'
import { followAuthorization, startOAuth2Server, type OAuth2TestServer } from '../support/oauth2-server.js'
import { call, startTestHub, type TestHub } from '../support/test-hub.js'
import { startUpstream, type Upstream } from '../support/upstream.js'

// The curated Salesforce definition as shipped, with only its three OAuth endpoint URLs pointed at
// the real oidc-provider on 127.0.0.1 (which answers the token request with Salesforce's
// `instance_url` added, client secret in the body as Salesforce takes it). The org itself is
// another stand-in, at the instance URL: the connection learns its base URL from the token
// response alone, stores it with the connection (not as a secret) and sends every action there.
let as: OAuth2TestServer
let org: Upstream
let hub: TestHub
let dir: string

const run = (id: string, action: string, data: unknown) => call(hub, 'POST', `/api/v2/execute/${id}`, { action, data })

async function connect(name: string): Promise<{ id: string; page: { status: number; body: string } }> {
  const res = await call(hub, 'POST', '/api/v2/execute/salesforce', { name, authScheme: 'OAUTH2' })
  expect(res.status, JSON.stringify(res.body)).toBe(200)
  const page = await followAuthorization(res.body.data.redirectURL, `${hub.url}/oauth/callback`)
  return { id: res.body.data.id as string, page }
}

async function row(id: string) {
  return hub.hub.store.db.selectFrom('connections').selectAll().where('id', '=', id).executeTakeFirstOrThrow()
}

beforeAll(async () => {
  as = await startOAuth2Server({ tokenEndpointAuthMethod: 'client_secret_post' })
  org = await startUpstream()
  const url = new URL('../../packages/hub/catalog/salesforce.yaml', import.meta.url)
  const salesforce = parseYaml(await readFile(fileURLToPath(url), 'utf8'))
  const o2 = salesforce.auth.OAUTH2.oauth2
  Object.assign(o2, { authorizationUrl: `${as.url}/auth`, tokenUrl: `${as.url}/token`, revocationUrl: `${as.url}/token/revocation` })
  dir = await mkdtemp(join(tmpdir(), 'patchbay-salesforce-'))
  await writeFile(join(dir, 'salesforce.json'), JSON.stringify(salesforce))
  hub = await startTestHub({ catalogDirs: [dir] })
  as.configure(`${hub.url}/oauth/callback`)
  const app = await call(hub, 'PUT', '/admin/oauth-apps/salesforce', { clientId: as.clientId, clientSecret: as.clientSecret })
  expect(app.status).toBe(200)
})

afterAll(async () => {
  await hub?.close()
  await org?.close()
  await as?.close()
  if (dir) await rm(dir, { recursive: true, force: true })
})

describe('Salesforce OAUTH2 (web server flow), base URL from the token response', () => {
  let id: string

  it('offers OAUTH2 next to BEARER_TOKEN, asks for api and refresh_token with PKCE', async () => {
    const rec = await call(hub, 'GET', '/sdk/models/patchbay%2Fsalesforce')
    expect(JSON.stringify(rec.body.attributes)).toMatch(/OAUTH2.*BEARER_TOKEN|BEARER_TOKEN.*OAUTH2/)
    const res = await call(hub, 'POST', '/api/v2/execute/salesforce', { name: 'sf probe', authScheme: 'OAUTH2' })
    const auth = new URL(res.body.data.redirectURL)
    expect(auth.origin + auth.pathname).toBe(`${as.url}/auth`)
    expect(auth.searchParams.get('scope')).toBe('api refresh_token')
    expect(auth.searchParams.get('code_challenge_method')).toBe('S256')
  })

  it('connects, keeps instance_url as a non-secret connection value and runs actions at that instance', async () => {
    as.tokenResponseExtras = { instance_url: `${org.url}/acme/`, id: 'https://login.salesforce.com/id/00Dx/005x', signature: 'sig' }
    const c = await connect('Salesforce via OAuth')
    expect(c.page.status, c.page.body).toBe(200)
    id = c.id
    const stored = await row(id)
    expect(stored.status).toBe('ACTIVE')
    expect(JSON.parse(stored.config)).toEqual({ instance_url: `${org.url}/acme/` })
    expect(stored.secrets ?? '').not.toContain(org.url)

    const q = "SELECT Id, Name FROM Account WHERE Name LIKE 'Acme%' LIMIT 10"
    const r = await run(id, 'SALESFORCE_QUERY', { q })
    expect(r.body.status, JSON.stringify(r.body)).toBe('SUCCESS')
    const got = org.received.at(-1)
    expect(got).toMatchObject({ method: 'GET', path: '/acme/services/data/v62.0/query' })
    expect(got?.query.get('q')).toBe(q)
    expect(got?.headers.authorization).toBe(`Bearer ${as.issuedAccessTokens.at(-1)}`)

    const proxied = await run(id, 'REQUEST', { method: 'GET', path: '/services/data/v62.0/limits' })
    expect(proxied.body.data).toMatchObject({ status: 200 })
    expect(org.received.at(-1)?.path).toBe('/acme/services/data/v62.0/limits')
  })

  it('takes a new instance_url from a refresh (after a 401) and sends the retry there', async () => {
    as.tokenResponseExtras = { instance_url: `${org.url}/acme-moved` }
    const before = as.tokenRequests.filter((g) => g === 'refresh_token').length
    org.handler = (r) => (r.path.startsWith('/acme/') ? { status: 401, body: [{ errorCode: 'INVALID_SESSION_ID' }] } : undefined)
    const r = await run(id, 'SALESFORCE_GET_USER_INFO', {})
    org.handler = undefined
    expect(r.body.status, JSON.stringify(r.body)).toBe('SUCCESS')
    expect(as.tokenRequests.filter((g) => g === 'refresh_token').length).toBe(before + 1)
    expect(org.received.at(-1)).toMatchObject({ path: '/acme-moved/services/oauth2/userinfo' })
    expect(org.received.at(-1)?.headers.authorization).toBe(`Bearer ${as.issuedAccessTokens.at(-1)}`)
    expect(JSON.parse((await row(id)).config)).toEqual({ instance_url: `${org.url}/acme-moved` })
  })

  it('a re-authorization keeps the instance until its own token response names another', async () => {
    const res = await call(hub, 'POST', '/api/v2/execute/salesforce', { authScheme: 'OAUTH2', data: { assetId: id } })
    expect(res.status, JSON.stringify(res.body)).toBe(200)
    // Not completed yet: the connection still works where it did.
    expect((await run(id, 'SALESFORCE_GET_USER_INFO', {})).body.status).toBe('SUCCESS')
    expect(org.received.at(-1)?.path).toBe('/acme-moved/services/oauth2/userinfo')
    as.tokenResponseExtras = { instance_url: `${org.url}/acme-again` }
    const page = await followAuthorization(res.body.data.redirectURL, `${hub.url}/oauth/callback`)
    expect(page.status, page.body).toBe(200)
    expect((await run(id, 'SALESFORCE_GET_USER_INFO', {})).body.status).toBe('SUCCESS')
    expect(org.received.at(-1)?.path).toBe('/acme-again/services/oauth2/userinfo')
  })

  it('fails the connection, naming the field, when the token response has no instance_url', async () => {
    as.tokenResponseExtras = {}
    const c = await connect('Salesforce without instance')
    expect(c.page.status).toBe(400)
    expect(c.page.body).toContain('instance_url')
    expect((await row(c.id)).status).toBe('ERROR')
  })

  it('refuses an instance_url that is not an http(s) URL, without echoing it', async () => {
    as.tokenResponseExtras = { instance_url: 'file:///etc/passwd-secretish' }
    const c = await connect('Salesforce bad instance')
    expect(c.page.status).toBe(400)
    expect(c.page.body).not.toContain('passwd-secretish')
    expect((await row(c.id)).status).toBe('ERROR')
  })

  it('still connects with an access token and My Domain name (BEARER_TOKEN), where the definition base URL applies', async () => {
    const res = await call(hub, 'POST', '/api/v2/execute/salesforce', { name: 'sf bearer', authScheme: 'BEARER_TOKEN', data: { instance: 'acme', token: '00Dxx!session' } })
    expect(res.status, JSON.stringify(res.body)).toBe(200)
    expect(JSON.parse((await row(res.body.data.id)).config)).toEqual({ instance: 'acme' })
  })
})
