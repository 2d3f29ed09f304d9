import { createHmac } from 'node:crypto'
import { ECHO_API_KEY, ECHO_PATH } from '../catalog.js'
import { callHub, startBenchHub, type BenchContext } from '../context.js'
import { assertClean, runLoad } from '../load.js'
import { createTempDatabase, probePostgres } from '../postgres.js'
import { measured, notAvailable, type Metric } from '../report.js'

/** What scenario 10 measures. */
export const MEASURES =
  'Inbound webhook deliveries accepted and stored per second: POST /api/v2/triggers/inbound/{token} with an ' +
  'HMAC-SHA256 signature over the raw body (the HTTP API trigger HTTP_WEBHOOK), each verified and recorded as a ' +
  'trigger.fired event with its instance update in one transaction, 10 at a time; on SQLite and, when reachable, PostgreSQL.'

const CONCURRENCY = 10

/** Activates HTTP_WEBHOOK on a fresh HTTP API connection; answers the inbound URL and the generated secret. */
async function activate(ctx: BenchContext, hubUrl: string, label: string): Promise<{ url: string; secret: string }> {
  const conn = await callHub(hubUrl, ctx.apiKey, 'POST', '/api/v2/execute/http-api', {
    name: `bench inbound ${label}`,
    authScheme: 'BEARER_TOKEN',
    data: { base_url: 'https://api.example.com', token: 'tok-bench-inbound' },
  })
  const id = conn?.data?.id as string | undefined
  if (!id) throw new Error(`connect on ${label} answered ${JSON.stringify(conn).slice(0, 500)}`)
  const t = await callHub(hubUrl, ctx.apiKey, 'POST', `/api/v2/connections/${id}/triggers`, { slug: 'HTTP_WEBHOOK', config: {} })
  if (!t?.webhookUrl || !t?.secret) throw new Error(`activation on ${label} answered ${JSON.stringify(t).slice(0, 300)}`)
  return { url: t.webhookUrl as string, secret: t.secret as string }
}

async function measureInbound(ctx: BenchContext, hubUrl: string, label: string): Promise<{ samples: number[]; p50: number[]; p99: number[]; connects: number[] }> {
  const { url, secret } = await activate(ctx, hubUrl, label)
  const body = JSON.stringify({ event: 'order.created', order: { id: 'o_1', total: 4200, items: [{ sku: 'A', qty: 2 }] } })
  const signature = `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`
  const target = {
    url,
    method: 'POST' as const,
    headers: { 'content-type': 'application/json', 'x-hub-signature-256': signature },
    body,
    verify: (b: string) => b.includes('"fired":1'),
    connections: CONCURRENCY,
  }
  const warm = await runLoad({ ...target, durationS: ctx.options.warmupS })
  assertClean(`inbound warm-up (${label})`, warm)
  // The baseline, in the same rounds: API_KEY connects (a sealed secret and one INSERT per request).
  const connect = {
    url: `${hubUrl}/api/v2/execute/${encodeURIComponent(ECHO_PATH)}`,
    method: 'POST' as const,
    headers: { 'x-api-key': ctx.apiKey, 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'bench inbound [<id>]', authScheme: 'API_KEY', data: { api_key: ECHO_API_KEY } }),
    idReplacement: true,
    verify: (b: string) => b.includes('"status":"SUCCESS"'),
    connections: CONCURRENCY,
  }
  const samples: number[] = []
  const p50: number[] = []
  const p99: number[] = []
  const connects: number[] = []
  for (let r = 0; r < ctx.options.rounds; r++) {
    const res = await runLoad({ ...target, durationS: ctx.options.durationS })
    assertClean(`inbound (${label})`, res)
    const base = await runLoad({ ...connect, durationS: ctx.options.durationS })
    assertClean(`connects baseline (${label})`, base)
    samples.push(res.rps)
    p50.push(res.p50Ms)
    p99.push(res.p99Ms)
    connects.push(base.rps)
    ctx.progress(
      `${label} round ${r + 1}/${ctx.options.rounds}: ${Math.round(res.rps)} events/s (p50 ${res.p50Ms.toFixed(2)} ms, p99 ${res.p99Ms.toFixed(2)} ms); baseline ${Math.round(base.rps)} connects/s`,
    )
  }
  return { samples, p50, p99, connects }
}

function metricsOf(label: string, m: { samples: number[]; p50: number[]; p99: number[]; connects: number[] }): Metric[] {
  return [
    measured({ name: `inbound events/s, ${label}, c=10`, unit: 'events/s', samples: m.samples, baseline: { label: 'API_KEY connects/s, same hub', samples: m.connects } }),
    measured({ name: `inbound accept p50, ${label}`, unit: 'ms', samples: m.p50 }),
    measured({ name: `inbound accept p99, ${label}`, unit: 'ms', samples: m.p99 }),
  ]
}

/** Scenario 8: inbound webhook events accepted and stored per second, SQLite and PostgreSQL. */
export async function runInboundWebhooks(ctx: BenchContext): Promise<{ metrics: Metric[]; details: Record<string, unknown> }> {
  const details: Record<string, unknown> = { concurrency: CONCURRENCY }
  const metrics: Metric[] = []
  const sqliteHub = await startBenchHub(ctx, 'inbound-sqlite')
  try {
    metrics.push(...metricsOf('SQLite', await measureInbound(ctx, sqliteHub.url, 'SQLite')))
  } finally {
    await sqliteHub.stop()
  }
  const pgName = 'inbound events/s, PostgreSQL, c=10'
  const adminUrl = ctx.options.postgresUrl
  const unreachable = adminUrl === undefined ? 'skipped with --no-postgres' : await probePostgres(adminUrl)
  if (unreachable !== undefined || adminUrl === undefined) {
    metrics.push(notAvailable(pgName, 'events/s', unreachable ?? 'no PostgreSQL'))
    return { metrics, details }
  }
  const db = await createTempDatabase(adminUrl)
  try {
    const pgHub = await startBenchHub(ctx, 'inbound-postgres', { databaseUrl: db.url })
    try {
      metrics.push(...metricsOf('PostgreSQL', await measureInbound(ctx, pgHub.url, 'PostgreSQL')))
    } catch (err) {
      metrics.push({ ...notAvailable(pgName, 'events/s', ''), status: 'failed', reason: `${(err as Error).message}\n${pgHub.output().slice(-2_000)}` })
    } finally {
      await pgHub.stop()
    }
  } finally {
    await db.drop()
  }
  return { metrics, details }
}
