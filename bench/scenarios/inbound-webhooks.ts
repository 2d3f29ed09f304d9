import { ECHO_API_KEY, ECHO_PATH } from '../catalog.js'
import { callHub, type BenchContext } from '../context.js'
import { assertClean, runLoad } from '../load.js'
import type { ChildHandle } from '../processes.js'
import { measured, type Metric } from '../report.js'
import { percentile } from '../stats.js'
import { connectHttpApi, onSqliteAndPostgres, sign, startReceiver, subscribe, until } from '../trigger-bench.js'

/** What scenario 10 measures. */
export const MEASURES =
  'Inbound webhooks: deliveries accepted and stored per second, POST /api/v2/triggers/inbound/{token} with an ' +
  'HMAC-SHA256 signature over the raw body (the HTTP API trigger HTTP_WEBHOOK), each verified and recorded as a ' +
  'trigger.fired event with its instance update in one transaction, 10 at a time, with API_KEY connects as the ' +
  "baseline in the same rounds; and the time from sending one delivery to its trigger.fired arriving at the tenant's " +
  'webhook receiver (one in flight at a time); on SQLite and, when reachable, PostgreSQL.'

const CONCURRENCY = 10

/** Activates HTTP_WEBHOOK on a fresh HTTP API connection; answers the inbound URL and the generated secret. */
async function activate(ctx: BenchContext, hubUrl: string, db: string): Promise<{ url: string; secret: string }> {
  const id = await connectHttpApi(ctx, hubUrl, `bench inbound ${db}`)
  const t = await callHub(hubUrl, ctx.apiKey, 'POST', `/api/v2/connections/${id}/triggers`, { slug: 'HTTP_WEBHOOK', config: {} })
  if (!t?.webhookUrl || !t?.secret) throw new Error(`activation on ${db} answered ${JSON.stringify(t).slice(0, 300)}`)
  // The hub names its public URL; the bench reaches it where it listens.
  return { url: String(t.webhookUrl).replace(/^https?:\/\/[^/]+/, hubUrl), secret: t.secret as string }
}

/** Accepted per second, 10 at a time, paired round by round with API_KEY connects on the same hub. */
async function throughput(ctx: BenchContext, hubUrl: string, inbound: { url: string; secret: string }, db: string) {
  const body = JSON.stringify({ event: 'order.created', order: { id: 'o_1', total: 4200, items: [{ sku: 'A', qty: 2 }] } })
  const target = {
    url: inbound.url,
    method: 'POST' as const,
    headers: { 'content-type': 'application/json', 'x-hub-signature-256': sign(inbound.secret, body) },
    body,
    verify: (b: string) => b.includes('"fired":1'),
    connections: CONCURRENCY,
  }
  const warm = await runLoad({ ...target, durationS: ctx.options.warmupS })
  assertClean(`inbound warm-up (${db})`, warm)
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
  const m = { samples: [] as number[], p50: [] as number[], p99: [] as number[], connects: [] as number[] }
  for (let r = 0; r < ctx.options.rounds; r++) {
    const res = await runLoad({ ...target, durationS: ctx.options.durationS })
    assertClean(`inbound (${db})`, res)
    const base = await runLoad({ ...connect, durationS: ctx.options.durationS })
    assertClean(`connects baseline (${db})`, base)
    m.samples.push(res.rps)
    m.p50.push(res.p50Ms)
    m.p99.push(res.p99Ms)
    m.connects.push(base.rps)
    ctx.progress(
      `${db} round ${r + 1}/${ctx.options.rounds}: ${Math.round(res.rps)} events/s (p50 ${res.p50Ms.toFixed(2)} ms, p99 ${res.p99Ms.toFixed(2)} ms); baseline ${Math.round(base.rps)} connects/s`,
    )
  }
  return m
}

/** Receipt → the tenant's receiver, one delivery at a time (the receiver subscribes after the load, so none of the load's events is delivered). */
async function receiptToReceiver(ctx: BenchContext, hubUrl: string, inbound: { url: string; secret: string }): Promise<number[]> {
  const receiver = await startReceiver()
  try {
    await subscribe(ctx, hubUrl, receiver)
    const ms: number[] = []
    const n = ctx.options.quick ? 10 : 40
    for (let i = 0; i < n; i++) {
      const one = JSON.stringify({ kind: 'latency', n: i })
      const sent = Date.now()
      const res = await fetch(inbound.url, { method: 'POST', headers: { 'content-type': 'application/json', 'x-hub-signature-256': sign(inbound.secret, one) }, body: one })
      await res.arrayBuffer()
      if (res.status >= 300) throw new Error(`inbound webhook answered ${res.status}`)
      const mine = () => receiver.arrivals.find((a) => a.body?.data?.payload?.kind === 'latency' && a.body?.data?.payload?.n === i)
      await until(`delivery of inbound event ${i}`, () => mine() !== undefined, 30_000)
      ms.push((mine() as { at: number }).at - sent)
    }
    return ms.sort((a, b) => a - b)
  } finally {
    await receiver.close()
  }
}

async function measureOn(ctx: BenchContext, hub: ChildHandle, db: string): Promise<Metric[]> {
  const inbound = await activate(ctx, hub.url, db)
  const m = await throughput(ctx, hub.url, inbound, db)
  const latency = await receiptToReceiver(ctx, hub.url, inbound)
  return [
    measured({ name: `inbound events/s (c=10), ${db}`, unit: 'events/s', samples: m.samples, baseline: { label: 'API_KEY connects/s, same hub', samples: m.connects } }),
    measured({ name: `inbound accept p50, ${db}`, unit: 'ms', samples: m.p50 }),
    measured({ name: `inbound accept p99, ${db}`, unit: 'ms', samples: m.p99 }),
    measured({ name: `inbound receipt → receiver p50, ${db}`, unit: 'ms', samples: [percentile(latency, 50)] }),
    measured({ name: `inbound receipt → receiver p99, ${db}`, unit: 'ms', samples: [percentile(latency, 99)] }),
  ]
}

/** Scenario 10: inbound webhook deliveries accepted and stored per second, and their delivery latency, SQLite and PostgreSQL. */
export async function runInboundWebhooks(ctx: BenchContext): Promise<{ metrics: Metric[]; details: Record<string, unknown> }> {
  const metrics = await onSqliteAndPostgres(
    ctx,
    'inbound',
    [
      ['inbound events/s (c=10)', 'events/s'],
      ['inbound accept p50', 'ms'],
      ['inbound accept p99', 'ms'],
      ['inbound receipt → receiver p50', 'ms'],
      ['inbound receipt → receiver p99', 'ms'],
    ],
    (hub, db) => measureOn(ctx, hub, db),
  )
  return { metrics, details: { concurrency: CONCURRENCY } }
}
