import { mkdtemp, writeFile } from 'node:fs/promises'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startBrowser, type TestBrowser } from '../support/browser.js'
import { acmeDefinition, startOAuth2Server, type OAuth2TestServer } from '../support/oauth2-server.js'
import { call, startTestHub, type TestHub } from '../support/test-hub.js'
import { startUpstream, type Upstream } from '../support/upstream.js'
import { startOAuth1Server, type OAuth1TestServer } from '../support/oauth1-server.js'

const GOOD_KEY = 'sk-good-key-4242'
const SHOTS = join(import.meta.dirname, '../../docs/images')

/** A service that refuses every key but GOOD_KEY, with a "who am I" verify action. */
function keyedDefinition(baseUrl: string) {
  return {
    id: 'keyed',
    name: 'Keyed',
    description: 'A stand-in service that checks its API key.',
    docsUrl: `${baseUrl}/docs/api-keys`,
    baseUrl,
    verify: 'KEYED_WHO_AM_I',
    auth: {
      API_KEY: {
        inputs: [
          { name: 'api_key', displayName: 'API key', description: 'Settings → API keys in your Keyed account', secret: true },
          { name: 'workspace', displayName: 'Workspace', description: 'Your workspace name', required: false },
        ],
        apply: { headers: { 'X-Api-Key': '{api_key}' } },
      },
    },
    actions: [
      { code: 'KEYED_WHO_AM_I', name: 'Who am I', description: 'The account of the key.', input: { type: 'object', properties: {} }, request: { method: 'GET', path: '/me' } },
    ],
  }
}

