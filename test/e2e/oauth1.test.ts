import { mkdtemp, readFile, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startOAuth1Server, type OAuth1TestServer } from '../support/oauth1-server.js'
import { followAuthorization } from '../support/oauth2-server.js'
import { call, seenResponses, startTestHub, type TestHub } from '../support/test-hub.js'

function definition(p: string, id: string, signatureMethod: 'HMAC-SHA1' | 'HMAC-SHA256') {
  return {
    id,
    name: `Tweety ${signatureMethod}`,
    description: 'A stand-in OAuth 1.0a service',
    baseUrl: `${p}/1`,
    auth: {
      OAUTH1: {
        oauth1: { requestTokenUrl: `${p}/oauth/request_token`, authorizationUrl: `${p}/oauth/authorize`, accessTokenUrl: `${p}/oauth/access_token`, signatureMethod },
      },
    },
    actions: [
      {
        code: 'TWEETY_SEARCH',
        name: 'Search',
        description: 'Search with query parameters.',
        input: { type: 'object', required: ['q'], properties: { q: { type: 'string' }, count: { type: 'integer' }, lang: { type: 'string' } } },
        request: { method: 'GET', path: '/search/tweets.json', query: { q: '{q}', count: '{count}', lang: '{lang}' } },
      },
      {
        code: 'TWEETY_UPDATE',
        name: 'Post status',
        description: 'A form-encoded POST with a query parameter too.',
        input: {
          type: 'object',
          required: ['status'],
          properties: { status: { type: 'string' }, include_entities: { type: 'boolean' }, tags: { type: 'array', items: { type: 'string' } } },
        },
        request: { method: 'POST', path: '/statuses/update.json', query: { include_entities: '{include_entities}' }, body: { encoding: 'form', fields: ['status', 'tags'] } },
      },
      {
        code: 'TWEETY_JSON',
        name: 'JSON post',
        description: 'A JSON body, which is not part of the signature.',
        input: { type: 'object', required: ['text'], properties: { text: { type: 'string' } } },
        request: { method: 'POST', path: '/things/{text}.json', body: { encoding: 'json' } },
      },
    ],
  }
}

let provider: OAuth1TestServer
let hub: TestHub
const ids: Record<string, string> = {}
const run = (id: string, action: string, data: unknown) => call(hub, 'POST', `/api/v2/execute/${id}`, { action, data })
const tricky = "Hello Ladies + Gentlemen, a signed OAuth request! ~ é/ü 100% (ok) * 'quoted' & a=b"

beforeAll(async () => {
  provider = await startOAuth1Server()
  const dir = await mkdtemp(join(tmpdir(), 'patchbay-oauth1-'))
  await writeFile(join(dir, 'tweety.json'), JSON.stringify(definition(provider.url, 'tweety', 'HMAC-SHA1')))
  await writeFile(join(dir, 'tweety256.json'), JSON.stringify(definition(provider.url, 'tweety256', 'HMAC-SHA256')))
  hub = await startTestHub({ catalogDirs: [dir] })
})

afterAll(async () => {
  await hub?.close()
  await provider?.close()
})

