import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { startBrowser, type TestBrowser } from './browser.js'

let browser: TestBrowser
beforeAll(async () => {
  browser = await startBrowser()
})
afterAll(async () => browser?.close())

it('drives Debian Chromium: a click on a button found by its accessible name changes the page', async () => {
  const server = createServer((_req, res) => {
    res.setHeader('content-type', 'text/html')
    res.end("<!doctype html><title>t</title><button onclick=\"document.querySelector('p').textContent='clicked'\">Press me</button><p>idle</p>")
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  try {
    const ctx = await browser.newContext()
    const page = await ctx.newPage()
    await page.goto(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`)
    await page.getByRole('button', { name: 'Press me' }).click()
    expect(await page.locator('p').textContent()).toBe('clicked')
    await ctx.close()
  } finally {
    server.close()
  }
})
