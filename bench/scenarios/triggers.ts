import { createHmac } from 'node:crypto'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { startBenchHub, type BenchContext } from '../context.js'
import { assertClean, runLoad } from '../load.js'
import { createTempDatabase, probePostgres } from '../postgres.js'
import type { ChildHandle } from '../processes.js'
import { measured, notAvailable, type Metric } from '../report.js'
import { percentile } from '../stats.js'

/** What scenario 9 measures. */
export const MEASURES =
  "Triggers: inbound webhook events (the HTTP API integration's HTTP_WEBHOOK, HMAC-SHA256 signed) accepted and " +
  'stored per second by one hub process, 10 concurrent keep-alive senders, on SQLite and on PostgreSQL; p50/p99 ' +
  "from sending an inbound event to its trigger.fired delivery at the tenant's webhook receiver (one event in " +
  'flight at a time); and schedule firing lateness: 50 aiXplain once-triggers (POST /v1/triggers) due at one ' +
  'instant, from the due time to the timestamp of their trigger.fired event (in-process engine on SQLite, pg-boss ' +
  'on PostgreSQL).'

/** A tenant webhook receiver in the bench process: the arrival time of every delivery, by its body. */
interface Receiver {
  url: string
  arrivals: Array<{ at: number; body: any }>
  close(): Promise<void>
}

async function startReceiver(): Promise<Receiver> {
  const arrivals: Receiver['arrivals'] = []
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      const at = Date.now()
      try {
        arrivals.push({ at, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) })
      } catch {
        arrivals.push({ at, body: undefined })
      }
      res.statusCode = 204
      res.end()
    })
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  const { port } = server.address() as AddressInfo
  return { url: `http://127.0.0.1:${port}/hook`, arrivals, close: () => new Promise((r) => server.close(() => r())) }
}

async function api(hubUrl: string, apiKey: string, method: string, path: string, body?: unknown): Promise<{ status: number; body: any }> {
  const res = await fetch(`${hubUrl}${path}`, {
    method,
    headers: { 'x-api-key': apiKey, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  })
  const text = await res.text()
  let parsed: unknown
  try {
    parsed = JSON.parse(text)
  } catch {
    parsed = text
  }
  return { status: res.status, body: parsed }
}

const sign = (secret: string, body: string) => `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`

async function until(what: string, ok: () => boolean, timeoutMs: number): Promise<void> {
  const end = Date.now() + timeoutMs
  while (!ok()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 25))
  }
}

interface DbResult {
  acceptedPerS: number[]
  /** `GET /health` per second at the same concurrency, paired round by round: what this machine gives a trivial route right now. */
  healthPerS: number[]
  receiptToReceiverMs: number[]
  latenessMs: number[]
}

