import { createHmac } from 'node:crypto'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { callHub, startBenchHub, type BenchContext } from './context.js'
import { createTempDatabase, probePostgres } from './postgres.js'
import type { ChildHandle } from './processes.js'
import { notAvailable, type Metric } from './report.js'

/**
 * What scenarios 9 (schedules) and 10 (inbound webhooks) share: a hub per database, a tenant
 * webhook receiver in the bench process, an HTTP API connection, and waiting for deliveries.
 */

/** A tenant webhook receiver in the bench process: the arrival time of every delivery, by its body. */
export interface Receiver {
  url: string
  arrivals: Array<{ at: number; body: any }>
  close(): Promise<void>
}

/** Starts a {@link Receiver} on 127.0.0.1 that answers 204 to every delivery. */
export async function startReceiver(): Promise<Receiver> {
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

/** Subscribes the receiver to the tenant's `trigger.fired` events. */
export async function subscribe(ctx: BenchContext, hubUrl: string, receiver: Receiver): Promise<void> {
  await callHub(hubUrl, ctx.apiKey, 'PUT', '/api/v2/webhooks', { url: receiver.url, events: ['trigger.fired'] })
}

/** Connects the HTTP API to the bench's stand-in service (no auth); answers the connection id. */
export async function connectHttpApi(ctx: BenchContext, hubUrl: string, name: string): Promise<string> {
  const conn = await callHub(hubUrl, ctx.apiKey, 'POST', '/api/v2/execute/http-api', { name, authScheme: 'NO_AUTH', data: { base_url: ctx.upstream.url } })
  const id = conn?.data?.id as string | undefined
  if (!id) throw new Error(`connecting the HTTP API answered ${JSON.stringify(conn).slice(0, 500)}`)
  return id
}

/** `sha256=<hex>` HMAC of a body, as HTTP_WEBHOOK checks it in `x-hub-signature-256`. */
export const sign = (secret: string, body: string) => `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`

/** Waits until `ok()`, checking every 25 ms. @throws after `timeoutMs`. */
export async function until(what: string, ok: () => boolean, timeoutMs: number): Promise<void> {
  const end = Date.now() + timeoutMs
  while (!ok()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 25))
  }
}

/** A hub that may reach 127.0.0.1 (the receiver, the stand-in service); its other settings are the defaults, as in the other scenarios. */
const HUB_ENV = { PATCHBAY_ALLOW_PRIVATE_NETWORK: 'true' }

/**
 * Runs `measure` on a hub over SQLite, then on one over a temporary PostgreSQL database. Without
 * PostgreSQL, `pgMetrics` (name, unit) are reported n/a with the reason; a failure there is
 * reported on the first of them with the hub's last output, so SQLite's numbers survive it.
 */
export async function onSqliteAndPostgres(
  ctx: BenchContext,
  key: string,
  pgMetrics: Array<[name: string, unit: string]>,
  measure: (hub: ChildHandle, db: 'SQLite' | 'PostgreSQL') => Promise<Metric[]>,
): Promise<Metric[]> {
  const metrics: Metric[] = []
  const sqlite = await startBenchHub(ctx, `${key}-sqlite`, { env: HUB_ENV })
  try {
    metrics.push(...(await measure(sqlite, 'SQLite')))
  } finally {
    await sqlite.stop()
  }
  const adminUrl = ctx.options.postgresUrl
  const unreachable = adminUrl === undefined ? 'skipped with --no-postgres' : await probePostgres(adminUrl)
  if (unreachable !== undefined || adminUrl === undefined) {
    for (const [name, unit] of pgMetrics) metrics.push(notAvailable(`${name}, PostgreSQL`, unit, unreachable ?? 'no PostgreSQL'))
    return metrics
  }
  const db = await createTempDatabase(adminUrl)
  try {
    const pg = await startBenchHub(ctx, `${key}-postgres`, { databaseUrl: db.url, env: HUB_ENV })
    try {
      metrics.push(...(await measure(pg, 'PostgreSQL')))
    } catch (err) {
      const [name, unit] = pgMetrics[0] ?? ['PostgreSQL', '']
      metrics.push({ ...notAvailable(`${name}, PostgreSQL`, unit, ''), status: 'failed', reason: `${(err as Error).message}\n${pg.output().slice(-2_000)}` })
    } finally {
      await pg.stop()
    }
  } finally {
    await db.drop()
  }
  return metrics
}
