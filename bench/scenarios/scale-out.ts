import { ECHO_API_KEY, ECHO_PATH } from '../catalog.js'
import { RUN_BODY, checkRun, connectEcho, isRunSuccess, startBenchHub, type BenchContext } from '../context.js'
import { assertClean, runLoad, type LoadConfig } from '../load.js'
import { createTempDatabase, probePostgres } from '../postgres.js'
import { measured, notAvailable, type Metric } from '../report.js'
import type { ChildHandle } from '../processes.js'

/** What scenario 7 measures. */
export const MEASURES =
  'Connects and action runs per second with one hub process on SQLite, one on PostgreSQL, and two processes sharing ' +
  'one PostgreSQL database (the scaled-out setup of docs/deployment.md), each process loaded with 10 concurrent ' +
  'keep-alive clients. On this 2-core machine the load generator, the hubs, the service and PostgreSQL share the ' +
  'same cores, so two processes show what contention leaves, not what two machines would give.'

const PER_PROCESS = 10

type Target = Omit<LoadConfig, 'connections' | 'durationS'>

const connectTarget = (ctx: BenchContext, hubUrl: string): Target => ({
  url: `${hubUrl}/api/v2/execute/${encodeURIComponent(ECHO_PATH)}`,
  method: 'POST',
  headers: { 'x-api-key': ctx.apiKey, 'content-type': 'application/json' },
  body: JSON.stringify({ name: 'scale [<id>]', authScheme: 'API_KEY', data: { api_key: ECHO_API_KEY } }),
  idReplacement: true,
  verify: (b) => b.includes('"status":"SUCCESS"'),
})

const runTarget = (ctx: BenchContext, hubUrl: string, connectionId: string): Target => ({
  url: `${hubUrl}/api/v2/execute/${connectionId}`,
  method: 'POST',
  headers: { 'x-api-key': ctx.apiKey, 'content-type': 'application/json' },
  body: RUN_BODY,
  verify: isRunSuccess,
})

/** Total successful requests per second of `targets` loaded at the same time, one sample per round. */
async function measure(ctx: BenchContext, label: string, targets: Target[]): Promise<number[]> {
  const once = async (durationS: number) => {
    const results = await Promise.all(targets.map((t) => runLoad({ ...t, connections: PER_PROCESS, durationS })))
    results.forEach((r, i) => assertClean(`${label} (process ${i + 1})`, r))
    return results.reduce((sum, r) => sum + r.rps, 0)
  }
  // Six measurements here: shorter than scenario 1's (at most 2 rounds of 1.5 s, 1 s warm-up) to
  // keep the full run under 5 minutes. Quick mode (the test suite) skips the warm-up.
  if (!ctx.options.quick) await once(Math.min(ctx.options.warmupS, 1))
  const rounds = Math.min(ctx.options.rounds, 2)
  const samples: number[] = []
  for (let r = 0; r < rounds; r++) {
    samples.push(await once(Math.min(ctx.options.durationS, 1.5)))
    ctx.progress(`${label} round ${r + 1}/${rounds}: ${Math.round(samples.at(-1) as number)}/s`)
  }
  return samples
}

/** Scenario 7: one SQLite process, one and two PostgreSQL processes. */
export async function runScaleOut(ctx: BenchContext): Promise<{ metrics: Metric[]; details: Record<string, unknown> }> {
  const metrics: Metric[] = []
  const sqlite = await startBenchHub(ctx, 'scale-sqlite')
  let sqliteConnects: number[]
  let sqliteRuns: number[]
  try {
    const id = await connectEcho(sqlite.url, ctx.apiKey, 'scale-sqlite')
    await checkRun(sqlite.url, ctx.apiKey, id)
    sqliteConnects = await measure(ctx, 'connects, SQLite, 1 process', [connectTarget(ctx, sqlite.url)])
    sqliteRuns = await measure(ctx, 'action runs, SQLite, 1 process', [runTarget(ctx, sqlite.url, id)])
  } finally {
    await sqlite.stop()
  }
  metrics.push(
    measured({ name: 'connects/s, SQLite, 1 process', unit: 'conn/s', samples: sqliteConnects }),
    measured({ name: 'action runs/s, SQLite, 1 process', unit: 'req/s', samples: sqliteRuns }),
  )

  const names = ['connects/s, PostgreSQL, 1 process', 'connects/s, PostgreSQL, 2 processes', 'action runs/s, PostgreSQL, 1 process', 'action runs/s, PostgreSQL, 2 processes']
  const adminUrl = ctx.options.postgresUrl
  const unreachable = adminUrl === undefined ? 'skipped with --no-postgres' : await probePostgres(adminUrl)
  if (unreachable !== undefined || adminUrl === undefined) {
    for (const n of names) metrics.push(notAvailable(n, n.startsWith('connects') ? 'conn/s' : 'req/s', unreachable ?? 'no PostgreSQL'))
    return { metrics, details: { perProcessConcurrency: PER_PROCESS } }
  }
  const db = await createTempDatabase(adminUrl)
  const hubs: ChildHandle[] = []
  try {
    hubs.push(await startBenchHub(ctx, 'scale-pg-a', { databaseUrl: db.url }))
    hubs.push(await startBenchHub(ctx, 'scale-pg-b', { databaseUrl: db.url }))
    const [a, b] = hubs as [ChildHandle, ChildHandle]
    const id = await connectEcho(a.url, ctx.apiKey, 'scale-pg')
    await checkRun(b.url, ctx.apiKey, id) // connected on A, runs on B: one database
    const c1 = await measure(ctx, 'connects, PostgreSQL, 1 process', [connectTarget(ctx, a.url)])
    const c2 = await measure(ctx, 'connects, PostgreSQL, 2 processes', [connectTarget(ctx, a.url), connectTarget(ctx, b.url)])
    const r1 = await measure(ctx, 'action runs, PostgreSQL, 1 process', [runTarget(ctx, a.url, id)])
    const r2 = await measure(ctx, 'action runs, PostgreSQL, 2 processes', [runTarget(ctx, a.url, id), runTarget(ctx, b.url, id)])
    metrics.push(
      measured({ name: names[0] as string, unit: 'conn/s', samples: c1, baseline: { label: 'SQLite, 1 process', samples: sqliteConnects } }),
      measured({ name: names[1] as string, unit: 'conn/s', samples: c2, baseline: { label: 'PostgreSQL, 1 process', samples: c1 } }),
      measured({ name: names[2] as string, unit: 'req/s', samples: r1, baseline: { label: 'SQLite, 1 process', samples: sqliteRuns } }),
      measured({ name: names[3] as string, unit: 'req/s', samples: r2, baseline: { label: 'PostgreSQL, 1 process', samples: r1 } }),
    )
  } finally {
    await Promise.all(hubs.map((h) => h.stop()))
    await db.drop()
  }
  return { metrics, details: { perProcessConcurrency: PER_PROCESS } }
}
