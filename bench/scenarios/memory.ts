import { checkRun, connectEcho, sleep, startBenchHub, type BenchContext } from '../context.js'
import { assertClean, runLoad } from '../load.js'
import { startUpstream } from '../processes.js'
import { measured, notAvailable, type Metric, vsBareNode } from '../report.js'
import { timedStart } from '../timed-start.js'
import { actionTargets } from './action-overhead.js'

/** What scenario 4 measures. */
export const MEASURES =
  'Resident set size (RSS, from /proc) of a hub process after start, one connect and one action run: 1 s later ' +
  '(what the start left resident), and once idle has settled, read 60 s later (full mode only): V8 gives back the ' +
  'young generation and compacts the old one after some 25-40 s without work (its memory reducer). Then its ' +
  'high-water mark (VmHWM) after the load of scenario 1 (action runs at concurrency 1, then 10). Baseline: the idle ' +
  'RSS of a bare Node HTTP server (the stand-in service) started the same way.'

/** Process starts measured in full mode (each is a fresh hub: memory is per process). */
const MAX_PROCESSES = 3

/**
 * Seconds of idleness before the settled figure is read. V8's memory reducer gave the memory back
 * 25-40 s after the run in every process measured (docs/performance.md, scenario 4), in two steps
 * (a ~10 MB one, then ~30 MB), so a drop alone does not say the figure has settled: the wait is fixed.
 */
const SETTLE_S = 60

/** Scenario 4: idle and under-load memory of the hub. */
export async function runMemory(ctx: BenchContext): Promise<{ metrics: Metric[]; details: Record<string, unknown> }> {
  const { options } = ctx
  const idleS = options.quick ? 0.5 : 1
  const processes = Math.min(options.rounds, MAX_PROCESSES)
  const bare: number[] = []
  const idle: number[] = []
  const settled: number[] = []
  const peak: number[] = []
  const afterLoad: number[] = []
  for (let r = 0; r < processes; r++) {
    bare.push((await timedStart((port) => startUpstream(port), '/', { idleMs: idleS * 1000 })).rssMB as number)

    const hub = await startBenchHub(ctx, 'memory')
    try {
      const connectionId = await connectEcho(hub.url, ctx.apiKey, 'bench-memory')
      await checkRun(hub.url, ctx.apiKey, connectionId)
      await sleep(idleS * 1000)
      const m = await hub.memory()
      if (!m) throw new Error('cannot read the resident memory of the hub process on this platform')
      idle.push(m.rssMB)
      if (!options.quick) {
        ctx.progress(`process ${r + 1}/${processes}: ${m.rssMB.toFixed(1)} MB 1 s after the run; idle for ${SETTLE_S} s more`)
        await sleep(SETTLE_S * 1000)
        settled.push((await hub.memory())?.rssMB ?? Number.NaN)
      }

      // The load of scenario 1, sampling RSS meanwhile (for platforms without a high-water mark).
      const t = actionTargets(ctx.upstream.url, hub.url, ctx.apiKey, connectionId)
      let sampledPeak = m.rssMB
      let sampling = true
      const sampler = (async () => {
        while (sampling) {
          sampledPeak = Math.max(sampledPeak, (await hub.memory())?.rssMB ?? 0)
          await sleep(50)
        }
      })()
      try {
        for (const c of [1, 10]) assertClean(`hub c=${c}`, await runLoad({ ...t.hub, connections: c, durationS: options.durationS }))
      } finally {
        sampling = false
        await sampler
      }
      const after = await hub.memory()
      peak.push(Math.max(sampledPeak, after?.peakMB ?? 0))
      afterLoad.push(after?.rssMB ?? Number.NaN)
      ctx.progress(
        `process ${r + 1}/${processes}: bare node ${(bare[r] as number).toFixed(1)} MB, hub 1 s after the run ${m.rssMB.toFixed(1)} MB, ` +
          `${settled[r] === undefined ? '' : `idle settled ${(settled[r] as number).toFixed(1)} MB, `}` +
          `peak under load ${(peak[r] as number).toFixed(1)} MB`,
      )
    } finally {
      await hub.stop()
    }
  }
  return {
    metrics: [
      options.quick
        ? notAvailable('idle RSS, settled', 'MB', `needs ${SETTLE_S} s of idleness per process: full mode only (not --quick)`, { text: '≤ 120 MB', of: 'value', max: 120 })
        : vsBareNode('idle RSS, settled', 'MB', settled, bare, 120),
      measured({ name: `RSS ${idleS} s after the first run`, unit: 'MB', samples: idle, baseline: { label: 'bare node', samples: bare } }),
      vsBareNode('peak RSS under scenario 1 load (VmHWM)', 'MB', peak, bare, 250),
      measured({ name: 'RSS right after the load', unit: 'MB', samples: afterLoad }),
    ],
    details: { processes, idleSeconds: idleS, settleSeconds: options.quick ? 0 : SETTLE_S, loadSecondsPerConcurrency: options.durationS },
  }
}
