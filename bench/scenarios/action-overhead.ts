import { ECHO_API_KEY, ECHO_KEY_HEADER, ECHO_UPSTREAM_PATH } from '../catalog.js'
import { RUN_BODY, checkRun, connectEcho, isRunSuccess, startBenchHub, type BenchContext } from '../context.js'
import { assertClean, runLoad, type LoadConfig, type LoadResult } from '../load.js'
import { measured, notAvailable, type Metric } from '../report.js'

/** What scenario 1 measures. */
export const MEASURES =
  'The same GET (a small JSON answer) sent straight to the stand-in service, and as an API_KEY action run through ' +
  'POST /api/v2/execute/{connectionId} (auth, connection lookup, input validation, request build, upstream call), ' +
  'at concurrency 1 and 10 over keep-alive connections.'

/** The direct request and the same request through the hub, as load configurations. */
export function actionTargets(upstreamUrl: string, hubUrl: string, apiKey: string, connectionId: string) {
  const direct: Omit<LoadConfig, 'connections' | 'durationS'> = {
    url: `${upstreamUrl}${ECHO_UPSTREAM_PATH}`,
    headers: { [ECHO_KEY_HEADER]: ECHO_API_KEY },
    verify: (b) => b.includes('"ok":true'),
  }
  const hub: Omit<LoadConfig, 'connections' | 'durationS'> = {
    url: `${hubUrl}/api/v2/execute/${connectionId}`,
    method: 'POST',
    headers: { 'x-api-key': apiKey, 'content-type': 'application/json' },
    body: RUN_BODY,
    verify: isRunSuccess,
  }
  return { direct, hub }
}

/** Scenario 1: action run overhead, direct vs through the hub, c=1 and c=10. */
export async function runActionOverhead(ctx: BenchContext): Promise<{ metrics: Metric[]; details: Record<string, unknown> }> {
  const { options } = ctx
  const hub = await startBenchHub(ctx, 'action-overhead')
  try {
    const connectionId = await connectEcho(hub.url, ctx.apiKey, 'bench-action-overhead')
    await checkRun(hub.url, ctx.apiKey, connectionId)
    const t = actionTargets(ctx.upstream.url, hub.url, ctx.apiKey, connectionId)
    const load = async (what: string, target: typeof t.direct, connections: number, durationS: number) => {
      const r = await runLoad({ ...target, connections, durationS })
      assertClean(what, r)
      return r
    }

    ctx.progress(`warm-up ${options.warmupS} s each, direct and hub`)
    await load('direct warm-up', t.direct, 10, options.warmupS)
    await load('hub warm-up', t.hub, 10, options.warmupS)

    const rounds: { direct1: LoadResult; hub1: LoadResult; direct10: LoadResult; hub10: LoadResult }[] = []
    for (let r = 0; r < options.rounds; r++) {
      // Alternate which goes first, so a drift in machine load does not always favour one side.
      const pair = async (c: number) => {
        if (r % 2 === 0) return { d: await load(`direct c=${c}`, t.direct, c, options.durationS), h: await load(`hub c=${c}`, t.hub, c, options.durationS) }
        const h = await load(`hub c=${c}`, t.hub, c, options.durationS)
        return { d: await load(`direct c=${c}`, t.direct, c, options.durationS), h }
      }
      const one = await pair(1)
      const ten = await pair(10)
      rounds.push({ direct1: one.d, hub1: one.h, direct10: ten.d, hub10: ten.h })
      ctx.progress(
        `round ${r + 1}/${options.rounds}: c=1 p50 direct ${one.d.p50Ms.toFixed(3)} ms, hub ${one.h.p50Ms.toFixed(3)} ms; ` +
          `c=10 direct ${Math.round(ten.d.rps)} req/s, hub ${Math.round(ten.h.rps)} req/s`,
      )
    }
    const pick = (f: (x: (typeof rounds)[number]) => number) => rounds.map(f)
    const metrics: Metric[] = [
      measured({
        name: 'p50 latency, c=1',
        unit: 'ms',
        samples: pick((x) => x.hub1.p50Ms),
        baseline: { label: 'direct', samples: pick((x) => x.direct1.p50Ms) },
      }),
      measured({
        name: 'added latency at p50, c=1 (hub − direct)',
        unit: 'ms',
        samples: pick((x) => x.hub1.p50Ms - x.direct1.p50Ms),
        target: { text: '≤ 0.5 ms', of: 'value', max: 0.5 },
      }),
      measured({
        name: 'p99 latency, c=1',
        unit: 'ms',
        samples: pick((x) => x.hub1.p99Ms),
        baseline: { label: 'direct', samples: pick((x) => x.direct1.p99Ms) },
      }),
      measured({
        name: 'throughput, c=1',
        unit: 'req/s',
        samples: pick((x) => x.hub1.rps),
        baseline: { label: 'direct', samples: pick((x) => x.direct1.rps) },
      }),
      measured({
        name: 'throughput, c=10',
        unit: 'req/s',
        samples: pick((x) => x.hub10.rps),
        baseline: { label: 'direct', samples: pick((x) => x.direct10.rps) },
        target: { text: '≥ 0.50× direct', of: 'ratio', min: 0.5 },
      }),
      measured({
        name: 'p50 latency, c=10',
        unit: 'ms',
        samples: pick((x) => x.hub10.p50Ms),
        baseline: { label: 'direct', samples: pick((x) => x.direct10.p50Ms) },
      }),
      // Filled in by the OAuth 2 issue: same run on an OAUTH2 connection with a valid token.
      notAvailable('OAUTH2 (valid token) p50 vs API_KEY, c=1', 'ms', 'needs OAuth 2', { text: '≤ 1.10× API_KEY', of: 'ratio', max: 1.1 }),
    ]
    const summary = (x: LoadResult) => ({ rps: Math.round(x.rps), p50Ms: x.p50Ms, p90Ms: x.p90Ms, p99Ms: x.p99Ms, requests: x.ok })
    return {
      metrics,
      details: { rounds: rounds.map((x) => ({ direct1: summary(x.direct1), hub1: summary(x.hub1), direct10: summary(x.direct10), hub10: summary(x.hub10) })) },
    }
  } finally {
    await hub.stop()
  }
}
