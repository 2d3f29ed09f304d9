import { ECHO_API_KEY, ECHO_PATH } from '../catalog.js'
import { callHub, startBenchHub, type BenchContext } from '../context.js'
import { assertClean, runLoad } from '../load.js'
import { createTempDatabase, probePostgres } from '../postgres.js'
import { measured, notAvailable, type Metric } from '../report.js'

/** What scenario 2 measures. */
export const MEASURES =
  'API_KEY connects through POST /api/v2/execute/{integrationPath} (scheme and input checks, secret sealed with ' +
  'AES-256-GCM, one INSERT), 10 at a time, each with a unique name; on SQLite and, when reachable, PostgreSQL.'

const CONCURRENCY = 10

/** Measures connects per second against a running hub: warm-up, then one sample per round. */
async function measureConnects(ctx: BenchContext, hubUrl: string, label: string): Promise<number[]> {
  const target = {
    url: `${hubUrl}/api/v2/execute/${encodeURIComponent(ECHO_PATH)}`,
    method: 'POST' as const,
    headers: { 'x-api-key': ctx.apiKey, 'content-type': 'application/json' },
    // [<id>] is replaced per request by autocannon: every connect gets a unique name.
    body: JSON.stringify({ name: 'bench [<id>]', authScheme: 'API_KEY', data: { api_key: ECHO_API_KEY } }),
    idReplacement: true,
    verify: (b: string) => b.includes('"status":"SUCCESS"'),
    connections: CONCURRENCY,
  }
  // Checked once in full before it runs under load.
  const first = await callHub(hubUrl, ctx.apiKey, 'POST', `/api/v2/execute/${encodeURIComponent(ECHO_PATH)}`, {
    name: `bench first ${label}`,
    authScheme: 'API_KEY',
    data: { api_key: ECHO_API_KEY },
  })
  if (first?.status !== 'SUCCESS') throw new Error(`connect on ${label} answered ${JSON.stringify(first).slice(0, 500)}`)
  const warm = await runLoad({ ...target, durationS: ctx.options.warmupS })
  assertClean(`connect warm-up (${label})`, warm)
  const samples: number[] = []
  for (let r = 0; r < ctx.options.rounds; r++) {
    const res = await runLoad({ ...target, durationS: ctx.options.durationS })
    assertClean(`connects (${label})`, res)
    samples.push(res.rps)
    ctx.progress(`${label} round ${r + 1}/${ctx.options.rounds}: ${Math.round(res.rps)} connects/s (p50 ${res.p50Ms.toFixed(2)} ms)`)
  }
  return samples
}

/** Scenario 2: connects per second on SQLite and PostgreSQL. */
export async function runConnects(ctx: BenchContext): Promise<{ metrics: Metric[]; details: Record<string, unknown> }> {
  const details: Record<string, unknown> = { concurrency: CONCURRENCY }
  const metrics: Metric[] = []

  const sqliteHub = await startBenchHub(ctx, 'connects-sqlite')
  try {
    const samples = await measureConnects(ctx, sqliteHub.url, 'SQLite')
    metrics.push(measured({ name: 'connects/s, SQLite, c=10', unit: 'conn/s', samples, target: { text: '≥ 1,000/s', of: 'value', min: 1_000 } }))
  } finally {
    await sqliteHub.stop()
  }

  const pgTarget = { text: '≥ 500/s', of: 'value' as const, min: 500 }
  const pgName = 'connects/s, PostgreSQL, c=10'
  const adminUrl = ctx.options.postgresUrl
  const unreachable = adminUrl === undefined ? 'skipped with --no-postgres' : await probePostgres(adminUrl)
  if (unreachable !== undefined || adminUrl === undefined) {
    metrics.push(notAvailable(pgName, 'conn/s', unreachable ?? 'no PostgreSQL', pgTarget))
    return { metrics, details }
  }
  const db = await createTempDatabase(adminUrl)
  details['postgresDatabase'] = db.name
  try {
    let pgHub
    try {
      pgHub = await startBenchHub(ctx, 'connects-postgres', { databaseUrl: db.url })
    } catch (err) {
      metrics.push({ ...notAvailable(pgName, 'conn/s', ''), status: 'failed', reason: `the hub did not start on PostgreSQL: ${(err as Error).message}` })
      return { metrics, details }
    }
    try {
      const samples = await measureConnects(ctx, pgHub.url, 'PostgreSQL')
      metrics.push(measured({ name: pgName, unit: 'conn/s', samples, target: pgTarget }))
    } catch (err) {
      metrics.push({ ...notAvailable(pgName, 'conn/s', ''), status: 'failed', reason: `${(err as Error).message}\n${pgHub.output().slice(-2_000)}` })
    } finally {
      await pgHub.stop()
    }
  } finally {
    await db.drop()
  }
  return { metrics, details }
}
