import { mkdirSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import type { BrowserContext, Locator, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { connectHttpApi } from '../scale/fixtures.js'
import { startBrowser, type TestBrowser } from '../support/browser.js'
import { call, startTestHub, type TestHub } from '../support/test-hub.js'
import { startUpstream, type Upstream } from '../support/upstream.js'
import { startWebhookReceiver, type WebhookReceiver } from '../support/webhook-receiver.js'

/** Issue 16: the operator's dashboard, driven in Debian's Chromium by role and accessible name. */
const IMAGES = fileURLToPath(new URL('../../docs/images/', import.meta.url))

describe('the dashboard in a browser', () => {
  let hub: TestHub
  let upstream: Upstream
  let receiver: WebhookReceiver
  let browser: TestBrowser
  let ctx: BrowserContext
  let page: Page
  let admin: { url: string; key: string }

  const shot = (name: string, p: Page = page, mask: Locator[] = []) => p.screenshot({ path: `${IMAGES}dashboard-${name}.png`, fullPage: true, mask })
  const go = (path: string, p: Page = page) => p.goto(`${hub.url}/dashboard/${path}`)

  /** Reloads `path` until `text` is on the page (run log rows and deliveries are written asynchronously). */
  async function reloadUntil(path: string, text: string | RegExp) {
    for (let i = 0; i < 60; i++) {
      await go(path)
      const body = await page.locator('main').innerText()
      if (typeof text === 'string' ? body.includes(text) : text.test(body)) return
      await new Promise((r) => setTimeout(r, 250))
    }
    throw new Error(`${text} never appeared on /dashboard/${path}`)
  }

  async function signIn(p: Page, key: string) {
    await p.goto(`${hub.url}/dashboard`)
    await p.getByLabel('API key').fill(key)
    await p.getByRole('button', { name: 'Sign in' }).click()
  }

  beforeAll(async () => {
    mkdirSync(IMAGES, { recursive: true })
    upstream = await startUpstream()
    receiver = await startWebhookReceiver()
    hub = await startTestHub({ delivery: { pollMs: 100, baseDelayMs: 100, maxDelayMs: 400 } })
    admin = { url: hub.url, key: hub.key }
    browser = await startBrowser()
    ctx = await browser.newContext({ viewport: { width: 1280, height: 800 } })
    page = await ctx.newPage()
  })
  afterAll(async () => {
    await browser?.close()
    await hub?.close()
    await upstream?.close()
    await receiver?.close()
  })

  it('refuses a wrong key with a clear message, and a key without the admin scope', async () => {
    await page.goto(`${hub.url}/dashboard/connections`)
    await expect.poll(() => page.url()).toContain('/dashboard/sign-in')
    await expect.poll(() => page.getByRole('heading', { name: 'Sign in' }).isVisible()).toBe(true)
    await shot('sign-in')
    await page.getByLabel('API key').fill('pb_not-a-real-key')
    await page.getByRole('button', { name: 'Sign in' }).click()
    expect(await page.getByRole('alert').innerText()).toContain('That API key is not valid')
    const run = (await call(admin, 'POST', '/api/v2/keys', { name: 'runner', scopes: ['run'] })).body.key as string
    await page.getByLabel('API key').fill(run)
    await page.getByRole('button', { name: 'Sign in' }).click()
    expect(await page.getByRole('alert').innerText()).toContain('needs a key with the admin scope')
  })

  it('signs in with an admin key: an HttpOnly, SameSite=Strict cookie that does not hold the key; strict CSP and no-store', async () => {
    await signIn(page, hub.key)
    await expect.poll(() => page.getByRole('heading', { name: 'Integrations' }).isVisible()).toBe(true)
    const cookies = await ctx.cookies()
    const session = cookies.find((c) => c.name === 'patchbay_dashboard')
    expect(session).toMatchObject({ httpOnly: true, sameSite: 'Strict', path: '/dashboard', secure: false })
    expect(session?.value).not.toContain(hub.key)
    expect(session?.value).not.toContain(hub.key.slice(3, 20))
    const res = await page.request.get(`${hub.url}/dashboard/integrations`)
    expect(res.headers()['content-security-policy']).toContain("script-src 'self'")
    expect(res.headers()['content-security-policy']).toContain("frame-ancestors 'none'")
    expect(res.headers()['cache-control']).toBe('no-store')
  })

  it('searches integrations and sets an OAuth app, showing the redirect URL to register', async () => {
    await go('integrations')
    await page.getByRole('searchbox', { name: 'Search integrations' }).fill('slack')
    await page.getByRole('button', { name: 'Search' }).click()
    expect(await page.getByRole('status').first().innerText()).toMatch(/of \d+ integrations match “slack”/)
    await shot('integrations')
    await page.getByRole('link', { name: 'Slack', exact: true }).click()
    await expect.poll(() => page.getByRole('heading', { name: 'Slack', exact: true }).isVisible()).toBe(true)
    expect(await page.getByLabel('Redirect URL', { exact: true }).innerText()).toBe(`${hub.url}/oauth/callback`)
    expect(await page.getByRole('main').innerText()).toContain('Not set')
    await page.getByLabel('Client id').fill('slack-client-1')
    await page.getByLabel(/^Client secret/).fill('slack-secret-xyz')
    await page.getByRole('button', { name: 'Save OAuth app' }).click()
    expect(await page.getByRole('status').first().innerText()).toBe('OAuth app saved.')
    expect(await page.getByRole('main').innerText()).toContain('Set: client id slack-client-1')
    expect(await page.content()).not.toContain('slack-secret-xyz')
    await shot('integration')
    const missing = await go('integrations/no-such-integration')
    expect(missing?.status()).toBe(404)
    expect(await page.getByRole('alert').innerText()).toContain('No integration no-such-integration')
    expect((await go('no-such-page'))?.status()).toBe(404)
    const apps = await call(admin, 'GET', '/admin/oauth-apps')
    expect(apps.body.items).toEqual([expect.objectContaining({ clientId: 'slack-client-1' })])
  })

  it('shows runs after an action ran, filtered by status', async () => {
    const conn = await connectHttpApi(admin, upstream.url, 'upstream-token-1', 'billing-api')
    const ran = await call(admin, 'POST', `/api/v2/execute/${conn}`, { action: 'REQUEST', data: { method: 'GET', path: '/invoices' } })
    expect(ran.body.status).toBe('SUCCESS')
    await reloadUntil('runs', 'REQUEST')
    const row = page.getByRole('row').filter({ hasText: conn })
    await expect.poll(() => row.first().innerText()).toContain('SUCCESS')
    await shot('runs')
    await page.getByLabel('Status').selectOption('FAILED')
    await page.getByRole('button', { name: 'Filter' }).click()
    expect(page.url()).toContain('status=FAILED')
    expect(await page.getByRole('main').innerText()).toContain('No runs match')
  })

  it('creates a webhook endpoint (secret shown once) and shows its delivery', async () => {
    await go('webhooks')
    await page.getByLabel('Endpoint URL').fill(receiver.url)
    await page.getByRole('button', { name: 'Save endpoint' }).click()
    const secret = await page.getByLabel('Signing secret', { exact: true }).innerText()
    expect(secret).toMatch(/^whsec_/)
    receiver.secret = secret
    const conn = await connectHttpApi(admin, upstream.url, 'upstream-token-2', 'crm-api')
    await reloadUntil('webhooks', 'DELIVERED')
    expect(await page.getByRole('main').innerText()).not.toContain(secret)
    expect(await page.getByRole('row').filter({ hasText: 'connection.created' }).first().innerText()).toContain('DELIVERED')
    expect(receiver.received.some((r) => r.verified && r.payload?.data['connectionId'] === conn)).toBe(true)
    await shot('webhooks')
  })

  it('lists connections and deletes one after a confirmation', async () => {
    await go('connections')
    const row = page.getByRole('row').filter({ hasText: 'crm-api' })
    expect(await row.innerText()).toContain('ACTIVE')
    await shot('connections')
    const id = (await row.locator('code').first().innerText()).trim()
    await page.getByRole('link', { name: 'Delete crm-api' }).click()
    await expect.poll(() => page.getByRole('heading', { name: 'Delete connection?' }).isVisible()).toBe(true)
    await page.getByRole('button', { name: 'Delete connection' }).click()
    expect(await page.getByRole('status').first().innerText()).toBe('Connection deleted.')
    expect(await page.getByRole('main').innerText()).not.toContain('crm-api')
    expect((await call(admin, 'GET', `/v2/tools/${id}`)).status).toBe(404)
  })

  it('reconnects a connection in place with a new credential', async () => {
    await go('connections')
    await page.getByRole('link', { name: 'Reconnect billing-api' }).click()
    await expect.poll(() => page.getByRole('heading', { name: 'Reconnect billing-api' }).isVisible()).toBe(true)
    expect(await page.getByLabel('Base URL').inputValue()).toBe(upstream.url)
    expect(await page.getByLabel(/^Bearer token/).inputValue()).toBe('')
    await page.getByLabel(/^Bearer token/).fill('rotated-token-9')
    await page.getByRole('button', { name: 'Reconnect' }).click()
    expect(await page.getByRole('status').first().innerText()).toBe('Connection reconnected.')
    const id = (await page.getByRole('row').filter({ hasText: 'billing-api' }).locator('code').first().innerText()).trim()
    const ran = await call(admin, 'POST', `/api/v2/execute/${id}`, { action: 'REQUEST', data: { method: 'GET', path: '/after-reconnect' } })
    expect(ran.body.status).toBe('SUCCESS')
    expect(upstream.received.at(-1)?.headers['authorization']).toBe('Bearer rotated-token-9')
  })

  it('previews the tools an agent would get, as OpenAI, Anthropic or MCP definitions', async () => {
    await go('tools')
    expect(await page.locator('pre').innerText()).toContain('"type": "function"')
    await page.getByRole('radio', { name: 'Anthropic' }).check()
    await page.getByRole('button', { name: 'Show tools' }).click()
    const json = JSON.parse(await page.locator('pre').innerText())
    expect(json[0]).toHaveProperty('input_schema')
    expect(json[0].name).toMatch(/billing/i)
    await shot('tools')
    await page.getByRole('radio', { name: 'MCP' }).check()
    await page.getByRole('button', { name: 'Show tools' }).click()
    expect(JSON.parse(await page.locator('pre').innerText())[0]).toHaveProperty('inputSchema')
  })

  it('creates a key shown once, and revokes it: it can no longer call the API nor sign in', async () => {
    await go('keys')
    await page.getByLabel('Name').fill('support-agent')
    await page.getByRole('checkbox', { name: /^run/ }).check()
    await page.getByRole('button', { name: 'Create key' }).click()
    const key = await page.getByLabel('New API key', { exact: true }).innerText()
    expect(key).toMatch(/^pb_/)
    // The key is masked in the picture: a screenshot is no place for a key, even a throwaway one.
    await shot('keys', page, [page.getByLabel('New API key', { exact: true })])
    const agent = { url: hub.url, key }
    expect((await call(agent, 'GET', '/api/v2/tools')).status).toBe(200)
    await go('keys')
    expect(await page.content()).not.toContain(key)
    await page.getByRole('link', { name: 'Revoke key support-agent' }).click()
    await page.getByRole('button', { name: 'Revoke key' }).click()
    expect(await page.getByRole('status').first().innerText()).toContain('API key revoked')
    expect(await page.getByRole('main').innerText()).not.toContain('support-agent')
    expect((await call(agent, 'GET', '/api/v2/tools')).status).toBe(401)
    const other = await (await browser.newContext()).newPage()
    await signIn(other, key)
    expect(await other.getByRole('alert').innerText()).toContain('not valid')
  })

  it('ends the session of a key revoked elsewhere on its next request', async () => {
    const second = await call(admin, 'POST', '/api/v2/keys', { name: 'second-admin', scopes: ['admin'] })
    const otherCtx = await browser.newContext()
    const other = await otherCtx.newPage()
    await signIn(other, second.body.key)
    await expect.poll(() => other.getByRole('heading', { name: 'Integrations' }).isVisible()).toBe(true)
    expect((await call(admin, 'DELETE', `/api/v2/keys/${second.body.id}`)).status).toBe(204)
    await other.goto(`${hub.url}/dashboard/keys`)
    expect(other.url()).toContain('/dashboard/sign-in')
    expect(await other.getByRole('status').innerText()).toContain('Your session ended')
    await otherCtx.close()
  })

  it('refuses a form post without its CSRF token, or with a wrong one', async () => {
    const before = (await call(admin, 'GET', '/api/v2/keys')).body.items.length
    const none = await page.request.post(`${hub.url}/dashboard/keys`, { form: { name: 'forged', scopes: 'admin' }, maxRedirects: 0 })
    expect(none.status()).toBe(403)
    expect(await none.text()).toContain('CSRF')
    const wrong = await page.request.post(`${hub.url}/dashboard/keys`, { form: { name: 'forged', scopes: 'admin', _csrf: 'abc-def' }, maxRedirects: 0 })
    expect(wrong.status()).toBe(403)
    expect((await call(admin, 'GET', '/api/v2/keys')).body.items.length).toBe(before)
  })

  it('is usable at 360 px, in dark mode, and by keyboard (skip link, visible focus)', async () => {
    const small = await browser.newContext({ viewport: { width: 360, height: 740 }, colorScheme: 'dark' })
    const p = await small.newPage()
    await signIn(p, hub.key)
    await p.goto(`${hub.url}/dashboard/connections`)
    await p.keyboard.press('Tab')
    expect(await p.evaluate(() => document.activeElement?.textContent)).toBe('Skip to content')
    const width = await p.evaluate(() => document.documentElement.scrollWidth)
    expect(width).toBeLessThanOrEqual(360)
    const bg = await p.evaluate(() => getComputedStyle(document.body).backgroundColor)
    expect(bg).toBe('rgb(18, 18, 18)')
    await p.keyboard.press('Tab')
    const outline = await p.evaluate(() => getComputedStyle(document.activeElement as Element).outlineStyle)
    expect(outline).toBe('solid')
    await shot('mobile-dark', p)
    await small.close()
  })

  it('marks the cookies Secure behind an HTTPS proxy (x-forwarded-proto), and refuses a tampered session cookie', async () => {
    const form = await fetch(`${hub.url}/dashboard/sign-in`, { headers: { 'x-forwarded-proto': 'https' } })
    const csrfCookie = form.headers.getSetCookie().find((c) => c.startsWith('patchbay_csrf=')) as string
    expect(csrfCookie).toMatch(/; Secure/)
    expect(csrfCookie).toMatch(/; HttpOnly/)
    expect(csrfCookie).toMatch(/; SameSite=Strict/)
    const token = /name="_csrf" value="([^"]+)"/.exec(await form.text())?.[1] as string
    const signIn = await fetch(`${hub.url}/dashboard/sign-in`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'x-forwarded-proto': 'https', 'content-type': 'application/x-www-form-urlencoded', cookie: csrfCookie.split(';')[0] as string },
      body: new URLSearchParams({ _csrf: token, key: hub.key }).toString(),
    })
    expect(signIn.status).toBe(303)
    const session = signIn.headers.getSetCookie().find((c) => c.startsWith('patchbay_dashboard=')) as string
    expect(session).toMatch(/; Secure/)
    expect(session).toMatch(/; HttpOnly/)
    expect(session).toMatch(/; SameSite=Strict/)
    const value = (session.split(';')[0] as string).slice('patchbay_dashboard='.length)
    const ok = await fetch(`${hub.url}/dashboard/keys`, { redirect: 'manual', headers: { cookie: `patchbay_dashboard=${value}` } })
    expect(ok.status).toBe(200)
    const flipped = value.slice(0, -2) + (value.endsWith('A') ? 'B' : 'A') + value.slice(-1)
    const tampered = await fetch(`${hub.url}/dashboard/keys`, { redirect: 'manual', headers: { cookie: `patchbay_dashboard=${flipped}` } })
    expect(tampered.status).toBe(303)
    expect(tampered.headers.get('location')).toBe('/dashboard/sign-in?reason=ended')
  })

  it('shows the configured product name and accent colour', async () => {
    const branded = await startTestHub({ branding: { productName: 'Acme Integrations', accentColor: '#6a1b9a' } })
    try {
      const p = await (await browser.newContext()).newPage()
      await p.goto(`${branded.url}/dashboard`)
      expect(await p.title()).toBe('Sign in · Acme Integrations')
      expect(await p.locator('header .brand').innerText()).toBe('Acme Integrations')
      expect(await p.getByRole('button', { name: 'Sign in' }).evaluate((b) => getComputedStyle(b).backgroundColor)).toBe('rgb(106, 27, 154)')
    } finally {
      await branded.close()
    }
  })

  it('signs out: the session cookie is gone and pages lead back to sign-in', async () => {
    await go('integrations')
    await page.getByRole('button', { name: 'Sign out' }).click()
    expect(await page.getByRole('status').innerText()).toContain('You are signed out.')
    expect((await ctx.cookies()).find((c) => c.name === 'patchbay_dashboard')).toBeUndefined()
    await go('keys')
    expect(page.url()).toContain('/dashboard/sign-in')
  })
})
