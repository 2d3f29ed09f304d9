/**
 * `@patchbay/connect` in Chromium: an app page (one origin) opens a stand-in Connect page served
 * from a "hub" origin that posts the page's messages, in a popup and in an iframe. A third origin
 * forges messages (from inside the popup after a navigation, and from an iframe of the app), and
 * openConnect must deliver only the hub's. Last, the real hub's Connect page in a popup: the user
 * connects and openConnect delivers `connect`. The package's TypeScript is served transpiled, as is.
 */
import { readFile } from 'node:fs/promises'
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { fileURLToPath } from 'node:url'
import type { Page } from 'playwright-core'
import ts from 'typescript'
import { mkdtemp, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startBrowser, type TestBrowser } from '../support/browser.js'
import { call, startTestHub, type TestHub } from '../support/test-hub.js'
import { startUpstream, type Upstream } from '../support/upstream.js'

const src = fileURLToPath(new URL('../../packages/connect/src/', import.meta.url))

async function serve(handler: (req: IncomingMessage, res: ServerResponse, self: string) => void | Promise<void>, host = '127.0.0.1'): Promise<{ url: string; server: Server }> {
  let url = ''
  const server = createServer((req, res) => {
    Promise.resolve(handler(req, res, url)).catch(() => {
      res.statusCode = 500
      res.end()
    })
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  url = `http://${host}:${(server.address() as AddressInfo).port}`
  return { url, server }
}

function html(res: ServerResponse, body: string): void {
  res.setHeader('content-type', 'text/html; charset=utf-8')
  res.end(`<!doctype html><html lang="en"><head><meta charset="utf-8"><title>t</title></head><body>${body}</body></html>`)
}

let browser: TestBrowser
let hub: { url: string; server: Server }
let evil: { url: string; server: Server }
let app: { url: string; server: Server }

// As the real page does: to the exact origin openConnect passed as ?origin=, never '*'.
const post = (type: string, extra: Record<string, unknown> = {}) => `target.postMessage(${JSON.stringify({ source: 'patchbay-connect', type, ...extra })}, origin);`

beforeAll(async () => {
  browser = await startBrowser()
  // The forger: posts a Connect-shaped message to whoever holds it (its opener or its parent).
  evil = await serve((req, res) => {
    const u = new URL(req.url ?? '/', 'http://x')
    const forged = { source: 'patchbay-connect', type: 'connect', connectionId: 'forged', integration: 'github', endUserId: 'mallory' }
    const back = u.searchParams.get('back')
    html(
      res,
      `<script>const target = window.opener || window.parent; target.postMessage(${JSON.stringify(forged)}, '*');
       ${back ? `setTimeout(() => { location.href = ${JSON.stringify(back)} }, 200)` : ''}</script>`,
    )
  })
  // The stand-in Connect page: what it posts depends on the session token.
  hub = await serve((req, res, self) => {
    const u = new URL(req.url ?? '/', 'http://x')
    if (u.pathname !== '/connect') {
      res.statusCode = 404
      res.end()
      return
    }
    const session = u.searchParams.get('session') ?? ''
    let script = ''
    if (session === 'pbcs_flow') {
      // ready, a connect, then a detour to the forger's origin inside the same popup, then back.
      const back = `${self}/connect?${new URLSearchParams({ session: 'pbcs_back', origin: u.searchParams.get('origin') ?? '' })}`
      script = `${post('ready')}${post('connect', { connectionId: 'conn-1', integration: 'github', endUserId: 'user-42' })}
        setTimeout(() => { location.href = ${JSON.stringify(`${evil.url}/forge?back=${encodeURIComponent(back)}`)} }, 100)`
    } else if (session === 'pbcs_back') {
      script = `${post('connect', { connectionId: 'conn-2', integration: 'slack', endUserId: 'user-42' })}${post('close')}`
    } else if (session === 'pbcs_stay') {
      script = post('ready')
    } else if (session === 'pbcs_frame') {
      script = `${post('ready')}${post('error', { code: 'SESSION_EXPIRED', message: 'This Connect session has expired' })}`
    }
    const origin = JSON.stringify(u.searchParams.get('origin') ?? 'null')
    html(res, `<h1>Connect</h1><script>const target = window.opener || window.parent; const origin = ${origin}; ${script}</script>`)
  })
  app = await serve(async (req, res) => {
    const u = new URL(req.url ?? '/', 'http://x')
    if (u.pathname.startsWith('/pkg/')) {
      const file = u.pathname.slice('/pkg/'.length).replace(/\.js$/, '.ts')
      if (!/^[a-z-]+\.ts$/.test(file)) {
        res.statusCode = 404
        res.end()
        return
      }
      const out = ts.transpileModule(await readFile(`${src}${file}`, 'utf8'), { compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext } })
      res.setHeader('content-type', 'text/javascript')
      res.end(out.outputText)
      return
    }
    html(
      res,
      `<button id="popup">Connect in a popup</button><button id="frame">Connect here</button><div id="box"></div>
       <script type="module">
         import { openConnect } from '/pkg/index.js'
         window.events = []; window.raw = []
         window.addEventListener('message', (e) => window.raw.push(e.origin))
         const hubUrl = new URL(location.href).searchParams.get('hub') ?? ${JSON.stringify(hub.url)}
         const start = (mode, session) => { window.handle = openConnect({ sessionToken: session, hubUrl, mode,
           container: document.getElementById('box'), closePollMs: 100, onEvent: (e) => window.events.push(e) }) }
         document.getElementById('popup').onclick = () => start('popup', new URL(location.href).searchParams.get('session'))
         document.getElementById('frame').onclick = () => start('iframe', new URL(location.href).searchParams.get('session'))
         window.ready = true
       </script>`,
    )
  }, 'localhost')
})

afterAll(async () => {
  await browser?.close()
  for (const s of [hub, evil, app]) s?.server.close()
  await realHub?.close()
  await upstream?.close()
})

let realHub: TestHub
let upstream: Upstream

async function appPage(query: string): Promise<Page> {
  const ctx = await browser.newContext()
  const page = await ctx.newPage()
  await page.goto(`${app.url}/?${query}`)
  await page.waitForFunction(() => (window as unknown as { ready?: boolean }).ready === true)
  return page
}

const events = (page: Page) => page.evaluate(() => (window as unknown as { events: unknown[] }).events)
const rawOrigins = (page: Page) => page.evaluate(() => (window as unknown as { raw: string[] }).raw)

describe('openConnect in Chromium', () => {
  it('popup: delivers the hub page’s messages and ignores one forged from another origin inside the popup', async () => {
    const page = await appPage('session=pbcs_flow')
    const popupOpened = page.waitForEvent('popup')
    await page.getByRole('button', { name: 'Connect in a popup' }).click()
    const popup = await popupOpened
    expect(popup.url()).toBe(`${hub.url}/connect?session=pbcs_flow&origin=${encodeURIComponent(app.url)}`)
    await page.waitForFunction(() => (window as unknown as { events: Array<{ type: string }> }).events.some((e) => e.type === 'close'), undefined, { timeout: 30_000 })
    expect(await events(page)).toEqual([
      { type: 'ready' },
      { type: 'connect', connectionId: 'conn-1', integration: 'github', endUserId: 'user-42' },
      { type: 'connect', connectionId: 'conn-2', integration: 'slack', endUserId: 'user-42' },
      { type: 'close' },
    ])
    // The forged message did reach the app window; openConnect dropped it.
    expect(await rawOrigins(page)).toContain(evil.url)
    // The page's close message closed the popup.
    await expect.poll(() => popup.isClosed()).toBe(true)
    await page.context().close()
  })

  it('popup: reports close when the user closes the popup', async () => {
    const page = await appPage('session=pbcs_stay')
    const popupOpened = page.waitForEvent('popup')
    await page.getByRole('button', { name: 'Connect in a popup' }).click()
    const popup = await popupOpened
    await page.waitForFunction(() => (window as unknown as { events: unknown[] }).events.length === 1)
    await popup.close()
    await page.waitForFunction(() => (window as unknown as { events: unknown[] }).events.length === 2, undefined, { timeout: 30_000 })
    expect(await events(page)).toEqual([{ type: 'ready' }, { type: 'close' }])
    await page.context().close()
  })

  it('iframe: embeds the page, delivers its events, and ignores a forging iframe of another origin', async () => {
    const page = await appPage('session=pbcs_frame')
    await page.getByRole('button', { name: 'Connect here' }).click()
    const frame = page.frameLocator('iframe[title="Connect an account"]')
    await expect.poll(() => frame.getByRole('heading', { name: 'Connect' }).count()).toBe(1)
    await page.waitForFunction(() => (window as unknown as { events: unknown[] }).events.length === 2, undefined, { timeout: 30_000 })
    // A forger of another origin, embedded in the app page while openConnect listens, posts a Connect-shaped message.
    await page.evaluate((url) => {
      const f = document.createElement('iframe')
      f.title = 'ad'
      f.src = `${url}/forge`
      document.body.appendChild(f)
    }, evil.url)
    await page.waitForFunction((origin) => (window as unknown as { raw: string[] }).raw.includes(origin), evil.url)
    expect(await events(page)).toEqual([{ type: 'ready' }, { type: 'error', code: 'SESSION_EXPIRED', message: 'This Connect session has expired' }])
    await page.context().close()
  })

  it('with the real hub: the Connect page in a popup posts ready and connect to this origin, and openConnect delivers them', async () => {
    upstream = await startUpstream()
    const dir = await mkdtemp(join(tmpdir(), 'patchbay-connect-helper-'))
    const definition = {
      id: 'tokened',
      name: 'Tokened',
      description: 'A stand-in service with one scheme.',
      baseUrl: upstream.url,
      auth: {
        BEARER_TOKEN: {
          inputs: [{ name: 'token', displayName: 'Access token', description: 'Your token', secret: true }],
          apply: { headers: { Authorization: 'Bearer {token}' } },
        },
      },
      actions: [{ code: 'TOKENED_PING', name: 'Ping', description: 'Ping.', input: { type: 'object', properties: {} }, request: { method: 'GET', path: '/ping' } }],
    }
    await writeFile(join(dir, 'tokened.json'), JSON.stringify(definition))
    realHub = await startTestHub({ catalogDirs: [dir] })
    expect((await call(realHub, 'PUT', '/api/v2/connect/settings', { allowedOrigins: [app.url] })).status).toBe(200)
    const s = await call(realHub, 'POST', '/api/v2/connect/sessions', { endUser: { id: 'user-7' }, allowedIntegrations: ['tokened'] })
    expect(s.status, s.text).toBe(201)

    const page = await appPage(`session=${encodeURIComponent(s.body.token)}&hub=${encodeURIComponent(realHub.url)}`)
    const popupOpened = page.waitForEvent('popup')
    await page.getByRole('button', { name: 'Connect in a popup' }).click()
    const popup = await popupOpened
    await popup.getByLabel(/Access token/).fill('tok-123456')
    await popup.getByRole('button', { name: 'Connect' }).click()
    await page.waitForFunction(() => (window as unknown as { events: Array<{ type: string }> }).events.some((e) => e.type === 'connect'), undefined, { timeout: 30_000 })
    const got = (await events(page)) as Array<Record<string, string>>
    expect(got[0]).toEqual({ type: 'ready' })
    expect(got[1]).toMatchObject({ type: 'connect', integration: 'tokened', endUserId: 'user-7' })
    const record = await call(realHub, 'GET', `/sdk/models/${got[1]?.['connectionId']}`)
    expect(record.status, record.text).toBe(200)
    await page.context().close()
  })
})
