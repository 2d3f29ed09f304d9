import { checkRun, connectEcho, startBenchHub, type BenchContext } from '../context.js'
import { assertClean, runLoad, type LoadResult } from '../load.js'
import { measured, notAvailable, type Metric } from '../report.js'
import { actionTargets } from './action-overhead.js'

/** What scenario 11 measures. */
export const MEASURES =
  "Scenario 1's API_KEY action run on two hubs started side by side, one with the run log on (the default) and one with " +
  'PATCHBAY_RUN_LOG=off, against the same stand-in service: p50 latency added over the direct call at concurrency 1, and ' +
  'the hub CPU time per run at concurrency 1 and 10 (from /proc). Each round runs direct, log on and log off, ' +
  'in an order that turns each round, so a drift in machine load does not favour one side.'

type Run = LoadResult & { hubCpuUs: number }

/** Scenario 11: what the run log adds to an action run (log on vs off, same run, paired rounds). */
export async function runRunLog(ctx: BenchContext): Promise<{ metrics: Metric[]; details: Record<string, unknown> }> {
  const { options } = ctx
  const on = await startBenchHub(ctx, 'run-log-on', { env: { PATCHBAY_RUN_LOG: 'on' } })
  const off = await startBenchHub(ctx, 'run-log-off', { env: { PATCHBAY_RUN_LOG: 'off' } })
  try {
    const ids = { on: await connectEcho(on.url, ctx.apiKey, 'bench-run-log-on'), off: await connectEcho(off.url, ctx.apiKey, 'bench-run-log-off') }
    await checkRun(on.url, ctx.apiKey, ids.on)
    await checkRun(off.url, ctx.apiKey, ids.off)
    const tOn = actionTargets(ctx.upstream.url, on.url, ctx.apiKey, ids.on)
    const tOff = actionTargets(ctx.upstream.url, off.url, ctx.apiKey, ids.off)
    const hubs = { on, off }
    const load = async (what: string, which: 'direct' | 'on' | 'off', connections: number, durationS: number): Promise<Run> => {
      const target = which === 'direct' ? tOn.direct : which === 'on' ? tOn.hub : tOff.hub
      const hub = which === 'direct' ? undefined : hubs[which]
      const c0 = await hub?.cpuMs()
      const r = await runLoad({ ...target, connections, durationS })
      const c1 = await hub?.cpuMs()
      assertClean(what, r)
      return { ...r, hubCpuUs: c0 === undefined || c1 === undefined ? Number.NaN : ((c1 - c0) * 1000) / r.ok }
    }
    ctx.progress(`warm-up ${options.warmupS} s each, log on and log off`)
    await load('log on warm-up', 'on', 10, options.warmupS)
    await load('log off warm-up', 'off', 10, options.warmupS)
    const rounds: { direct1: Run; on1: Run; off1: Run; on10: Run; off10: Run }[] = []
    const orders = [
      ['direct', 'on', 'off'],
      ['off', 'direct', 'on'],
      ['on', 'off', 'direct'],
      ['direct', 'off', 'on'],
      ['off', 'on', 'direct'],
      ['on', 'direct', 'off'],
    ] as const
    for (let r = 0; r < options.rounds; r++) {
      const one: Partial<Record<'direct' | 'on' | 'off', Run>> = {}
      for (const which of orders[r % orders.length] as readonly ('direct' | 'on' | 'off')[]) {
        one[which] = await load(`${which} c=1`, which, 1, options.durationS)
      }
      const first = r % 2 === 0 ? 'on' : 'off'
      const second = first === 'on' ? 'off' : 'on'
      const ten = { [first]: await load(`${first} c=10`, first, 10, options.durationS), [second]: await load(`${second} c=10`, second, 10, options.durationS) }
      const x = { direct1: one.direct as Run, on1: one.on as Run, off1: one.off as Run, on10: ten['on'] as Run, off10: ten['off'] as Run }
      rounds.push(x)
      ctx.progress(
        `round ${r + 1}/${options.rounds}: c=1 p50 direct ${x.direct1.p50Ms.toFixed(3)} ms, log on ${x.on1.p50Ms.toFixed(3)} ms, ` +
          `log off ${x.off1.p50Ms.toFixed(3)} ms; CPU/run c=10 log on ${x.on10.hubCpuUs.toFixed(0)} µs, log off ${x.off10.hubCpuUs.toFixed(0)} µs`,
      )
    }
    const pick = (f: (x: (typeof rounds)[number]) => number) => rounds.map(f)
    const metrics: Metric[] = [
      measured({
        name: 'added latency at p50, c=1 (hub − direct), log on vs off',
        unit: 'ms',
        samples: pick((x) => x.on1.p50Ms - x.direct1.p50Ms),
        baseline: { label: 'log off', samples: pick((x) => x.off1.p50Ms - x.direct1.p50Ms) },
      }),
      measured({
        name: 'log on − log off, p50 at c=1 (same round)',
        unit: 'ms',
        samples: pick((x) => x.on1.p50Ms - x.off1.p50Ms),
        target: { text: '≤ 0.05 ms', of: 'value', max: 0.05 },
      }),
    ]
    if (rounds.every((x) => Number.isFinite(x.on1.hubCpuUs))) {
      metrics.push(
        measured({
          name: 'hub CPU per run, c=1, log on vs off',
          unit: 'µs',
          samples: pick((x) => x.on1.hubCpuUs),
          baseline: { label: 'log off', samples: pick((x) => x.off1.hubCpuUs) },
        }),
        measured({
          name: 'hub CPU per run, c=10, log on vs off',
          unit: 'µs',
          samples: pick((x) => x.on10.hubCpuUs),
          baseline: { label: 'log off', samples: pick((x) => x.off10.hubCpuUs) },
        }),
      )
    } else {
      metrics.push(notAvailable('hub CPU per run, log on vs off', 'µs', 'needs /proc (Linux)'))
    }
    const summary = (x: Run) => ({ rps: Math.round(x.rps), p50Ms: x.p50Ms, p99Ms: x.p99Ms, requests: x.ok, hubCpuUsPerRun: x.hubCpuUs })
    return {
      metrics,
      details: {
        rounds: rounds.map((x) => ({ direct1: summary(x.direct1), on1: summary(x.on1), off1: summary(x.off1), on10: summary(x.on10), off10: summary(x.off10) })),
      },
    }
  } finally {
    await on.stop()
    await off.stop()
  }
}
