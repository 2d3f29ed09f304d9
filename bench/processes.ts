import { spawn, type ChildProcess } from 'node:child_process'
import { readFile, readdir } from 'node:fs/promises'
import { performance } from 'node:perf_hooks'
import { fileURLToPath } from 'node:url'

/** Root of the repository (bench/ sits directly in it). */
export const REPO_ROOT = fileURLToPath(new URL('..', import.meta.url))
/** The hub's CLI entry, built by `npm run build`. */
export const HUB_CLI = fileURLToPath(new URL('../packages/hub/dist/cli/main.js', import.meta.url))
/** The stand-in service (plain JavaScript, runs under bare `node`). */
export const UPSTREAM_SERVER = fileURLToPath(new URL('./upstream-server.mjs', import.meta.url))

/** A child process the benchmarks started, with the URL it announced. */
export interface ChildHandle {
  readonly name: string
  readonly pid: number
  /** Base URL parsed from the process's ready line. */
  readonly url: string
  /** `performance.now()` when it was spawned, and when its ready line was read. */
  readonly spawnedAt: number
  readonly readyAt: number
  /** The last few KB the process wrote (stdout and stderr), for error messages. */
  output(): string
  /** Resident set size now, and its high-water mark, in MB (undefined where it cannot be read). */
  memory(): Promise<{ rssMB: number; peakMB: number | undefined } | undefined>
  /** CPU time (user + system) the process has used, in ms; undefined where /proc is missing. */
  cpuMs(): Promise<number | undefined>
  /** SIGTERM, then SIGKILL after `graceMs`; resolves once the process has exited. */
  stop(graceMs?: number): Promise<void>
}

/** What {@link startChild} runs. */
export interface ChildConfig {
  name: string
  args: string[]
  env: NodeJS.ProcessEnv
  /** Matched against each stdout line; its first group is the base URL. */
  ready: RegExp
  timeoutMs?: number
}

const OUTPUT_KEEP = 16_384
const live = new Set<ChildProcess>()

// Never leave a stray hub or upstream behind, whatever way this process ends.
process.on('exit', () => {
  for (const child of live) child.kill('SIGKILL')
})

/**
 * Environment for a child: this process's, minus anything that would change how the child runs
 * (PATCHBAY_* settings, NODE_OPTIONS injected by a test runner or loader), plus `extra`.
 */
export function childEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {}
  for (const [k, v] of Object.entries(process.env)) {
    if (k.startsWith('PATCHBAY_') || k === 'NODE_OPTIONS' || k.startsWith('VITEST') || k.startsWith('TSX')) continue
    env[k] = v
  }
  return { ...env, ...extra }
}

/**
 * Spawns `node <args>` and resolves once a stdout line matches `ready`. Rejects, with the process's
 * output, when it exits first or is not ready within `timeoutMs`.
 */
export function startChild(config: ChildConfig): Promise<ChildHandle> {
  const spawnedAt = performance.now()
  const child = spawn(process.execPath, config.args, { env: config.env, stdio: ['pipe', 'pipe', 'pipe'], cwd: REPO_ROOT })
  live.add(child)
  let out = ''
  const keep = (chunk: Buffer) => {
    out += chunk.toString('utf8')
    if (out.length > OUTPUT_KEEP * 2) out = out.slice(-OUTPUT_KEEP)
  }
  const exited = new Promise<void>((resolve) => {
    child.once('exit', () => {
      live.delete(child)
      resolve()
    })
  })
  child.stderr.on('data', keep)
  child.stdin.on('error', () => {})

  return new Promise<ChildHandle>((resolve, reject) => {
    let pending = ''
    let settled = false
    const fail = (why: string) => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      child.kill('SIGKILL')
      reject(new Error(`${config.name} ${why}. Its output:\n${out.slice(-4_000)}`))
    }
    const timer = setTimeout(() => fail(`was not ready within ${config.timeoutMs ?? 30_000} ms`), config.timeoutMs ?? 30_000)
    child.once('error', (err) => fail(`could not be started: ${err.message}`))
    child.once('exit', (code, signal) => fail(`exited before it was ready (code ${code}, signal ${signal})`))
    child.stdout.on('data', (chunk: Buffer) => {
      keep(chunk)
      if (settled) return
      pending += chunk.toString('utf8')
      const lines = pending.split('\n')
      pending = lines.pop() ?? ''
      for (const line of lines) {
        const m = config.ready.exec(line)
        if (!m) continue
        settled = true
        clearTimeout(timer)
        const readyAt = performance.now()
        const pid = child.pid as number
        resolve({
          name: config.name,
          pid,
          url: m[1] as string,
          spawnedAt,
          readyAt,
          output: () => out.slice(-OUTPUT_KEEP),
          memory: () => readMemory(pid),
          cpuMs: () => readCpuMs(pid),
          async stop(graceMs = 5_000) {
            if (child.exitCode !== null || child.signalCode !== null) return
            child.kill('SIGTERM')
            const killer = setTimeout(() => child.kill('SIGKILL'), graceMs)
            await exited
            clearTimeout(killer)
          },
        })
        return
      }
    })
  })
}

/** RSS and its high-water mark of a process, from /proc (Linux) or `ps` (elsewhere; no peak). */
export async function readMemory(pid: number): Promise<{ rssMB: number; peakMB: number | undefined } | undefined> {
  try {
    const status = await readFile(`/proc/${pid}/status`, 'utf8')
    const kb = (field: string) => {
      const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)
      return m ? Number(m[1]) / 1024 : undefined
    }
    const rssMB = kb('VmRSS')
    if (rssMB !== undefined) return { rssMB, peakMB: kb('VmHWM') }
  } catch {
    // Not Linux: fall back to ps.
  }
  return new Promise((resolve) => {
    const ps = spawn('ps', ['-o', 'rss=', '-p', String(pid)], { stdio: ['ignore', 'pipe', 'ignore'] })
    let text = ''
    ps.stdout.on('data', (c: Buffer) => (text += c.toString()))
    ps.on('error', () => resolve(undefined))
    ps.on('close', () => {
      const kb = Number(text.trim())
      resolve(Number.isFinite(kb) && kb > 0 ? { rssMB: kb / 1024, peakMB: undefined } : undefined)
    })
  })
}

