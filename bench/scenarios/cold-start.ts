import { mkdtemp } from 'node:fs/promises'
import { join } from 'node:path'
import { startBenchHub, type BenchContext } from '../context.js'
import { startUpstream } from '../processes.js'
import { type Metric, vsBareNode } from '../report.js'
import { timedStart } from '../timed-start.js'

/** What scenario 3 measures. */
export const MEASURES =
  'Time from spawning `patchbay serve` (built-in catalog only) to its first successful authenticated request ' +
  '(GET /sdk/models/patchbay%2Fgithub, polled every 2 ms from the moment of spawn): on an empty data folder ' +
  '(migrations run, SQLite file created) and on an existing one (a restart). Baseline: spawning a bare ' +
  'Node HTTP server (the stand-in service) to its first answer, measured the same way.'

const TIMEOUT_MS = 30_000

/** Scenario 3: cold start of the hub, fresh and restarted, against a bare Node process. */
export async function runColdStart(ctx: BenchContext): Promise<{ metrics: Metric[]; details: Record<string, unknown> }> {
  const rounds = ctx.options.rounds
  const auth = { 'x-api-key': ctx.apiKey }
  const recordPath = `/sdk/models/${encodeURIComponent('patchbay/github')}`
  const hub = (label: string, dataDir: string) => (port: number) => startBenchHub(ctx, label, { port, catalogDirs: [], dataDir })

  // The first fetch of this process sets up its HTTP client: not part of any measurement.
  await fetch(ctx.upstream.url).then((r) => r.arrayBuffer())

  const bare: number[] = []
  const fresh: number[] = []
  const restart: number[] = []
  for (let r = 0; r < rounds; r++) {
    bare.push((await timedStart((port) => startUpstream(port), '/', { timeoutMs: TIMEOUT_MS })).ms)
    // A fresh data folder, then a restart on the folder that first start left behind.
    const dataDir = await mkdtemp(join(ctx.tmpDir, 'hub-cold-start-'))
    fresh.push((await timedStart(hub('cold-start-fresh', dataDir), recordPath, { headers: auth, timeoutMs: TIMEOUT_MS })).ms)
    restart.push((await timedStart(hub('cold-start-restart', dataDir), recordPath, { headers: auth, timeoutMs: TIMEOUT_MS })).ms)
    ctx.progress(
      `round ${r + 1}/${rounds}: bare node ${Math.round(bare[r] as number)} ms, hub fresh ${Math.round(fresh[r] as number)} ms, ` +
        `restart ${Math.round(restart[r] as number)} ms`,
    )
  }
  return {
    metrics: [vsBareNode('spawn → first request, empty data folder', 'ms', fresh, bare, 1_000), vsBareNode('spawn → first request, restart', 'ms', restart, bare, 1_000)],
    details: { request: `GET ${recordPath}`, pollIntervalMs: 2 },
  }
}
