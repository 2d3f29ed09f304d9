import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

/**
 * Real hub processes for multi-process tests: `node packages/hub/dist/cli/main.js serve`, each on
 * a port of its own (port 0, read back from the start banner), all sharing one database and one
 * master key ring. Needs a build (`npm test` builds first).
 */

/** The built CLI every process runs. */
export const HUB_CLI = fileURLToPath(new URL('../../packages/hub/dist/cli/main.js', import.meta.url))
const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url))

/** How a hub process is configured. */
export interface HubProcessOptions {
  /** `PATCHBAY_DATABASE_URL`: a PostgreSQL URL shared by every process. */
  databaseUrl: string
  /** Base64 master keys, the first one seals (`PATCHBAY_MASTER_KEYS`). */
  masterKeys: readonly string[]
  /** `PATCHBAY_BOOTSTRAP_API_KEY`: the key tests call with. */
  apiKey: string
  /** Extra catalog folders. */
  catalogDirs?: readonly string[]
  /** More environment (wins over the above). */
  env?: Record<string, string>
  /** A label for error messages. */
  name?: string
  /** How long to wait for /health, ms (default 30 000). */
  readyTimeoutMs?: number
}

/** A running hub process. */
export interface HubProcess {
  readonly name: string
  readonly url: string
  readonly pid: number
  readonly child: ChildProcess
  /** The API key it was started with (for {@link call}-style helpers). */
  readonly key: string
  /** Everything the process wrote so far (stdout and stderr). */
  output(): string
  /** SIGTERM (graceful: in-flight requests finish), resolves with the exit code. */
  stop(): Promise<number | null>
  /** SIGKILL: the process dies at once, mid-request. Resolves once it is gone. */
  kill(): Promise<void>
  /** Whether the process has exited. */
  readonly exited: boolean
}

const live = new Set<ChildProcess>()
process.on('exit', () => {
  for (const c of live) c.kill('SIGKILL')
})

/**
 * Environment for a child: this process's minus anything that would change how the child runs
 * (PATCHBAY_* settings, the test runner's NODE_OPTIONS and VITEST_* variables), plus `extra`.
 */
export function childEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {}
  for (const [k, v] of Object.entries(process.env)) {
    if (k.startsWith('PATCHBAY_') || k === 'NODE_OPTIONS' || k.startsWith('VITEST')) continue
    env[k] = v
  }
  return { ...env, ...extra }
}

function assertBuilt(): void {
  if (!existsSync(HUB_CLI)) throw new Error(`${HUB_CLI} is missing: run \`npm run build\` (npm test does) before the multi-process tests`)
}

function track(child: ChildProcess): { output: () => string; exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }> } {
  live.add(child)
  let out = ''
  const keep = (d: Buffer) => {
    out += d.toString('utf8')
    if (out.length > 200_000) out = out.slice(-100_000)
  }
  child.stdout?.on('data', keep)
  child.stderr?.on('data', keep)
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('exit', (code, signal) => {
      live.delete(child)
      resolve({ code, signal })
    })
  })
  return { output: () => out, exited }
}

/**
 * Starts one hub process and resolves once it answers `GET /health` with 200. Rejects, with the
 * process's output, when it exits first or is not ready in time.
 */
