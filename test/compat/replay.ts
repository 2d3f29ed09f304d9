/**
 * Running test/compat/aixplain_v1_replay.py: the interpreter check (a skip on a laptop without
 * python3 + requests, a failure under CI=true) and one run with a scenario file.
 */
import { execFile, execFileSync } from 'node:child_process'
import { mkdtemp, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

const python = process.env['PATCHBAY_PYTHON'] || 'python3'
const replay = fileURLToPath(new URL('./aixplain_v1_replay.py', import.meta.url))

/** Why the replay cannot run here (undefined when it can). Throws under CI, where it must run. */
export function replayProblem(): string | undefined {
  try {
    execFileSync(python, ['-c', 'import requests'], { stdio: 'pipe', timeout: 20_000 })
    return undefined
  } catch (error) {
    const problem =
      `${python} with the requests module is needed for the aiXplain v1 replay (${(error as Error).message.split('\n')[0]}); ` +
      'install python3 and python3-requests, or set PATCHBAY_PYTHON'
    if (process.env['CI'] === 'true') throw new Error(`CI: ${problem}`)
    return problem
  }
}

/** What one replay printed. */
export interface ReplayResult {
  code: number | null
  stdout: string
  stderr: string
  lines: string[]
}

/** Runs the replay on `scenario` with only the variables the SDK reads (no proxies, no stray keys). */
export async function runReplay(scenario: unknown, env: Record<string, string>, timeoutMs = 90_000): Promise<ReplayResult> {
  const dir = await mkdtemp(join(tmpdir(), 'patchbay-replay-'))
  const file = join(dir, 'scenario.json')
  await writeFile(file, JSON.stringify(scenario))
  return new Promise<ReplayResult>((resolve) => {
    execFile(python, [replay, file], { env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', LANG: 'C.UTF-8', ...env }, timeout: timeoutMs }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0
      resolve({ code, stdout, stderr, lines: stdout.split('\n').filter(Boolean) })
    })
  })
}

/** The detail of the first `OK <step> …` line, or undefined. */
export function okDetail(lines: string[], step: string): string | undefined {
  return lines.find((l) => l.startsWith(`OK ${step} `))?.slice(`OK ${step} `.length)
}