describe('the hosted Connect page in a real browser', () => {
  let hub: TestHub
  let browser: TestBrowser
  let keyed: Upstream
  let as: OAuth2TestServer
  let tweety: OAuth1TestServer
  let embedder: Server
  let embedderUrl = ''
  let otherEmbedder: Server
  let otherEmbedderUrl = ''

  const session = async (body: Record<string, unknown>) => {
    const r = await call(hub, 'POST', '/api/v2/connect/sessions', body)
    expect(r.status, r.text).toBe(201)
    return r.body as { token: string; connectUrl: string }
  }

  beforeAll(async () => {
    keyed = await startUpstream((r) => {
      if (r.path === '/me') return r.headers['x-api-key'] === GOOD_KEY ? { body: { id: 'acct-1', name: 'Ann' } } : { status: 401, body: { message: 'Invalid API key' } }
      return undefined
    })
    as = await startOAuth2Server()
    tweety = await startOAuth1Server()
    const dir = await mkdtemp(join(tmpdir(), 'patchbay-connect-page-'))
    await writeFile(join(dir, 'keyed.json'), JSON.stringify(keyedDefinition(keyed.url)))
    await writeFile(join(dir, 'acme.json'), JSON.stringify(acmeDefinition(as.url)))
    const p = tweety.url
    await writeFile(
      join(dir, 'tweety.json'),
      JSON.stringify({
        id: 'tweety',
        name: 'Tweety',
        description: 'A stand-in OAuth 1.0a service',
        baseUrl: `${p}/1`,
        auth: { OAUTH1: { oauth1: { requestTokenUrl: `${p}/oauth/request_token`, authorizationUrl: `${p}/oauth/authorize`, accessTokenUrl: `${p}/oauth/access_token` } } },
        actions: [
          {
            code: 'TWEETY_SEARCH',
            name: 'Search',
            description: 'Search.',
            input: { type: 'object', required: ['q'], properties: { q: { type: 'string' } } },
            request: { method: 'GET', path: '/search/tweets.json', query: { q: '{q}' } },
          },
        ],
      }),
    )
    hub = await startTestHub({ catalogDirs: [dir] })
    as.configure(`${hub.url}/oauth/callback`)
    expect((await call(hub, 'PUT', '/admin/oauth-apps/acme', { clientId: as.clientId, clientSecret: as.clientSecret })).status).toBe(200)
    expect((await call(hub, 'PUT', '/admin/oauth-apps/tweety', { clientId: tweety.consumerKey, clientSecret: tweety.consumerSecret })).status).toBe(200)
    const page = (src: string) => (_req: unknown, res: import('node:http').ServerResponse) => {
      res.setHeader('content-type', 'text/html')
      res.end(`<!doctype html><title>App</title><h1>App</h1><iframe title="Connect" src="${src}" width="420" height="600"></iframe>`)
    }
    // The iframe's src is set per test through the query string of the embedding page.
    const serve = (req: import('node:http').IncomingMessage, res: import('node:http').ServerResponse) =>
      page(new URL(req.url ?? '/', 'http://x').searchParams.get('src') ?? '')(req, res)
    embedder = createServer(serve)
    otherEmbedder = createServer(serve)
    await new Promise<void>((r) => embedder.listen(0, '127.0.0.1', r))
    await new Promise<void>((r) => otherEmbedder.listen(0, '127.0.0.1', r))
    // Two origins for one machine: 127.0.0.1 and localhost differ as origins.
    embedderUrl = `http://127.0.0.1:${(embedder.address() as AddressInfo).port}`
    otherEmbedderUrl = `http://localhost:${(otherEmbedder.address() as AddressInfo).port}`
    const settings = await call(hub, 'PUT', '/api/v2/connect/settings', {
      allowedOrigins: [embedderUrl, 'https://app.example.com'],
      branding: { productName: 'Acme App', accentColor: '#5b21b6' },
    })
    expect(settings.status, settings.text).toBe(200)
    browser = await startBrowser()
  })
  afterAll(async () => {
    await browser?.close()
    await hub?.close()
    await keyed?.close()
    await as?.close()
    await tweety?.close()
    embedder?.close()
    otherEmbedder?.close()
  })

  it('API key: a wrong key shows the service’s refusal and saves nothing; the right one connects and redirects', async () => {
    const s = await session({
      endUser: { id: 'user-42', displayName: 'Ann' },
      allowedIntegrations: ['keyed', 'acme'],
      tags: { plan: 'pro' },
      successRedirectUrl: 'https://app.example.com/connected',
    })
    const ctx = await browser.newContext({ viewport: { width: 360, height: 760 } })
    const page = await ctx.newPage()
    const res = await page.goto(s.connectUrl)
    expect(res?.status()).toBe(200)
    const csp = res?.headers()['content-security-policy'] ?? ''
    expect(csp).toContain("script-src 'self'")
    expect(csp).toContain(`frame-ancestors ${embedderUrl} https://app.example.com`)
    await expect.poll(() => page.getByRole('link', { name: /Keyed/ }).isVisible()).toBe(true)
    await page.getByLabel('Search integrations').fill('acme')
    await expect.poll(() => page.getByRole('link', { name: /Keyed/ }).isVisible()).toBe(false)
    await page.getByLabel('Search integrations').fill('')
    await page.screenshot({ path: join(SHOTS, 'connect-list.png') })
    await page.getByRole('link', { name: /Keyed/ }).click()
    await page.getByLabel(/API key/).fill('sk-wrong-key-0000')
    await page.getByRole('button', { name: 'Connect' }).click()
    const alert = page.getByRole('alert')
    await expect.poll(() => alert.textContent(), { timeout: 20_000 }).toMatch(/Keyed refused these credentials \(HTTP 401\).*Invalid API key/)
    expect(await page.getByLabel(/API key/).inputValue()).toBe('')
    expect(await page.content()).not.toContain('sk-wrong-key-0000')
    await page.screenshot({ path: join(SHOTS, 'connect-verify-failed.png') })
    const none = await call(hub, 'POST', '/sdk/models/paginate', { functions: ['connection'], endUserId: 'user-42' })
    expect(none.body.items).toEqual([])
    await page.getByLabel(/API key/).fill(GOOD_KEY)
    const [request] = await Promise.all([
      page.waitForRequest((r) => r.url().startsWith('https://app.example.com/connected')),
      page.getByRole('button', { name: 'Connect' }).click(),
    ])
    const id = new URL(request.url()).searchParams.get('connection_id')
    expect(id).toMatch(/^[0-9a-f]{24}$/)
    const rec = await call(hub, 'GET', `/sdk/models/${id}`)
    expect(rec.body).toMatchObject({ endUserId: 'user-42', tags: { plan: 'pro' }, connectionStatus: 'ACTIVE' })
    // The session is used up: the page says so with a 410.
    const again = await ctx.newPage()
    expect((await again.goto(s.connectUrl))?.status()).toBe(410)
    await expect.poll(() => again.getByRole('heading', { level: 1 }).textContent()).toBe('This link was already used')
    await ctx.close()
  })

  it('keyboard only: Tab to the integration, type the key, Enter; the page says connected', async () => {
    const s = await session({ endUser: { id: 'kb-user' }, allowedIntegrations: ['keyed', 'acme'] })
    const ctx = await browser.newContext()
    const page = await ctx.newPage()
    await page.goto(s.connectUrl)
    await page.keyboard.press('Tab') // the search box
    await page.keyboard.type('keyed')
    await page.keyboard.press('Tab')
    await expect.poll(() => page.evaluate(() => document.activeElement?.textContent ?? '')).toContain('Keyed')
    await page.keyboard.press('Enter')
    await page.waitForURL(/integration=keyed/)
    await page.keyboard.press('Tab') // back link
    await page.keyboard.press('Tab') // help link
    await page.keyboard.press('Tab') // API key
    await expect.poll(() => page.evaluate(() => (document.activeElement as HTMLInputElement | null)?.name)).toBe('api_key')
    await page.keyboard.type(GOOD_KEY)
    await page.keyboard.press('Enter')
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent(), { timeout: 20_000 }).toBe('Connected')
    await page.screenshot({ path: join(SHOTS, 'connect-done.png') })
    const list = await call(hub, 'POST', '/sdk/models/paginate', { functions: ['connection'], endUserId: 'kb-user' })
    expect(list.body.items).toHaveLength(1)
    await ctx.close()
  })

  it('OAuth 2: the page opens the real oidc-provider in a popup, comes back connected, and posts connect to the opener origin', async () => {
    const s = await session({ endUser: { id: 'oauth-user' }, allowedIntegrations: ['acme'] })
    const ctx = await browser.newContext()
    // The app's page (an allowed origin) opens the Connect page the way openConnect does, with ?origin=.
    const app = await ctx.newPage()
    await app.goto(`${embedderUrl}/?src=`)
    await app.evaluate(() => {
      ;(window as unknown as { got: unknown[] }).got = []
      window.addEventListener('message', (e) => (window as unknown as { got: unknown[] }).got.push({ origin: e.origin, data: e.data }))
    })
    const [connectPage] = await Promise.all([
      ctx.waitForEvent('page'),
      app.evaluate((url) => void window.open(url, 'patchbay-connect', 'popup,width=480,height=700'), `${s.connectUrl}&origin=${encodeURIComponent(embedderUrl)}`),
    ])
    await connectPage.waitForLoadState()
    // One allowed integration with one scheme: straight to its button.
    await connectPage.getByRole('button', { name: 'Continue with Acme' }).click()
    await expect.poll(() => connectPage.getByRole('heading', { level: 1 }).textContent(), { timeout: 30_000 }).toBe('Connected')
    const got = (await app.evaluate(() => (window as unknown as { got: { origin: string; data: Record<string, unknown> }[] }).got)).filter(
      (m) => m.data['source'] === 'patchbay-connect',
    )
    expect(got.map((m) => m.data['type'])).toEqual(['ready', 'connect'])
    expect(got[1]?.origin).toBe(new URL(hub.url).origin)
    expect(got[1]?.data).toMatchObject({ integration: 'acme', endUserId: 'oauth-user' })
    const id = got[1]?.data['connectionId'] as string
    const rec = await call(hub, 'GET', `/sdk/models/${id}`)
    expect(rec.body).toMatchObject({ connectionStatus: 'ACTIVE', endUserId: 'oauth-user' })
    await ctx.close()
  })

  it('a reconnect session re-authorises the same connection (API key), keeping its id', async () => {
    const first = await session({ endUser: { id: 're-user' }, allowedIntegrations: ['keyed'] })
    const ctx = await browser.newContext()
    const page = await ctx.newPage()
    await page.goto(first.connectUrl)
    await page.getByLabel(/API key/).fill(GOOD_KEY)
    await page.getByRole('button', { name: 'Connect' }).click()
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent(), { timeout: 20_000 }).toBe('Connected')
    const [conn] = (await call(hub, 'POST', '/sdk/models/paginate', { functions: ['connection'], endUserId: 're-user' })).body.items
    // Another end user may not reconnect it.
    const wrong = await call(hub, 'POST', '/api/v2/connect/sessions', { endUser: { id: 'someone-else' }, reconnect: { connectionId: conn.id } })
    expect(wrong.status).toBe(400)
    const re = await session({ endUser: { id: 're-user' }, reconnect: { connectionId: conn.id } })
    await page.goto(re.connectUrl)
    await expect.poll(() => page.getByText('This re-authorises your existing Keyed connection.').isVisible()).toBe(true)
    await page.getByLabel(/API key/).fill(GOOD_KEY)
    await page.getByRole('button', { name: 'Connect' }).click()
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent(), { timeout: 20_000 }).toBe('Connected')
    const after = (await call(hub, 'POST', '/sdk/models/paginate', { functions: ['connection'], endUserId: 're-user' })).body.items
    expect(after.map((c: { id: string }) => c.id)).toEqual([conn.id])
    const events = (await call(hub, 'GET', '/api/v2/events')).body.events.filter((e: { data: { connectionId: string } }) => e.data.connectionId === conn.id)
    expect(events.map((e: { type: string }) => e.type)).toEqual(['connection.created', 'connection.reauthorized'])
    await ctx.close()
  })

  it('an expired session gets a 410 page that says so', async () => {
    const s = await session({ endUser: { id: 'late' }, expiresInSeconds: 60 })
    await hub.hub.store.db
      .updateTable('connect_sessions')
      .set({ expires_at: new Date(Date.now() - 1000).toISOString() })
      .where('end_user_id', '=', 'late')
      .execute()
    const ctx = await browser.newContext({ colorScheme: 'dark', viewport: { width: 360, height: 480 } })
    const page = await ctx.newPage()
    expect((await page.goto(s.connectUrl))?.status()).toBe(410)
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('This link has expired')
    // Dark theme: the page follows prefers-color-scheme.
    expect(await page.evaluate(() => getComputedStyle(document.body).backgroundColor)).toBe('rgb(20, 20, 20)')
    await page.screenshot({ path: join(SHOTS, 'connect-expired-dark.png') })
    expect((await page.goto(`${hub.url}/connect?session=pbcs_nope`))?.status()).toBe(404)
    await ctx.close()
  })

  it('embeds in an iframe of an allowed origin, and Chromium refuses the frame for another origin', async () => {
    const s = await session({ endUser: { id: 'frame-user' }, allowedIntegrations: ['keyed'] })
    const ctx = await browser.newContext()
    const page = await ctx.newPage()
    await page.goto(`${embedderUrl}/?src=${encodeURIComponent(`${s.connectUrl}&origin=${encodeURIComponent(embedderUrl)}`)}`)
    const frame = page.frameLocator('iframe[title="Connect"]')
    await expect.poll(() => frame.getByRole('heading', { name: 'Connect Keyed' }).isVisible(), { timeout: 20_000 }).toBe(true)
    await frame.getByLabel(/API key/).fill(GOOD_KEY)
    await frame.getByRole('button', { name: 'Connect' }).click()
    await expect.poll(() => frame.getByRole('heading', { level: 1 }).textContent(), { timeout: 20_000 }).toBe('Connected')
    const other = await ctx.newPage()
    const blocked = new Promise<boolean>((resolve) => {
      other.on('console', (m) => {
        if (/frame-ancestors/.test(m.text())) resolve(true)
      })
      setTimeout(() => resolve(false), 15_000).unref()
    })
    const s2 = await session({ endUser: { id: 'frame-user-2' }, allowedIntegrations: ['keyed'] })
    await other.goto(`${otherEmbedderUrl}/?src=${encodeURIComponent(s2.connectUrl)}`)
    expect(await blocked).toBe(true)
    const inner = other.frames().find((f) => f !== other.mainFrame())
    expect(await inner?.evaluate(() => document.querySelector('h1')?.textContent ?? null).catch(() => null)).not.toBe('Connect Keyed')
    await ctx.close()
  })

  it('OAuth 1.0a through the stand-in provider: a refusal ends at errorRedirectUrl, an approval connects', async () => {
    const ctx = await browser.newContext()
    const page = await ctx.newPage()
    tweety.mode = 'deny'
    const denied = await session({ endUser: { id: 'tw-user' }, allowedIntegrations: ['tweety'], errorRedirectUrl: 'https://app.example.com/failed' })
    await page.goto(denied.connectUrl)
    const [request] = await Promise.all([
      page.waitForRequest((r) => r.url().startsWith('https://app.example.com/failed'), { timeout: 30_000 }),
      page.getByRole('button', { name: 'Continue with Tweety' }).click(),
    ])
    expect(new URL(request.url()).searchParams.get('error')).toBe('authorization_failed')
    tweety.mode = 'approve'
    const ok = await session({ endUser: { id: 'tw-user' }, allowedIntegrations: ['tweety'] })
    const second = await ctx.newPage()
    await second.goto(ok.connectUrl)
    await second.getByRole('button', { name: 'Continue with Tweety' }).click()
    await expect.poll(() => second.getByRole('heading', { level: 1 }).textContent(), { timeout: 30_000 }).toBe('Connected')
    const items = (await call(hub, 'POST', '/sdk/models/paginate', { functions: ['connection'], endUserId: 'tw-user' })).body.items
    expect(items.filter((c: { connectionStatus: string }) => c.connectionStatus === 'ACTIVE')).toHaveLength(1)
    const run = await call(hub, 'POST', `/api/v2/execute/${items.find((c: { connectionStatus: string }) => c.connectionStatus === 'ACTIVE').id}`, {
      action: 'TWEETY_SEARCH',
      data: { q: 'x' },
    })
    expect(run.status, run.text).toBe(200)
    await ctx.close()
  })
})