export async function startHubProcess(options: HubProcessOptions): Promise<HubProcess> {
  assertBuilt()
  const name = options.name ?? 'hub'
  const dataDir = await mkdtemp(join(tmpdir(), 'pb-proc-'))
  const child = spawn(process.execPath, [HUB_CLI, 'serve'], {
    cwd: REPO_ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: childEnv({
      PATCHBAY_HOST: '127.0.0.1',
      PATCHBAY_PORT: '0',
      PATCHBAY_DATA_DIR: dataDir,
      PATCHBAY_DATABASE_URL: options.databaseUrl,
      PATCHBAY_MASTER_KEYS: options.masterKeys.join(','),
      PATCHBAY_BOOTSTRAP_API_KEY: options.apiKey,
      PATCHBAY_LOG_LEVEL: 'warn',
      PATCHBAY_UPSTREAM_TIMEOUT_MS: '10000',
      PATCHBAY_UPSTREAM_CONNECT_TIMEOUT_MS: '2000',
      // Every stand-in service of the tests is on 127.0.0.1.
      PATCHBAY_ALLOW_PRIVATE_NETWORK: 'true',
      ...(options.catalogDirs?.length ? { PATCHBAY_CATALOG_DIR: options.catalogDirs.join(':') } : {}),
      ...options.env,
    }),
  })
  const { output, exited } = track(child)
  let hasExited = false
  void exited.then(() => (hasExited = true))
  const deadline = Date.now() + (options.readyTimeoutMs ?? 30_000)
  const fail = (why: string) => new Error(`${name} ${why}. Its output:\n${output().slice(-4_000)}`)

  // The banner names the port the OS picked; then /health must answer.
  let url: string | undefined
  while (!url) {
    if (hasExited) throw fail('exited before it was ready')
    if (Date.now() > deadline) {
      child.kill('SIGKILL')
      throw fail('printed no "listening on" banner in time')
    }
    url = /listening on (http:\/\/\S+)/.exec(output())?.[1]
    if (!url) await new Promise((r) => setTimeout(r, 25))
  }
  for (;;) {
    if (hasExited) throw fail('exited before it was ready')
    try {
      const res = await fetch(`${url}/health`)
      if (res.status === 200) break
    } catch {
      // Not listening yet.
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL')
      throw fail('did not answer /health with 200 in time')
    }
    await new Promise((r) => setTimeout(r, 50))
  }
  const hubUrl = url
  return {
    name,
    url: hubUrl,
    pid: child.pid as number,
    child,
    key: options.apiKey,
    output,
    get exited() {
      return hasExited
    },
    async stop() {
      if (!hasExited) child.kill('SIGTERM')
      return (await exited).code
    },
    async kill() {
      if (!hasExited) child.kill('SIGKILL')
      await exited
    },
  }
}

/** Starts `n` hub processes at the same moment (not one after the other). */
export function startHubProcesses(n: number, options: HubProcessOptions): Promise<HubProcess[]> {
  return Promise.all(Array.from({ length: n }, (_, i) => startHubProcess({ ...options, name: `${options.name ?? 'hub'}-${i + 1}` })))
}

/** Stops every hub and CLI process these helpers started and that is still running. */
export async function stopAllProcesses(): Promise<void> {
  await Promise.all(
    [...live].map(
      (c) =>
        new Promise<void>((resolve) => {
          if (c.exitCode !== null || c.signalCode !== null) return resolve()
          c.once('exit', () => resolve())
          c.kill('SIGTERM')
          setTimeout(() => c.kill('SIGKILL'), 5_000).unref()
        }),
    ),
  )
}

/** A `patchbay` CLI command running in its own process. */
export interface CliProcess {
  readonly child: ChildProcess
  output(): string
  /** Resolves when it exits. */
  readonly done: Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>
}

/** Runs `patchbay <args>` with `env` (plus PATH etc., minus the caller's PATCHBAY_* settings). */
export function spawnCli(args: readonly string[], env: Record<string, string>): CliProcess {
  assertBuilt()
  const child = spawn(process.execPath, [HUB_CLI, ...args], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'], env: childEnv(env) })
  const { output, exited } = track(child)
  let stdout = ''
  let stderr = ''
  child.stdout?.on('data', (d: Buffer) => (stdout += d.toString('utf8')))
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString('utf8')))
  return { child, output, done: exited.then((r) => ({ ...r, stdout, stderr })) }
}

/** Runs `patchbay <args>` to the end. */
export function runCli(args: readonly string[], env: Record<string, string>) {
  return spawnCli(args, env).done
}

/** Waits until `predicate` holds, checking every `everyMs`; rejects with `what` after `timeoutMs`. */
export async function waitFor(predicate: () => boolean | Promise<boolean>, what: string, timeoutMs = 20_000, everyMs = 20): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!(await predicate())) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, everyMs))
  }
}
