/**
 * Running scripts with aiXplain's real, unmodified Python SDK (`ax-python`, from the shared
 * vendor folder): the check that it can run here (a skip with a message on a laptop, a failure
 * under CI=true) and one run of a script with a scenario file, answering the JSON it printed.
 */
import { execFile, execFileSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdtemp, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

const repo = fileURLToPath(new URL('../..', import.meta.url))

/** The folder a local clone was made from (its `origin` remote, when that is a path), so a clone anywhere finds `shared/` beside it. */
function clonedFrom(): string | undefined {
  try {
    const url = execFileSync('git', ['-C', repo, 'config', '--get', 'remote.origin.url'], { encoding: 'utf8' }).trim()
    if (url.startsWith('file://')) return fileURLToPath(url)
    return url.startsWith('/') ? url : undefined
  } catch {
    return undefined
  }
}

/**
 * Where `ax-python` is: PATCHBAY_AX_PYTHON, else `shared/tools/ax-python` beside or above the
 * checkout, or beside the checkout it was cloned from.
 */
export const axPython =
  process.env['PATCHBAY_AX_PYTHON'] ??
  [repo, join(repo, '..'), clonedFrom()]
    .filter((d): d is string => d !== undefined)
    .map((d) => join(d, '..', 'shared', 'tools', 'ax-python'))
    .find((p) => existsSync(p)) ??
  join(repo, '..', 'shared', 'tools', 'ax-python')

/** The variables every run gets; nothing of the caller's environment leaks into the SDK. */
function baseEnv(home: string): Record<string, string> {
  return {
    PATH: process.env['PATH'] ?? '/usr/bin:/bin',
    LANG: 'C.UTF-8',
    HOME: home,
    LOG_LEVEL: 'ERROR',
    ...(process.env['PATCHBAY_PYTHON'] ? { PATCHBAY_PYTHON: process.env['PATCHBAY_PYTHON'] } : {}),
  }
}

function run(args: string[], env: Record<string, string>, cwd: string, timeoutMs: number): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(axPython, args, { env, cwd, timeout: timeoutMs, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : -1) : 0, stdout, stderr })
    })
  })
}

/**
 * Why the real SDK cannot run here (undefined when it can): `ax-python` missing, or a Python
 * module it needs missing. Under CI=true that is an error, never a skip.
 */
export async function sdkProblem(): Promise<string | undefined> {
  let problem: string | undefined
  if (!existsSync(axPython)) problem = `ax-python not found at ${axPython}; set PATCHBAY_AX_PYTHON`
  else {
    const dir = await mkdtemp(join(tmpdir(), 'patchbay-ax-'))
    const probe = join(dir, 'probe.py')
    await writeFile(probe, 'import aixplain.v2.core, aixplain.factories\nprint("ok")\n')
    const r = await run([probe], { ...baseEnv(dir), TEAM_API_KEY: 'probe-only' }, dir, 60_000)
    if (r.code !== 0 || !r.stdout.includes('ok')) problem = `aiXplain's SDK does not load (${(r.stderr || r.stdout).trim().split('\n').at(-1)})`
  }
  if (problem && process.env['CI'] === 'true') throw new Error(`CI: ${problem}; .ci/run installs its Debian packages`)
  if (problem) console.warn(`Skipping the real aiXplain SDK tests: ${problem}`)
  return problem
}

/** What a script printed: the parsed JSON of its last stdout line, plus the raw streams. */
export interface SdkRun {
  code: number | null
  stdout: string
  stderr: string
  json: any
}

/** Runs `script` (a file in test/compat) with `scenario` as its argument and only `env` set. */
export async function runSdk(script: string, scenario: unknown, env: Record<string, string> = {}, timeoutMs = 120_000): Promise<SdkRun> {
  const dir = await mkdtemp(join(tmpdir(), 'patchbay-ax-'))
  const file = join(dir, 'scenario.json')
  await writeFile(file, JSON.stringify(scenario))
  // cwd is the empty temp dir, so the SDK's load_dotenv() finds no stray .env.
  const r = await run([fileURLToPath(new URL(`./${script}`, import.meta.url)), file], { ...baseEnv(dir), ...env }, dir, timeoutMs)
  let json: unknown
  try {
    json = JSON.parse(r.stdout.trim().split('\n').at(-1) ?? '')
  } catch {
    json = undefined
  }
  return { ...r, json }
}

/** A step's value from a v2 flow run; fails the test with the step's error when it raised. */
export function value(r: SdkRun, name: string): any {
  const s = r.json?.steps?.[name]
  if (!s) throw new Error(`no step ${name} in the output:\n${r.stdout}\n${r.stderr}`)
  if (!s.ok) throw new Error(`step ${name} raised ${s.error}: ${s.message}`)
  return s.value
}

/** A step's error (class, message, status); fails the test when the step did not raise. */
export function failed(r: SdkRun, name: string): { error: string; message: string; status: number | null } {
  const s = r.json?.steps?.[name]
  if (!s) throw new Error(`no step ${name} in the output:\n${r.stdout}\n${r.stderr}`)
  if (s.ok) throw new Error(`step ${name} was expected to raise, answered ${JSON.stringify(s.value)}`)
  return s
}