/** One database: a hub, an HTTP API connection with an inbound webhook trigger, then the three measurements. */
async function measureOn(ctx: BenchContext, label: string, databaseUrl: string | undefined): Promise<DbResult> {
  const receiver = await startReceiver()
  let hub: ChildHandle | undefined
  try {
    hub = await startBenchHub(ctx, `triggers-${label}`, { ...(databaseUrl ? { databaseUrl } : {}), env: { PATCHBAY_ALLOW_PRIVATE_NETWORK: 'true', PATCHBAY_LOG_LEVEL: 'warn' } })
    const url = hub.url
    const hook = await api(url, ctx.apiKey, 'PUT', '/api/v2/webhooks', { url: receiver.url, events: ['trigger.fired'] })
    if (hook.status >= 300) throw new Error(`PUT /api/v2/webhooks answered ${hook.status}: ${JSON.stringify(hook.body)}`)
    const conn = await api(url, ctx.apiKey, 'POST', '/api/v2/execute/http-api', { name: 'bench triggers', authScheme: 'NO_AUTH', data: { base_url: ctx.upstream.url } })
    const connectionId = conn.body?.data?.id as string | undefined
    if (!connectionId) throw new Error(`connecting the HTTP API answered ${conn.status}: ${JSON.stringify(conn.body)}`)
    const act = await api(url, ctx.apiKey, 'POST', `/api/v2/connections/${connectionId}/triggers`, { slug: 'HTTP_WEBHOOK', config: {} })
    if (act.status >= 300 || !act.body?.webhookUrl || !act.body?.secret) throw new Error(`activating HTTP_WEBHOOK answered ${act.status}: ${JSON.stringify(act.body)}`)
    const inbound = String(act.body.webhookUrl).replace(/^https?:\/\/[^/]+/, url)
    const secret = String(act.body.secret)

    // 1. Accepted and stored per second.
    const body = JSON.stringify({ kind: 'load', order: { id: 'o-1', total: 42 } })
    const target = { url: inbound, method: 'POST' as const, headers: { 'content-type': 'application/json', 'x-hub-signature-256': sign(secret, body) }, body }
    if (!ctx.options.quick) await runLoad({ ...target, connections: 10, durationS: Math.min(ctx.options.warmupS, 1) })
    const acceptedPerS: number[] = []
    const healthPerS: number[] = []
    const rounds = Math.min(ctx.options.rounds, 3)
    for (let r = 0; r < rounds; r++) {
      // At least 1.5 s even in quick mode: an inbound event is a write transaction, slower than quick mode's 0.4 s window allows to see.
      const res = await runLoad({ ...target, connections: 10, durationS: ctx.options.quick ? 1.5 : Math.max(Math.min(ctx.options.durationS, 3), 1.5) })
      assertClean(`inbound webhooks, ${label}`, res)
      acceptedPerS.push(res.rps)
      const health = await runLoad({ url: `${url}/health`, connections: 10, durationS: ctx.options.quick ? 1.5 : Math.max(Math.min(ctx.options.durationS, 3), 1.5) })
      // The baseline only gives context: a round where it got nothing through (a stalled machine) is left out.
      if (health.ok > 0 && health.errors === 0 && health.non2xx === 0) healthPerS.push(health.rps)
      ctx.progress(`inbound ${label} round ${r + 1}/${rounds}: ${Math.round(res.rps)}/s`)
    }
    // Let the outbox drain what the load queued before timing single events.
    const loadEvents = () => receiver.arrivals.filter((a) => a.body?.data?.payload?.kind === 'load').length
    let last = -1
    while (loadEvents() !== last) {
      last = loadEvents()
      await new Promise((r) => setTimeout(r, 1_500))
    }

    // 2. Receipt → the tenant's receiver, one event at a time.
    const receiptToReceiverMs: number[] = []
    const n = ctx.options.quick ? 10 : 40
    for (let i = 0; i < n; i++) {
      const one = JSON.stringify({ kind: 'latency', n: i })
      const sent = Date.now()
      const res = await fetch(inbound, { method: 'POST', headers: { 'content-type': 'application/json', 'x-hub-signature-256': sign(secret, one) }, body: one })
      await res.arrayBuffer()
      if (res.status >= 300) throw new Error(`inbound webhook answered ${res.status}`)
      await until(`delivery of inbound event ${i}`, () => receiver.arrivals.some((a) => a.body?.data?.payload?.n === i && a.body?.data?.payload?.kind === 'latency'), 30_000)
      const arrival = receiver.arrivals.find((a) => a.body?.data?.payload?.n === i && a.body?.data?.payload?.kind === 'latency') as { at: number }
      receiptToReceiverMs.push(arrival.at - sent)
    }

    // 3. Schedule lateness: 50 once-triggers due at one instant.
    const due = new Date(Math.ceil((Date.now() + 4_000) / 1000) * 1000)
    const count = 50
    for (let i = 0; i < count; i++) {
      const t = await api(url, ctx.apiKey, 'POST', '/v1/triggers', {
        name: `bench ${i}`,
        triggerType: 'time',
        assetType: 'agent',
        assetId: 'bench-agent',
        input: { i },
        configuration: { type: 'once', runAt: due.toISOString() },
      })
      if (t.status >= 300) throw new Error(`POST /v1/triggers answered ${t.status}: ${JSON.stringify(t.body)}`)
    }
    const fired = () => receiver.arrivals.filter((a) => a.body?.data?.cause?.type === 'schedule')
    await until(`${count} schedules to fire`, () => fired().length >= count, 120_000)
    const latenessMs = fired().map((a) => Date.parse(a.body.timestamp) - Date.parse(a.body.data.cause.scheduledAt))
    return { acceptedPerS, healthPerS, receiptToReceiverMs, latenessMs }
  } finally {
    await hub?.stop()
    await receiver.close()
  }
}

function pushMetrics(metrics: Metric[], db: string, r: DbResult): void {
  const sorted = (xs: number[]) => [...xs].sort((a, b) => a - b)
  const latency = sorted(r.receiptToReceiverMs)
  const late = sorted(r.latenessMs)
  metrics.push(
    measured({
      name: `inbound webhooks accepted+stored/s, ${db}`,
      unit: 'req/s',
      samples: r.acceptedPerS,
      ...(r.healthPerS.length > 0 ? { baseline: { label: 'GET /health, same hub and concurrency', samples: r.healthPerS } } : {}),
    }),
    measured({ name: `inbound receipt → receiver p50, ${db}`, unit: 'ms', samples: [percentile(latency, 50)] }),
    measured({ name: `inbound receipt → receiver p99, ${db}`, unit: 'ms', samples: [percentile(latency, 99)] }),
    measured({ name: `schedule lateness p50 (50 due at once), ${db}`, unit: 'ms', samples: [percentile(late, 50)] }),
    measured({ name: `schedule lateness p99 (50 due at once), ${db}`, unit: 'ms', samples: [percentile(late, 99)] }),
  )
}

/** Scenario 8: triggers on SQLite and on PostgreSQL. */
export async function runTriggers(ctx: BenchContext): Promise<{ metrics: Metric[]; details: Record<string, unknown> }> {
  const metrics: Metric[] = []
  const details: Record<string, unknown> = {}
  const sqlite = await measureOn(ctx, 'sqlite', undefined)
  pushMetrics(metrics, 'SQLite', sqlite)
  details['sqlite'] = sqlite
  const adminUrl = ctx.options.postgresUrl
  const unreachable = adminUrl === undefined ? 'skipped with --no-postgres' : await probePostgres(adminUrl)
  if (unreachable !== undefined || adminUrl === undefined) {
    for (const name of [
      'inbound webhooks accepted+stored/s',
      'inbound receipt → receiver p50',
      'inbound receipt → receiver p99',
      'schedule lateness p50 (50 due at once)',
      'schedule lateness p99 (50 due at once)',
    ]) {
      metrics.push(notAvailable(`${name}, PostgreSQL`, name.includes('/s') ? 'req/s' : 'ms', unreachable ?? 'no PostgreSQL'))
    }
    return { metrics, details }
  }
  const db = await createTempDatabase(adminUrl)
  try {
    const pg = await measureOn(ctx, 'postgres', db.url)
    pushMetrics(metrics, 'PostgreSQL', pg)
    details['postgres'] = pg
  } finally {
    await db.drop()
  }
  return { metrics, details }
}
