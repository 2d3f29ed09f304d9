import { mkdtemp, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { generateMasterKey, parseMasterKey, Vault } from '@patchbay/hub'
import { runCli, startHubProcess, startHubProcesses, stopAllProcesses, waitFor, type HubProcess } from '../support/hub-processes.js'
import { startOAuth1Server, type OAuth1TestServer } from '../support/oauth1-server.js'
import { acmeDefinition, followAuthorization, startOAuth2Server, type OAuth2TestServer } from '../support/oauth2-server.js'
import { createTestDatabase, dropTestDatabases, postgresAvailable } from '../support/postgres.js'
import { call } from '../support/test-hub.js'
import { startGateProxy, startLoadBalancer, type GateProxy, type LoadBalancer } from './fixtures.js'

/**
 * OAuth 2 across hub processes behind a load balancer, against the real `oidc-provider`: the
 * callback lands on another process than the one that started the authorization, and a storm of
 * runs on an expired token spread over three processes makes exactly one token request.
 */
const available = await postgresAvailable()

describe.skipIf(!available)('OAuth across hub processes on PostgreSQL', () => {
  const apiKey = 'oauth-scale-test-key-0123456789ab'
  let as: OAuth2TestServer
  let o1: OAuth1TestServer
  let gate: GateProxy
  let lb: LoadBalancer
  let hubs: HubProcess[]
  let db: pg.Client
  let connected: string
  let tweety: string
  let databaseUrl: string
  let hubEnv: Record<string, string>
  let catalogDir: string
  const oldKey = generateMasterKey()

  const refreshes = () => as.tokenRequests.filter((g) => g === 'refresh_token').length
  const run = (hub: HubProcess, id: string, n: number) => call(hub, 'POST', `/api/v2/execute/${id}`, { action: 'ACME_GET_THING', data: { id: String(n) } })
  const expireToken = (id: string) => db.query(`update connections set token_expires_at = $1 where id = $2`, [new Date(Date.now() - 1000).toISOString(), id])

  beforeAll(async () => {
    as = await startOAuth2Server()
    o1 = await startOAuth1Server()
    const dir = await mkdtemp(join(tmpdir(), 'pb-oauth-scale-'))
    catalogDir = dir
    // Acme again, but its token endpoint behind a gate, to kill a hub in the middle of a refresh.
    gate = await startGateProxy(as.url)
    await writeFile(join(dir, 'acme-gated.json'), JSON.stringify(acmeDefinition(as.url, { id: 'acme-gated', name: 'Acme gated', oauth2: { tokenUrl: `${gate.url}/token` } })))
    await writeFile(
      join(dir, 'tweety.json'),
      JSON.stringify({
        id: 'tweety',
        name: 'Tweety',
        description: 'Stand-in OAuth 1.0a service',
        baseUrl: `${o1.url}/1`,
        auth: {
          OAUTH1: {
            oauth1: {
              requestTokenUrl: `${o1.url}/oauth/request_token`,
              authorizationUrl: `${o1.url}/oauth/authorize`,
              accessTokenUrl: `${o1.url}/oauth/access_token`,
              signatureMethod: 'HMAC-SHA1',
            },
          },
        },
        actions: [
          {
            code: 'TWEETY_SEARCH',
            name: 'Search',
            description: 'Search with query parameters.',
            input: { type: 'object', required: ['q'], properties: { q: { type: 'string' } } },
            request: { method: 'GET', path: '/search/tweets.json', query: { q: '{q}' } },
          },
        ],
      }),
    )
    await writeFile(join(dir, 'acme.json'), JSON.stringify(acmeDefinition(as.url)))
    lb = await startLoadBalancer()
    databaseUrl = await createTestDatabase()
    // Every process hands out the balancer's URL: callbacks and polls may land anywhere.
    hubEnv = { PATCHBAY_PUBLIC_URL: lb.url }
    hubs = await startHubProcesses(3, { databaseUrl, masterKeys: [oldKey], apiKey, catalogDirs: [dir], env: hubEnv })
    lb.backends = hubs.map((h) => h.url)
    as.configure(`${lb.url}/oauth/callback`)
    db = new pg.Client({ connectionString: databaseUrl })
    await db.connect()
    const app = await call(hubs[0] as HubProcess, 'PUT', '/admin/oauth-apps/acme', { clientId: as.clientId, clientSecret: as.clientSecret })
    expect(app.status).toBe(200)
  })

  afterAll(async () => {
    await db?.end()
    await stopAllProcesses()
    await lb?.close()
    await as?.close()
    await o1?.close()
    await gate?.stop()
    await dropTestDatabases()
  })

  it('an authorization started on one process completes through a callback landing on another', async () => {
    const [a, b, c] = hubs as [HubProcess, HubProcess, HubProcess]
    const started = await call(a, 'POST', '/api/v2/execute/acme', { name: 'Acme across processes', authScheme: 'OAUTH2' })
    expect(started.status).toBe(200)
    const id = started.body.data.id as string
    expect(new URL(started.body.data.redirectURL).searchParams.get('redirect_uri')).toBe(`${lb.url}/oauth/callback`)

    lb.pinned = b.url
    let page
    try {
      page = await followAuthorization(started.body.data.redirectURL, `${lb.url}/oauth/callback`)
    } finally {
      lb.pinned = undefined
    }
    expect(page.status).toBe(200)
    expect(page.body).toContain('Connected')
    // The callback was served by B, not by A which started the flow (and holds nothing of it).
    const callbacks = lb.forwarded.filter((f) => f.path.startsWith('/oauth/callback'))
    expect(callbacks.map((f) => f.backend)).toEqual([b.url])

    // C sees the connection active and runs with its token.
    const rec = await call(c, 'GET', `/sdk/models/${id}`)
    expect(rec.body.connectionStatus).toBe('ACTIVE')
    const ran = await run(c, id, 1)
    expect(ran.body).toMatchObject({ status: 'SUCCESS', data: { ok: true, path: '/api/things/1' } })

    // The state is single-use across processes: replaying the callback on A is refused.
    const replay = await fetch(`${a.url}${new URL(page.callbackUrl as string).pathname}${new URL(page.callbackUrl as string).search}`)
    expect(replay.status).toBe(400)
    expect(await replay.text()).toContain('already used')
    connected = id
  })

  it('an OAuth 1.0a authorization started on one process completes through a callback landing on another', async () => {
    const [a, b, c] = hubs as [HubProcess, HubProcess, HubProcess]
    expect((await call(b, 'PUT', '/admin/oauth-apps/tweety', { clientId: o1.consumerKey, clientSecret: o1.consumerSecret })).status).toBe(200)
    const started = await call(a, 'POST', '/api/v2/execute/tweety', { name: 'Tweety across processes', authScheme: 'OAUTH1' })
    expect(started.status).toBe(200)
    lb.pinned = c.url
    let page
    try {
      page = await followAuthorization(started.body.data.redirectURL, `${lb.url}/oauth/callback`)
    } finally {
      lb.pinned = undefined
    }
    expect(page.status).toBe(200)
    expect(page.body).toContain('you can close this window')
    expect(lb.forwarded.filter((f) => f.path.startsWith('/oauth/callback')).at(-1)?.backend).toBe(c.url)
    const ran = await call(b, 'POST', `/api/v2/execute/${started.body.data.id}`, { action: 'TWEETY_SEARCH', data: { q: 'across' } })
    expect(ran.body).toMatchObject({ status: 'SUCCESS', data: { query: { q: 'across' } } })
    expect(o1.rejected).toEqual([])
    tweety = started.body.data.id
  })

  it('≥200 concurrent runs over three processes on an expired token make exactly one token request', async () => {
    expect(connected).toBeDefined()
    const usedBefore = new Set(as.apiTokens)
    const before = refreshes()
    await expireToken(connected)
    const results = await Promise.all(Array.from({ length: 210 }, (_, i) => run(hubs[i % hubs.length] as HubProcess, connected, i)))
    expect(results.filter((r) => r.body.status !== 'SUCCESS').map((r) => r.text)).toEqual([])
    expect(refreshes()).toBe(before + 1)
    expect(as.tokenErrors).toEqual([])
    // Every run of the storm used the one new token.
    const storm = new Set(as.apiTokens.slice(-210))
    expect(storm.size).toBe(1)
    expect(usedBefore.has([...storm][0] as string)).toBe(false)

    // Once refreshed, a second wave needs no token request at all.
    const again = await Promise.all(hubs.map((h, i) => run(h, connected, 1000 + i)))
    expect(again.map((r) => r.body.status)).toEqual(['SUCCESS', 'SUCCESS', 'SUCCESS'])
    expect(refreshes()).toBe(before + 1)
  })
  it('a hub killed while it refreshes a token leaves the credential intact, and another process refreshes it', async () => {
    const [a, b] = hubs as [HubProcess, HubProcess]
    expect((await call(a, 'PUT', '/admin/oauth-apps/acme-gated', { clientId: as.clientId, clientSecret: as.clientSecret })).status).toBe(200)
    const started = await call(a, 'POST', '/api/v2/execute/acme-gated', { name: 'Acme refresh crash', authScheme: 'OAUTH2' })
    const page = await followAuthorization(started.body.data.redirectURL, `${lb.url}/oauth/callback`)
    expect(page.status).toBe(200)
    const id = started.body.data.id as string
    const before = refreshes()
    const forwardedBefore = gate.forwarded
    await expireToken(id)

    // A takes the row lock and calls the token endpoint, where the request is held; then A dies.
    gate.close()
    const onA = Array.from({ length: 5 }, (_, i) => run(a, id, i).catch((err: Error) => err))
    await waitFor(() => gate.held === 1, 'A to call the token endpoint')
    await a.kill()
    await Promise.all(onA)
    lb.backends = hubs.slice(1).map((h) => h.url)
    gate.open()
    expect(gate.forwarded).toBe(forwardedBefore) // A's request never reached the provider.

    // B gets the lock A's death released, refreshes once, and every run succeeds.
    const onB = await Promise.all(Array.from({ length: 20 }, (_, i) => run(b, id, 100 + i)))
    expect(onB.filter((r) => r.body.status !== 'SUCCESS').map((r) => r.text)).toEqual([])
    expect(refreshes()).toBe(before + 1)
    expect(as.tokenErrors).toEqual([])
    const row = (await db.query('select tenant_id, secrets, status from connections where id = $1', [id])).rows[0]
    expect(row.status).toBe('ACTIVE')
    expect(new Vault([parseMasterKey(oldKey)]).open(row.secrets, { tenantId: row.tenant_id, connectionId: id })).toHaveProperty('refresh_token')

    // The next start of A recovers: it serves at once.
    hubs[0] = await startHubProcess({ databaseUrl, masterKeys: [oldKey], apiKey, catalogDirs: [catalogDir], env: hubEnv, name: 'a-restarted' })
    lb.backends = hubs.map((h) => h.url)
    expect((await run(hubs[0] as HubProcess, id, 999)).body.status).toBe('SUCCESS')
  })

  it('a master key rotation re-encrypts OAuth apps, flow states and tokens: runs, refresh and signing work with the new key alone', async () => {
    expect(connected && tweety).toBeTruthy()
    // A flow left half-way keeps a sealed state row.
    expect((await call(hubs[0] as HubProcess, 'POST', '/api/v2/execute/acme', { name: 'Never finished', authScheme: 'OAUTH2' })).status).toBe(200)
    const newKey = generateMasterKey()
    const newId = parseMasterKey(newKey).id
    await stopAllProcesses()
    hubs = await startHubProcesses(2, { databaseUrl, masterKeys: [newKey, oldKey], apiKey, catalogDirs: [catalogDir], env: hubEnv })
    lb.backends = hubs.map((h) => h.url)
    const rotated = await runCli(['keys', 'rotate-master', '--new-key', 'env:PB_NEW'], { PATCHBAY_DATABASE_URL: databaseUrl, PATCHBAY_MASTER_KEYS: oldKey, PB_NEW: newKey })
    expect(rotated.code, rotated.stdout + rotated.stderr).toBe(0)
    expect(rotated.stdout).toMatch(/oauth_apps 3 \(3 with [0-9a-f]{8}\); oauth_states [1-9]\d* \(/)
    expect(rotated.stdout).toContain(`Verified: every stored secret is sealed with ${newId}`)
    expect(rotated.stdout).not.toContain('cannot re-encrypt')

    await stopAllProcesses()
    const onlyNew = await startHubProcess({ databaseUrl, masterKeys: [newKey], apiKey, catalogDirs: [catalogDir], env: hubEnv })
    const before = refreshes()
    await expireToken(connected)
    const ran = await run(onlyNew, connected, 7)
    expect(ran.body.status, ran.text).toBe('SUCCESS')
    expect(refreshes()).toBe(before + 1)
    const signed = await call(onlyNew, 'POST', `/api/v2/execute/${tweety}`, { action: 'TWEETY_SEARCH', data: { q: 'after rotation' } })
    expect(signed.body.status, signed.text).toBe('SUCCESS')
    expect(o1.rejected).toEqual([])
  })
})
