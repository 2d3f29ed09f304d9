import { spawn } from 'node:child_process'
import { mkdtemp } from 'node:fs/promises'
import { join } from 'node:path'
import { loadCatalog } from '@patchbay/hub'
import { startBenchHub, type BenchContext } from '../context.js'
import { REPO_ROOT, childEnv, startUpstream } from '../processes.js'
import { measured, type Metric, vsBareNode } from '../report.js'
import { timedStart } from '../timed-start.js'

/** What scenario 8 measures. */
export const MEASURES =
  'Start and idle memory with the full catalog (curated definitions plus every integration generated from ' +
  'grant): time from spawning `patchbay serve` on an empty data folder to `GET /ready` answering 200 (polled ' +
  'every 2 ms from the moment of spawn), then the RSS of that idle process after a pause, nothing connected. ' +
  'Baseline: a bare Node HTTP server (the stand-in service) measured the same way. Also the time a fresh ' +
  'Node process takes to load the full catalog once the hub package is imported (what the catalog adds).'

/** In a fresh `node`, imports the hub package, then times `loadCatalog()` (built-in + generated). */
function catalogLoadInFreshProcess(): Promise<{ ms: number; integrations: number; generated: number }> {
  const script = [
    "const { loadCatalog } = await import('@patchbay/hub')",
    'const t = performance.now()',
    'const c = await loadCatalog()',
    'const ms = performance.now() - t',
    'const all = c.list()',
    "console.log(JSON.stringify({ ms, integrations: all.length, generated: all.filter((i) => i.source === 'generated:grant').length }))",
  ].join(';')
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], { cwd: REPO_ROOT, env: childEnv({}), stdio: ['ignore', 'pipe', 'pipe'] })
    let out = ''
    let err = ''
    child.stdout.on('data', (c: Buffer) => (out += c.toString()))
    child.stderr.on('data', (c: Buffer) => (err += c.toString()))
    child.on('error', reject)
    child.on('close', (code) => {
      if (code !== 0) reject(new Error(`catalog load process exited ${code}: ${err.slice(-2_000)}`))
      else resolve(JSON.parse(out.trim().split('\n').at(-1) ?? '{}') as { ms: number; integrations: number; generated: number })
    })
  })
}

/** Scenario 8: cold start to /ready and idle RSS with every integration loaded. */
export async function runCatalogStart(ctx: BenchContext): Promise<{ metrics: Metric[]; details: Record<string, unknown> }> {
  const rounds = ctx.options.rounds
  const idleMs = ctx.options.quick ? 500 : 1_000
  const bareStart: number[] = []
  const hubStart: number[] = []
  const bareRss: number[] = []
  const hubRss: number[] = []
  const smallYoungRss: number[] = []
  const catalogMs: number[] = []
  let counts = { integrations: 0, generated: 0 }

  // The first fetch of this process sets up its HTTP client: not part of any measurement.
  await fetch(ctx.upstream.url).then((r) => r.arrayBuffer())

  for (let r = 0; r < rounds; r++) {
    const bare = await timedStart((port) => startUpstream(port), '/', { idleMs })
    bareStart.push(bare.ms)
    bareRss.push(bare.rssMB as number)

    const dataDir = await mkdtemp(join(ctx.tmpDir, 'hub-catalog-start-'))
    // No extra folders: the shipped catalog alone, generated integrations included (the default).
    const hub = await timedStart((port) => startBenchHub(ctx, 'catalog-start', { port, catalogDirs: [], dataDir }), '/ready', { idleMs })
    if (Number.isNaN(hub.rssMB)) throw new Error('cannot read the resident memory of the hub process on this platform')
    hubStart.push(hub.ms)
    hubRss.push(hub.rssMB as number)

    // The same start with V8's young generation capped (docs/performance.md, scenario 4): the
    // semi-spaces grown while the process starts are most of the idle RSS above Node's own.
    const semi4 = { catalogDirs: [], dataDir, nodeArgs: ['--max-semi-space-size=4'] }
    const capped = await timedStart((port) => startBenchHub(ctx, 'catalog-start-semi4', { port, ...semi4 }), '/ready', { idleMs })
    smallYoungRss.push(capped.rssMB as number)

    const load = await catalogLoadInFreshProcess()
    catalogMs.push(load.ms)
    counts = { integrations: load.integrations, generated: load.generated }
    ctx.progress(
      `round ${r + 1}/${rounds}: spawn → /ready ${Math.round(hub.ms)} ms (bare node ${Math.round(bare.ms)} ms), ` +
        `idle RSS ${(hubRss[r] as number).toFixed(1)} MB (semi-space 4 MB: ${(smallYoungRss[r] as number).toFixed(1)} MB; bare node ${(bareRss[r] as number).toFixed(1)} MB), ` +
        `catalog load ${Math.round(load.ms)} ms for ${load.integrations} integrations`,
    )
  }
  // Sanity: the full catalog really was the one loaded (in-process count, same package build).
  const inProcess = (await loadCatalog()).list().length
  return {
    metrics: [
      vsBareNode(`spawn → /ready, full catalog (${counts.integrations} integrations)`, 'ms', hubStart, bareStart, 1_000),
      vsBareNode('idle RSS after start, full catalog', 'MB', hubRss, bareRss, 120),
      vsBareNode('idle RSS after start, full catalog, node --max-semi-space-size=4', 'MB', smallYoungRss, bareRss, 120),
      measured({ name: 'loadCatalog() in a fresh process (after import)', unit: 'ms', samples: catalogMs }),
    ],
    details: { request: 'GET /ready', pollIntervalMs: 2, idleMs, integrations: counts.integrations, generated: counts.generated, inProcessCount: inProcess },
  }
}
