import { ECHO_API_KEY, ECHO_KEY_HEADER, ECHO_UPSTREAM_PATH } from '../catalog.js'
import { RUN_BODY, checkRun, connectEcho, isRunSuccess, startBenchHub, type BenchContext } from '../context.js'
import { assertClean, runLoad, type LoadConfig, type LoadResult } from '../load.js'
import { mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import { connectOAuth, setOAuthApp, startTokenServer, writeOAuthCatalog } from '../oauth.js'
import { startForwarder } from '../processes.js'
import { measured, notAvailable, type Metric } from '../report.js'

/** A load run plus the CPU each process spent per request during it (µs; NaN without /proc). */
type MeasuredLoad = LoadResult & { cpuUs: { hub: number; forwarder: number; upstream: number; client: number } }

/** CPU time of this process (the load generator) in ms. */
const selfCpuMs = () => {
  const u = process.cpuUsage()
  return (u.user + u.system) / 1000
}

/** What scenario 1 measures. */
export const MEASURES =
  'The same GET (a small JSON answer) sent straight to the stand-in service, and as an API_KEY action run through ' +
  'POST /api/v2/execute/{connectionId} (auth, connection lookup, input validation, request build, upstream call), ' +
  'at concurrency 1 and 10 over keep-alive connections; the same run through the minimal forwarder (bench/minimal-forwarder.mjs: ' +
  'the least code that does the same job) at concurrency 10; and the CPU time each process spends per request (from /proc).'

/** The direct request, the same request through the hub and through the minimal forwarder, as load configurations. */
export function actionTargets(upstreamUrl: string, hubUrl: string, apiKey: string, connectionId: string, forwarderUrl = hubUrl) {
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
  return { direct, hub, forwarder: { ...hub, url: `${forwarderUrl}/api/v2/execute/${connectionId}` } }
}

/** Scenario 1: action run overhead, direct vs through the hub, c=1 and c=10. */
export async function runActionOverhead(ctx: BenchContext): Promise<{ metrics: Metric[]; details: Record<string, unknown> }> {
  const { options } = ctx
  // The OAUTH2 twin of the echo integration, on a stand-in token server, for the OAUTH2 row.
  const tokens = await startTokenServer()
  const oauthCatalog = join(ctx.tmpDir, 'oauth-catalog-overhead')
  await writeOAuthCatalog(oauthCatalog, ctx.upstream.url, tokens.url)
  const hub = await startBenchHub(ctx, 'action-overhead', { catalogDirs: [ctx.echoCatalogDir, oauthCatalog] })
  let forwarder: Awaited<ReturnType<typeof startForwarder>> | undefined
  try {
    const connectionId = await connectEcho(hub.url, ctx.apiKey, 'bench-action-overhead')
    await checkRun(hub.url, ctx.apiKey, connectionId)
    // The minimal forwarder knows the same key and the connection's credential from the start.
    // With --profile it is profiled too, for a side-by-side reading with the hub's profile.
    const profileDir = ctx.profileDir ? join(ctx.profileDir, 'minimal-forwarder') : undefined
    if (profileDir) await mkdir(profileDir, { recursive: true })
    forwarder = await startForwarder({
      upstreamUrl: ctx.upstream.url,
      apiKey: ctx.apiKey,
      credentials: { [connectionId]: ECHO_API_KEY },
      ...(profileDir ? { nodeArgs: ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] } : {}),
    })
    await checkRun(forwarder.url, ctx.apiKey, connectionId)
    const fwd = forwarder
    const t = actionTargets(ctx.upstream.url, hub.url, ctx.apiKey, connectionId, fwd.url)
    await setOAuthApp(hub.url, ctx.apiKey)
    const oauthId = await connectOAuth(hub.url, ctx.apiKey, 'bench-oauth-overhead') // a token valid for an hour: no refresh
    await checkRun(hub.url, ctx.apiKey, oauthId)
    const oauthTarget = { ...t.hub, url: `${hub.url}/api/v2/execute/${oauthId}` }
    // CPU time each process spent per successful request during a load (µs): robust where
    // wall-clock figures are not, on a machine whose cores are shared.
    const cpu = async () => ({ hub: await hub.cpuMs(), forwarder: await fwd.cpuMs(), upstream: await ctx.upstream.cpuMs(), client: selfCpuMs() })
    const perRequest = (before: number | undefined, after: number | undefined, ok: number) =>
      before === undefined || after === undefined ? Number.NaN : ((after - before) * 1000) / ok
    const load = async (what: string, target: typeof t.direct, connections: number, durationS: number): Promise<MeasuredLoad> => {
      const c0 = await cpu()
      const r = await runLoad({ ...target, connections, durationS })
      const c1 = await cpu()
      assertClean(what, r)
      return {
        ...r,
        cpuUs: {
          hub: perRequest(c0.hub, c1.hub, r.ok),
          forwarder: perRequest(c0.forwarder, c1.forwarder, r.ok),
          upstream: perRequest(c0.upstream, c1.upstream, r.ok),
          client: perRequest(c0.client, c1.client, r.ok),
        },
      }
    }

    ctx.progress(`warm-up ${options.warmupS} s each, direct, hub and minimal forwarder`)
    await load('direct warm-up', t.direct, 10, options.warmupS)
    await load('hub warm-up', t.hub, 10, options.warmupS)
    await load('minimal forwarder warm-up', t.forwarder, 10, options.warmupS)

    await load('hub oauth2 warm-up', oauthTarget, 10, options.warmupS)
    const rounds: { direct1: MeasuredLoad; hub1: MeasuredLoad; oauth1: MeasuredLoad; direct10: MeasuredLoad; hub10: MeasuredLoad; fwd10: MeasuredLoad }[] = []
    for (let r = 0; r < options.rounds; r++) {
      // Alternate which goes first, so a drift in machine load does not always favour one side.
      const pair = async (c: number) => {
        if (r % 2 === 0) return { d: await load(`direct c=${c}`, t.direct, c, options.durationS), h: await load(`hub c=${c}`, t.hub, c, options.durationS) }
        const h = await load(`hub c=${c}`, t.hub, c, options.durationS)
        return { d: await load(`direct c=${c}`, t.direct, c, options.durationS), h }
      }
      const one = await pair(1)
      const oauth1 = await load('hub oauth2 c=1', oauthTarget, 1, Math.min(options.durationS, 2))
      // c=10: direct, hub and forwarder, each going first in turn.
      const ten: Partial<Record<'direct' | 'hub' | 'forwarder', MeasuredLoad>> = {}
      const three = ['direct', 'hub', 'forwarder'] as const
      for (let i = 0; i < 3; i++) {
        const which = three[(r + i) % 3] as (typeof three)[number]
        ten[which] = await load(`${which} c=10`, t[which], 10, options.durationS)
      }
      const [d10, h10, f10] = [ten.direct, ten.hub, ten.forwarder] as [MeasuredLoad, MeasuredLoad, MeasuredLoad]
      rounds.push({ direct1: one.d, hub1: one.h, oauth1, direct10: d10, hub10: h10, fwd10: f10 })
      ctx.progress(
        `round ${r + 1}/${options.rounds}: c=1 p50 direct ${one.d.p50Ms.toFixed(3)} ms, hub ${one.h.p50Ms.toFixed(3)} ms; ` +
          `c=10 direct ${Math.round(d10.rps)} req/s, hub ${Math.round(h10.rps)} req/s, forwarder ${Math.round(f10.rps)} req/s; ` +
          `CPU/run hub ${h10.cpuUs.hub.toFixed(0)} µs, forwarder ${f10.cpuUs.forwarder.toFixed(0)} µs`,
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
        name: 'throughput, c=10, vs the minimal forwarder',
        unit: 'req/s',
        samples: pick((x) => x.hub10.rps),
        baseline: { label: 'minimal forwarder', samples: pick((x) => x.fwd10.rps) },
      }),
      measured({
        name: 'p50 latency, c=10',
        unit: 'ms',
        samples: pick((x) => x.hub10.p50Ms),
        baseline: { label: 'direct', samples: pick((x) => x.direct10.p50Ms) },
      }),
    ]
    const hubCpu = pick((x) => x.hub10.cpuUs.hub)
    if (hubCpu.every(Number.isFinite)) {
      const chain = (x: MeasuredLoad) => x.cpuUs.client + x.cpuUs.hub + x.cpuUs.upstream
      metrics.push(
        measured({
          name: 'hub CPU per action run, c=10',
          unit: 'µs',
          samples: hubCpu,
          baseline: { label: 'stand-in service per request, direct', samples: pick((x) => x.direct10.cpuUs.upstream) },
        }),
        measured({
          name: 'hub CPU per action run vs the minimal forwarder, c=10',
          unit: 'µs',
          samples: hubCpu,
          baseline: { label: 'minimal forwarder', samples: pick((x) => x.fwd10.cpuUs.forwarder) },
          target: { text: '≤ 1.50× forwarder', of: 'ratio', max: 1.5 },
        }),
        measured({
          name: 'CPU per request, load generator + hub + service, c=10',
          unit: 'µs',
          samples: pick((x) => chain(x.hub10)),
          baseline: { label: 'load generator + service, direct', samples: pick((x) => x.direct10.cpuUs.client + x.direct10.cpuUs.upstream) },
        }),
      )
    } else {
      metrics.push(notAvailable('hub CPU per action run, c=10', 'µs', 'needs /proc (Linux)'))
    }
    metrics.push(
      measured({
        name: 'OAUTH2 (valid token) p50 vs API_KEY, c=1',
        unit: 'ms',
        samples: pick((x) => x.oauth1.p50Ms),
        baseline: { label: 'API_KEY', samples: pick((x) => x.hub1.p50Ms) },
        target: { text: '≤ 1.10× API_KEY', of: 'ratio', max: 1.1 },
      }),
    )
    const summary = (x: MeasuredLoad) => ({ rps: Math.round(x.rps), p50Ms: x.p50Ms, p90Ms: x.p90Ms, p99Ms: x.p99Ms, requests: x.ok, cpuUsPerRequest: x.cpuUs })
    return {
      metrics,
      details: {
        rounds: rounds.map((x) => ({ direct1: summary(x.direct1), hub1: summary(x.hub1), direct10: summary(x.direct10), hub10: summary(x.hub10), forwarder10: summary(x.fwd10) })),
      },
    }
  } finally {
    await forwarder?.stop()
    await hub.stop()
    await tokens.close()
  }
}