describe.each(['tweety', 'tweety256'])('OAuth 1.0a (%s)', (integration) => {
  it('needs the consumer key and secret first', async () => {
    const res = await call(hub, 'POST', `/api/v2/execute/${integration}`, { authScheme: 'OAUTH1' })
    expect(res.status).toBe(400)
    expect(res.body.message).toContain('consumer key and secret')
    expect(res.body.message).toContain(`patchbay oauth-app set ${integration}`)
    const put = await call(hub, 'PUT', `/admin/oauth-apps/${integration}`, { clientId: provider.consumerKey, clientSecret: provider.consumerSecret })
    expect(put.status).toBe(200)
  })

  it('runs the three-legged flow: temporary credentials, authorize, verifier, token credentials', async () => {
    const res = await call(hub, 'POST', `/api/v2/execute/${integration}`, { name: `My ${integration}`, authScheme: 'OAUTH1' })
    expect(res.status).toBe(200)
    const redirect = new URL(res.body.data.redirectURL)
    expect(redirect.origin + redirect.pathname).toBe(`${provider.url}/oauth/authorize`)
    expect((await call(hub, 'GET', `/sdk/models/${res.body.data.id}`)).body.connectionStatus).toBe('PENDING')
    const page = await followAuthorization(res.body.data.redirectURL, `${hub.url}/oauth/callback`)
    expect(page.status).toBe(200)
    expect(page.body).toContain('you can close this window')
    expect((await call(hub, 'GET', `/sdk/models/${res.body.data.id}`)).body.connectionStatus).toBe('ACTIVE')
    expect(provider.rejected).toEqual([])
    ids[integration] = res.body.data.id
  })

  it('signs query parameters, including characters that need RFC 3986 encoding', async () => {
    const ran = await run(ids[integration] as string, 'TWEETY_SEARCH', { q: tricky, count: 5, lang: 'en' })
    expect(ran.body.status).toBe('SUCCESS')
    expect(ran.body.data.query).toEqual({ q: tricky, count: '5', lang: 'en' })
    expect(provider.rejected).toEqual([])
  })

  it('signs form-encoded body parameters together with the query', async () => {
    const ran = await run(ids[integration] as string, 'TWEETY_UPDATE', { status: tricky, include_entities: true, tags: ['a b', 'c+d'] })
    expect(ran.body.status).toBe('SUCCESS')
    expect(ran.body.data.form['status']).toBe(tricky)
    expect(ran.body.data.query).toEqual({ include_entities: 'true' })
    expect(provider.rejected).toEqual([])
  })

  it('signs requests with a JSON body (body not in the signature) and unique nonces under concurrency', async () => {
    const results = await Promise.all(Array.from({ length: 25 }, (_, i) => run(ids[integration] as string, 'TWEETY_JSON', { text: `n${i}` })))
    expect(results.map((r) => r.body.status)).toEqual(Array(25).fill('SUCCESS'))
    expect(provider.rejected).toEqual([])
  })
})

describe('OAuth 1.0a failures and secrets', () => {
  it('a denial ends on a clear page and leaves the connection in ERROR', async () => {
    provider.mode = 'deny'
    try {
      const res = await call(hub, 'POST', '/api/v2/execute/tweety', { name: 'denied tweety', authScheme: 'OAUTH1' })
      const page = await followAuthorization(res.body.data.redirectURL, `${hub.url}/oauth/callback`)
      expect(page.status).toBe(400)
      expect(page.body).toContain('Access denied')
      const rec = (await call(hub, 'GET', `/sdk/models/${res.body.data.id}`)).body
      expect(rec.connectionStatus).toBe('ERROR')
      expect(rec.connectionStatusReason).toContain('denied')
    } finally {
      provider.mode = 'approve'
    }
  })

  it('a wrong consumer secret is caught by the provider and reported at connect', async () => {
    await call(hub, 'PUT', '/admin/oauth-apps/tweety', { clientId: provider.consumerKey, clientSecret: 'wrong-secret' })
    try {
      const res = await call(hub, 'POST', '/api/v2/execute/tweety', { name: 'bad app', authScheme: 'OAUTH1' })
      expect(res.status).toBe(480)
      expect(res.body.message).toContain('answered HTTP 401')
      expect(res.text).not.toContain('wrong-secret')
      expect(provider.rejected.pop()).toContain('signature mismatch')
    } finally {
      await call(hub, 'PUT', '/admin/oauth-apps/tweety', { clientId: provider.consumerKey, clientSecret: provider.consumerSecret })
    }
  })

  it('keeps consumer secret and token credentials out of responses, logs and the database file', async () => {
    const db = await readFile(hub.dbFile)
    const logs = hub.logs.join('\n')
    const responses = seenResponses.join('\n')
    const secrets = [provider.consumerSecret, ...provider.issued.keys(), ...provider.issued.values()]
    expect(secrets.length).toBeGreaterThanOrEqual(5)
    for (const s of secrets) {
      expect(db.includes(Buffer.from(s))).toBe(false)
      expect(logs).not.toContain(s)
      expect(responses).not.toContain(s)
    }
  })
})
