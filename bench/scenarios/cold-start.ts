import { mkdtemp } from 'node:fs/promises'
import { join } from 'node:path'
import { firstSuccess, freePort, startBenchHub, type BenchContext } from '../context.js'
import { startUpstream, type ChildHandle } from '../processes.js'
import { measured, type Metric } from '../report.js'

/** What scenario 3 measures. */
export const MEASURES =
  'Time from spawning `patchbay serve` (built-in catalog only) to its first successful authenticated request ' +
  '(GET /sdk/models/patchbay%2Fgithub, polled every 2 ms from the moment of spawn): on an empty data folder ' +
  '(migrations run, SQLite file created) and on an existing one (a restart). Baseline: spawning a bare ' +
  'Node HTTP server (the stand-in service) to its first answer, measured the same way.'

const TIMEOUT_MS = 30_000

/** Spawns a process on a known port and polls it from the moment of spawn; returns ms to its first 2xx. */
async function timeToFirstSuccess(start: (port: number) => Promise<ChildHandle>, path: string, headers: Record<string, string>): Promise<number> {
  const port = await freePort()
  const stopPolling = new AbortController()
  const child = start(port)
  // A process that dies before answering ends the wait at once, with its output.
  const died = child.then(
    () => new Promise<never>(() => {}),
    (err: unknown) => {
      stopPolling.abort()
      throw err
    },
  )
  const ok = await Promise.race([firstSuccess(`http://127.0.0.1:${port}${path}`, headers, TIMEOUT_MS, stopPolling.signal), died])
  const handle = await child
  await handle.stop()
  // spawnedAt is taken just before spawn(); polling started right after it.
  return ok - handle.spawnedAt
}

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
    bare.push(await timeToFirstSuccess((port) => startUpstream(port), '/', {}))
    // A fresh data folder, then a restart on the folder that first start left behind.
    const dataDir = await mkdtemp(join(ctx.tmpDir, 'hub-cold-start-'))
    fresh.push(await timeToFirstSuccess(hub('cold-start-fresh', dataDir), recordPath, auth))
    restart.push(await timeToFirstSuccess(hub('cold-start-restart', dataDir), recordPath, auth))
    ctx.progress(
      `round ${r + 1}/${rounds}: bare node ${Math.round(bare[r] as number)} ms, hub fresh ${Math.round(fresh[r] as number)} ms, ` +
        `restart ${Math.round(restart[r] as number)} ms`,
    )
  }
  const target = { text: '≤ 1,000 ms', of: 'value' as const, max: 1_000 }
  return {
    metrics: [
      measured({ name: 'spawn → first request, empty data folder', unit: 'ms', samples: fresh, baseline: { label: 'bare node', samples: bare }, target }),
      measured({ name: 'spawn → first request, restart', unit: 'ms', samples: restart, baseline: { label: 'bare node', samples: bare }, target }),
    ],
    details: { request: `GET ${recordPath}`, pollIntervalMs: 2 },
  }
}
