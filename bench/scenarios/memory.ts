import { checkRun, connectEcho, sleep, startBenchHub, type BenchContext } from '../context.js'
import { assertClean, runLoad } from '../load.js'
import { startUpstream } from '../processes.js'
import { measured, type Metric, vsBareNode } from '../report.js'
import { timedStart } from '../timed-start.js'
import { actionTargets } from './action-overhead.js'

/** What scenario 4 measures. */
export const MEASURES =
  'Resident set size (RSS, from /proc) of a hub process: idle, after start, one connect and one action run and a ' +
  'pause; and its high-water mark (VmHWM) after the load of scenario 1 (action runs at concurrency 1, then 10). ' +
  'Baseline: the idle RSS of a bare Node HTTP server (the stand-in service) started the same way.'

/** Process starts measured in full mode (each is a fresh hub: memory is per process). */
const MAX_PROCESSES = 3

/** Scenario 4: idle and under-load memory of the hub. */
export async function runMemory(ctx: BenchContext): Promise<{ metrics: Metric[]; details: Record<string, unknown> }> {
  const { options } = ctx
  const idleS = options.quick ? 0.5 : 1
  const processes = Math.min(options.rounds, MAX_PROCESSES)
  const bare: number[] = []
  const idle: number[] = []
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
        `process ${r + 1}/${processes}: bare node ${(bare[r] as number).toFixed(1)} MB, hub idle ${m.rssMB.toFixed(1)} MB, ` +
          `peak under load ${(peak[r] as number).toFixed(1)} MB`,
      )
    } finally {
      await hub.stop()
    }
  }
  return {
    metrics: [
      vsBareNode('idle RSS', 'MB', idle, bare, 120),
      vsBareNode('peak RSS under scenario 1 load (VmHWM)', 'MB', peak, bare, 250),
      measured({ name: 'RSS right after the load', unit: 'MB', samples: afterLoad }),
    ],
    details: { processes, idleSeconds: idleS, loadSecondsPerConcurrency: options.durationS },
  }
}
