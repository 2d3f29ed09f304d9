import { existsSync } from 'node:fs'
import { type Browser, type BrowserContext, chromium } from 'playwright-core'

/**
 * Debian's Chromium, installed by `.ci/run` (package `chromium`). Override with PATCHBAY_CHROMIUM.
 * The flags are the ones that work on a machine with no outside network: without the
 * background-networking ones Chromium keeps trying to reach Google's hosts.
 */
export const CHROMIUM_PATH = process.env.PATCHBAY_CHROMIUM ?? '/usr/bin/chromium'

const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync']

/** A launched Chromium with a fresh profile; `close()` ends it. */
export interface TestBrowser {
  browser: Browser
  /** A new isolated context (cookies, storage) — one per test. */
  newContext(options?: Parameters<Browser['newContext']>[0]): Promise<BrowserContext>
  close(): Promise<void>
}

/**
 * Starts headless Chromium for a browser test. Fails with a message that says how to install it,
 * rather than skipping: browser tests run in CI (`.ci/run` installs `chromium`).
 */
export async function startBrowser(): Promise<TestBrowser> {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(`Chromium not found at ${CHROMIUM_PATH}: install Debian's package (apt-get install chromium) or set PATCHBAY_CHROMIUM`)
  }
  // playwright gives each launch a new empty profile folder of its own and removes it on close.
  const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: FLAGS, headless: true })
  return {
    browser,
    newContext: (options) => browser.newContext(options),
    async close() {
      await browser.close().catch(() => {})
    },
  }
}
