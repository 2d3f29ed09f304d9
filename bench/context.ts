import { mkdir, mkdtemp } from 'node:fs/promises'
import { createServer, type AddressInfo } from 'node:net'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import { ECHO_ACTION, ECHO_API_KEY, ECHO_INPUT, ECHO_PATH } from './catalog.js'
import type { BenchOptions } from './options.js'
import { startHubProcess, type ChildHandle, type HubProcessConfig } from './processes.js'

/** What every scenario is given: options, the running stand-in service, and shared secrets. */
export interface BenchContext {
  readonly options: BenchOptions
  readonly upstream: ChildHandle
  /** Temp folder of this run (data dirs, catalogs); removed at the end. */
  readonly tmpDir: string
  /** Catalog folder holding the echo definition. */
  readonly echoCatalogDir: string
  /** The master key every hub process gets (PATCHBAY_MASTER_KEY), so seeded secrets open. */
  readonly masterKey: string
  /** The bootstrap API key of every hub process (tenant `default`). */
  readonly apiKey: string
  /** Where CPU profiles go with --profile. */
  readonly profileDir: string | undefined
  /** Prints a progress line. */
  progress(message: string): void
}

let hubs = 0

/**
 * Starts a hub process with a fresh data dir (unless given), the echo catalog (unless other
 * folders are given), and a CPU profile with --profile.
 */
export async function startBenchHub(ctx: BenchContext, label: string, config: Partial<HubProcessConfig> = {}): Promise<ChildHandle> {
  const n = ++hubs
  const dataDir = config.dataDir ?? (await mkdtemp(join(ctx.tmpDir, `hub-${label}-`)))
  let nodeArgs = config.nodeArgs ?? []
  if (ctx.profileDir) {
    const dir = join(ctx.profileDir, `${String(n).padStart(2, '0')}-${label}`)
    await mkdir(dir, { recursive: true })
    nodeArgs = [...nodeArgs, '--cpu-prof', `--cpu-prof-dir=${dir}`]
  }
  return startHubProcess({
    name: `hub (${label})`,
    masterKey: ctx.masterKey,
    apiKey: ctx.apiKey,
    catalogDirs: [ctx.echoCatalogDir],
    cli: ctx.options.hubCli,
    ...config,
    dataDir,
    nodeArgs,
  })
}

/** A JSON call to a hub with an API key; throws on a non-2xx answer. */
export async function callHub(hubUrl: string, apiKey: string, method: 'GET' | 'POST' | 'PUT', path: string, body?: unknown): Promise<any> {
  const res = await fetch(`${hubUrl}${path}`, {
    method,
    headers: { 'x-api-key': apiKey, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  })
  const text = await res.text()
  if (!res.ok) throw new Error(`${method} ${path} answered HTTP ${res.status}: ${text.slice(0, 500)}`)
  return JSON.parse(text) as unknown
}

/** Connects the echo integration with an API key and returns the connection id. */
export async function connectEcho(hubUrl: string, apiKey: string, name: string): Promise<string> {
  const r = await callHub(hubUrl, apiKey, 'POST', `/api/v2/execute/${encodeURIComponent(ECHO_PATH)}`, {
    name,
    authScheme: 'API_KEY',
    data: { api_key: ECHO_API_KEY },
  })
  if (r?.status !== 'SUCCESS' || typeof r?.data?.id !== 'string') throw new Error(`connect answered ${JSON.stringify(r).slice(0, 500)}`)
  return r.data.id as string
}

/** The execute body of the benchmarked action run. */
export const RUN_BODY = JSON.stringify({ action: ECHO_ACTION, data: ECHO_INPUT })

/** Whether a hub response body is a successful action run (checked on every response under load). */
export const isRunSuccess = (body: string) => body.includes('"status":"SUCCESS"') && body.includes('"ok":true')

/** Runs the echo action once through the hub and checks the answer (before measuring anything). */
export async function checkRun(hubUrl: string, apiKey: string, connectionId: string): Promise<void> {
  const r = await callHub(hubUrl, apiKey, 'POST', `/api/v2/execute/${connectionId}`, JSON.parse(RUN_BODY))
  if (r?.status !== 'SUCCESS' || r?.data?.ok !== true) throw new Error(`action run answered ${JSON.stringify(r).slice(0, 500)}`)
}

/** Sleeps. */
export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms))

/** A TCP port that was free on 127.0.0.1 a moment ago (for processes whose port must be known before they start). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo
      server.close(() => resolve(port))
    })
  })
}

/**
 * Sends `GET url` every `intervalMs` until it answers 2xx and returns `performance.now()` of that
 * answer; connection refusals (the process is not listening yet) are retried. Throws after
 * `timeoutMs`, or once `signal` aborts (the process died).
 */
export async function firstSuccess(url: string, headers: Record<string, string>, timeoutMs: number, signal?: AbortSignal, intervalMs = 2): Promise<number> {
  const deadline = performance.now() + timeoutMs
  let last = 'no answer'
  while (performance.now() < deadline && !signal?.aborted) {
    try {
      const res = await fetch(url, { headers })
      await res.arrayBuffer()
      if (res.ok) return performance.now()
      last = `HTTP ${res.status}`
    } catch (err) {
      last = ((err as Error).cause as Error | undefined)?.message ?? (err as Error).message
    }
    await sleep(intervalMs)
  }
  throw new Error(`${url} did not answer 2xx within ${timeoutMs} ms (last: ${last})`)
}