/** Clock ticks per second of /proc/<pid>/stat times (USER_HZ: 100 on every Linux). */
const USER_HZ = 100

/**
 * CPU time of a process in ms, from /proc (Linux); undefined elsewhere. The sum of every thread's
 * run time from `/proc/<pid>/task/<tid>/schedstat`, in nanoseconds: /proc/<pid>/stat counts in
 * clock ticks of 10 ms, a coarse grain for bursts of a few hundred ms (bench/compare.ts). Node's
 * threads (the main one, V8's and libuv's workers) live as long as the process, so the sum only
 * grows; the clock ticks are the fallback where the threads cannot be read.
 */
export async function readCpuMs(pid: number): Promise<number | undefined> {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8')
    // Fields after the parenthesised command name: state is field 3, utime 14 and stime 15.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    const ticks = Number(fields[11]) + Number(fields[12])
    const fromTicks = Number.isFinite(ticks) ? (ticks * 1000) / USER_HZ : undefined
    let ns = 0
    try {
      for (const tid of await readdir(`/proc/${pid}/task`)) {
        const line = await readFile(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').catch(() => '')
        ns += Number(line.split(' ')[0]) || 0
      }
    } catch {
      return fromTicks
    }
    return ns > 0 ? ns / 1e6 : fromTicks
  } catch {
    return undefined
  }
}

/** Starts the stand-in service in its own process (on a free port unless given). */
export function startUpstream(port = 0): Promise<ChildHandle> {
  return startChild({
    name: 'upstream',
    args: [UPSTREAM_SERVER, String(port)],
    env: childEnv({}),
    ready: /^listening (http:\/\/\S+)/,
    timeoutMs: 10_000,
  })
}

/** The minimal forwarder (plain JavaScript, runs under bare `node`): scenario 1's second baseline. */
export const MINIMAL_FORWARDER = fileURLToPath(new URL('./minimal-forwarder.mjs', import.meta.url))

/**
 * Starts the minimal forwarder in its own process: it accepts `apiKey` and forwards action runs on
 * the connections of `credentials` (connection id → the service's API key) to `upstreamUrl`.
 */
export function startForwarder(config: {
  upstreamUrl: string
  apiKey: string
  credentials: Record<string, string>
  nodeArgs?: string[]
  /** Answer a fixed body after the key check and the parse, without calling the service. */
  frameOnly?: boolean
}): Promise<ChildHandle> {
  return startChild({
    name: 'minimal forwarder',
    args: [...(config.nodeArgs ?? []), MINIMAL_FORWARDER],
    env: childEnv({
      FORWARDER_API_KEY: config.apiKey,
      FORWARDER_UPSTREAM: config.upstreamUrl,
      FORWARDER_CONNECTIONS: JSON.stringify(config.credentials),
      ...(config.frameOnly ? { FORWARDER_FRAME_ONLY: '1' } : {}),
    }),
    ready: /^listening (http:\/\/\S+)/,
    timeoutMs: 10_000,
  })
}

/** How a hub process is configured. */
export interface HubProcessConfig {
  name?: string
  dataDir: string
  masterKey: string
  apiKey: string
  catalogDirs?: string[]
  databaseUrl?: string
  /** Port to listen on; default 0 (a free one, read from the banner). */
  port?: number
  /** Extra environment (e.g. `PATCHBAY_LOG_LEVEL`); the hub's defaults otherwise. */
  env?: Record<string, string>
  /** Extra `node` flags, e.g. `--cpu-prof --cpu-prof-dir=…`. */
  nodeArgs?: string[]
  /** The CLI entry to run; default {@link HUB_CLI}. */
  cli?: string
  timeoutMs?: number
}

/**
 * Starts `node packages/hub/dist/cli/main.js serve` on 127.0.0.1 (a free port unless given), with
 * the hub's default settings otherwise (log level `info`: what an operator runs).
 */
export function startHubProcess(config: HubProcessConfig): Promise<ChildHandle> {
  return startChild({
    name: config.name ?? 'hub',
    args: [...(config.nodeArgs ?? []), config.cli ?? HUB_CLI, 'serve'],
    env: childEnv({
      PATCHBAY_HOST: '127.0.0.1',
      PATCHBAY_PORT: String(config.port ?? 0),
      PATCHBAY_DATA_DIR: config.dataDir,
      PATCHBAY_MASTER_KEY: config.masterKey,
      PATCHBAY_BOOTSTRAP_API_KEY: config.apiKey,
      ...(config.catalogDirs?.length ? { PATCHBAY_CATALOG_DIR: config.catalogDirs.join(':') } : {}),
      ...(config.databaseUrl ? { PATCHBAY_DATABASE_URL: config.databaseUrl } : {}),
      // PATCHBAY_BENCH_RUN_LOG=false measures a hub with the run log off (docs/operate.md).
      ...(process.env['PATCHBAY_BENCH_RUN_LOG'] ? { PATCHBAY_RUN_LOG: process.env['PATCHBAY_BENCH_RUN_LOG'] } : {}),
      ...config.env,
    }),
    ready: /listening on (http:\/\/\S+)/,
    timeoutMs: config.timeoutMs ?? 60_000,
  })
}
