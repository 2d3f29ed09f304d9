import { mkdtemp, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { generateMasterKey } from '@patchbay/hub'
import { startHubProcesses, stopAllProcesses, type HubProcess } from '../support/hub-processes.js'
import { followAuthorization, startOAuth2Server, type OAuth2TestServer } from '../support/oauth2-server.js'
import { createTestDatabase, dropTestDatabases, postgresAvailable } from '../support/postgres.js'
import { call } from '../support/test-hub.js'
import { startLoadBalancer, type LoadBalancer } from './fixtures.js'

/**
 * OAuth 2 across hub processes behind a load balancer, against the real `oidc-provider`: the
 * callback lands on another process than the one that started the authorization, and a storm of
 * runs on an expired token spread over three processes makes exactly one token request.
 */
const available = await postgresAvailable()

describe.skipIf(!available)('OAuth 2 across hub processes on PostgreSQL', () => {
  const apiKey = 'oauth-scale-test-key-0123456789ab'
  let as: OAuth2TestServer
  let lb: LoadBalancer
  let hubs: HubProcess[]
  let db: pg.Client
  let connected: string

  const refreshes = () => as.tokenRequests.filter((g) => g === 'refresh_token').length
  const run = (hub: HubProcess, id: string, n: number) => call(hub, 'POST', `/api/v2/execute/${id}`, { action: 'ACME_GET_THING', data: { id: String(n) } })
  const expireToken = (id: string) => db.query(`update connections set token_expires_at = $1 where id = $2`, [new Date(Date.now() - 1000).toISOString(), id])

  beforeAll(async () => {
    as = await startOAuth2Server()
    const dir = await mkdtemp(join(tmpdir(), 'pb-oauth-scale-'))
    await writeFile(
      join(dir, 'acme.json'),
      JSON.stringify({
        id: 'acme',
        name: 'Acme',
        description: 'Stand-in OAuth 2 service',
        baseUrl: `${as.url}/api`,
        auth: { OAUTH2: { oauth2: { authorizationUrl: `${as.url}/auth`, tokenUrl: `${as.url}/token`, issuer: as.url, scopes: ['api:read'] } } },
        actions: [
          {
            code: 'ACME_GET_THING',
            name: 'Get thing',
            description: 'Read a thing.',
            input: { type: 'object', required: ['id'], properties: { id: { type: 'string' } } },
            request: { method: 'GET', path: '/things/{id}' },
          },
        ],
      }),
    )
    lb = await startLoadBalancer()
    const databaseUrl = await createTestDatabase()
    hubs = await startHubProcesses(3, {
      databaseUrl,
      masterKeys: [generateMasterKey()],
      apiKey,
      catalogDirs: [dir],
      // Every process hands out the balancer's URL: callbacks and polls may land anywhere.
      env: { PATCHBAY_PUBLIC_URL: lb.url, PATCHBAY_DATABASE_POOL_SIZE: '10' },
    })
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
})
