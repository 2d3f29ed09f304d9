import { spawn } from 'node:child_process'
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { POSTGRES_ADMIN_URL, postgresAvailable } from '../support/postgres.js'

// Runs `npm run bench -- --quick` once (as `node bench/run.js`, after the build npm test does),
// so the benchmarks cannot rot. It checks that every scenario ran and produced sane numbers;
// never how fast anything was (timings are for docs/performance.md, not assertions).

const ROOT = fileURLToPath(new URL('../..', import.meta.url))

interface Metric {
  name: string
  unit: string
  status: 'ok' | 'n/a' | 'failed'
  reason?: string
  value?: { median: number; samples: number[] }
  baseline?: { label: string; median: number; samples: number[] }
  ratio?: number
  target?: { text: string; met: boolean | null }
}
interface Scenario {
  id: string
  title: string
  measures: string
  status: string
  error?: string
  metrics: Metric[]
}

function runBench(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const env: NodeJS.ProcessEnv = {}
  for (const [k, v] of Object.entries(process.env)) if (k !== 'NODE_OPTIONS' && !k.startsWith('VITEST')) env[k] = v
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['bench/run.js', ...args], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()))
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()))
    child.on('error', reject)
    child.on('close', (code) => resolve({ code, stdout, stderr }))
  })
}

describe('npm run bench -- --quick', () => {
  let out = ''
  let pg = false
  let run: { code: number | null; stdout: string; stderr: string }
  let results: { schema: string; mode: string; machine: { cpus: number }; scenarios: Scenario[] }

  beforeAll(async () => {
    pg = await postgresAvailable()
    out = await mkdtemp(join(tmpdir(), 'patchbay-bench-test-'))
    run = await runBench(['--quick', '--out', out, ...(pg ? ['--postgres-url', POSTGRES_ADMIN_URL] : ['--no-postgres'])])
    if (run.code === 0) results = JSON.parse(await readFile(join(out, 'latest.json'), 'utf8'))
  }, 420_000)
  afterAll(async () => {
    if (out) await rm(out, { recursive: true, force: true })
  })

  it('finishes without a failed scenario and prints the table', () => {
    expect(run.code, run.stderr.slice(-3_000)).toBe(0)
    expect(run.stdout).toContain('scenario')
    expect(run.stdout).toContain('baseline (same run)')
    for (const title of [
      'Action run overhead',
      'Connects per second',
      'Cold start',
      'Memory',
      'Scale of data',
      'Refresh storm',
      'Scale-out',
      'Full-catalog start',
      'Triggers',
      'Inbound webhooks',
      'Run log cost',
    ]) {
      expect(run.stdout).toContain(title)
    }
  })

  it('writes every scenario to JSON (timestamped, latest.json) and the table to latest.md', async () => {
    expect(results.schema).toBe('patchbay-bench/1')
    expect(results.mode).toBe('quick')
    expect(results.machine.cpus).toBeGreaterThan(0)
    expect(results.scenarios.map((s) => s.id)).toEqual(['1', '2', '3', '4', '5', '6', '7', '8', '9', '10', '11'])
    const files = await readdir(out)
    const stamped = files.filter((f) => /^\d{4}-.*-quick\.json$/.test(f))
    expect(stamped).toHaveLength(1)
    expect(await readFile(join(out, stamped[0] as string), 'utf8')).toBe(await readFile(join(out, 'latest.json'), 'utf8'))
    const md = await readFile(join(out, 'latest.md'), 'utf8')
    expect(md).toContain('| scenario | metric | median |')
    expect(md).toContain('Scale of data')
  })

  it('measures every scenario with finite, positive numbers', () => {
    for (const s of results.scenarios) {
      expect(s.status, `${s.id}. ${s.title}: ${s.error ?? ''}`).toBe('ok')
      expect(s.measures.length).toBeGreaterThan(20)
      const measured = s.metrics.filter((m) => m.status === 'ok')
      expect(measured.length, s.title).toBeGreaterThan(0)
      for (const m of s.metrics) {
        expect(m.status, `${s.title} / ${m.name}: ${m.reason ?? ''}`).not.toBe('failed')
        if (m.status !== 'ok') continue
        expect(Number.isFinite(m.value?.median), `${s.title} / ${m.name}`).toBe(true)
        for (const x of m.value?.samples ?? []) expect(Number.isFinite(x)).toBe(true)
        if (m.baseline) {
          // A quantity with a baseline (latency, throughput, memory, time) is positive on both sides.
          expect(m.value?.median, `${s.title} / ${m.name}`).toBeGreaterThan(0)
          expect(m.baseline.median, `${s.title} / ${m.name} baseline`).toBeGreaterThan(0)
          expect(Number.isFinite(m.ratio)).toBe(true)
        }
        if (m.target) expect(typeof m.target.met).toBe('boolean')
      }
    }
  })

  it('measures PostgreSQL when it is reachable, and says why not otherwise', () => {
    const pgMetrics = results.scenarios.flatMap((s) => s.metrics).filter((m) => m.name.includes('PostgreSQL'))
    expect(pgMetrics.length).toBeGreaterThanOrEqual(8)
    for (const m of pgMetrics) {
      if (pg) expect(m.status, `${m.name}: ${m.reason ?? ''}`).toBe('ok')
      else expect(m.reason).toMatch(/PostgreSQL|no-postgres/)
    }
  })

  it('the refresh storm made exactly one token request, and the OAUTH2 row of scenario 1 was measured', () => {
    const storm = results.scenarios.find((s) => s.id === '6') as Scenario
    const requests = storm.metrics.find((m) => m.name === 'token requests sent')
    expect(requests?.status).toBe('ok')
    expect(requests?.value?.samples.every((n) => n === 1)).toBe(true)
    const oauth = results.scenarios[0]?.metrics.find((m) => m.name.startsWith('OAUTH2'))
    expect(oauth?.status).toBe('ok')
  })
})
