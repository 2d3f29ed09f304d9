import { createRequire } from 'node:module'
import type * as PromClient from 'prom-client'

/**
 * The metrics of a process, recorded only once a hub serves them: `GET /metrics` exists only with
 * `PATCHBAY_METRICS_TOKEN`, and until {@link enableMetrics} is called (by that route) every
 * counter and histogram below is a no-op and `prom-client` is not even loaded (about 30 files
 * and 10 MB resident, with the OpenTelemetry API it requires: docs/performance.md, cold start).
 * Counters therefore start at the moment metrics are enabled, which for a hub is its start.
 */
let registry: PromClient.Registry | undefined
/** Each metric's maker, run when metrics are enabled. */
const makers: Array<(c: typeof PromClient, r: PromClient.Registry) => void> = []

/** A counter that counts once metrics are enabled (see {@link enableMetrics}). */
export class LazyCounter<L extends string> {
  #real: PromClient.Counter<L> | undefined

  constructor(config: { name: string; help: string; labelNames: readonly L[] }) {
    makers.push((c, r) => {
      this.#real = new c.Counter({ ...config, registers: [r] })
    })
  }

  /** Adds one for these labels (nothing before metrics are enabled). */
  inc(labels: PromClient.LabelValues<L>): void {
    this.#real?.inc(labels)
  }
}

/** A histogram that records once metrics are enabled (see {@link enableMetrics}). */
export class LazyHistogram<L extends string> {
  #real: PromClient.Histogram<L> | undefined

  constructor(config: { name: string; help: string; labelNames: readonly L[]; buckets: number[] }) {
    makers.push((c, r) => {
      this.#real = new c.Histogram({ ...config, registers: [r] })
    })
  }

  /** Records one value for these labels (nothing before metrics are enabled). */
  observe(labels: PromClient.LabelValues<L>, value: number): void {
    this.#real?.observe(labels, value)
  }
}

/** Seconds buckets for runs and upstream calls: 5 ms to 60 s. */
const DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60]

/** What a database pool reports to the `patchbay_db_pool_*` gauges. */
export interface PoolStats {
  /** Connections open (idle or in use). */
  total: number
  /** Connections open and idle. */
  idle: number
  /** Queries waiting for a connection. */
  waiting: number
}

/** Pools currently open in this process (one per PostgreSQL store); summed by the gauges. */
const pools = new Set<() => PoolStats | undefined>()

/** Adds a pool's stats to the `patchbay_db_pool_*` gauges until `stats` answers undefined (the pool ended). */
export function watchPool(stats: () => PoolStats | undefined): void {
  pools.add(stats)
}

function poolGauge(name: string, help: string, pick: (s: PoolStats) => number): void {
  makers.push((c, r) => {
    new c.Gauge({
      name,
      help,
      registers: [r],
      collect() {
        let n = 0
        for (const stats of pools) {
          const s = stats()
          // A pool that has ended leaves the set.
          if (s) n += pick(s)
          else pools.delete(stats)
        }
        this.set(n)
      },
    })
  })
}

/**
 * Every counter and histogram of the hub, for any room to increment. Labels are bounded sets
 * only (integration ids of the catalog, scheme names, error codes, result words): never a
 * connection, tenant, end user or URL, which would grow without limit.
 */
export const metrics = {
  /** Action runs by integration and status (`success` or the error code). */
  runs: new LazyCounter({
    name: 'patchbay_runs_total',
    help: 'Action runs, by integration and status (success or the Patchbay error code)',
    labelNames: ['integration', 'status'] as const,
  }),
  /** How long a run took, from input validation to the answer read. */
  runDuration: new LazyHistogram({
    name: 'patchbay_run_duration_seconds',
    help: 'Duration of action runs (validation, auth, the service call and reading its answer), by integration',
    labelNames: ['integration'] as const,
    buckets: DURATION_BUCKETS,
  }),
  /** How long the service took to answer (until its response headers), by integration. */
  upstreamDuration: new LazyHistogram({
    name: 'patchbay_upstream_duration_seconds',
    help: "Time until the service's whole response was read, by integration",
    labelNames: ['integration'] as const,
    buckets: DURATION_BUCKETS,
  }),
  /** Requests to the action-run route, by who answered: the fast lane (`served`) or Fastify (`handed_over`). */
  fastLane: new LazyCounter({
    name: 'patchbay_http_fast_lane_total',
    help: 'Requests to POST /api/v2/execute/{id} that could take the fast lane: served by it (served) or handed to the full HTTP stack (handed_over: an unknown key, a missing scope, a blocked address)',
    labelNames: ['outcome'] as const,
  }),
  /** OAuth 2 token refreshes by integration and result (`ok`, `expired`, `error`). */
  oauthRefreshes: new LazyCounter({
    name: 'patchbay_oauth_refreshes_total',
    help: 'OAuth 2 token refreshes, by integration and result (ok, expired: the grant was refused, error: the token endpoint failed)',
    labelNames: ['integration', 'result'] as const,
  }),
  /** Token endpoint answers that were not a usable token, by integration and grant. */
  tokenEndpointErrors: new LazyCounter({
    name: 'patchbay_token_endpoint_errors_total',
    help: 'Token endpoint calls that failed (unreachable, an error answer or an invalid token response), by integration and grant',
    labelNames: ['integration', 'grant'] as const,
  }),
  /** Connects (new connections and reconnects) by integration, scheme and result. */
  connects: new LazyCounter({
    name: 'patchbay_connects_total',
    help: 'Connects and reconnects, by integration, auth scheme and result (active, pending: waiting for the OAuth callback, error)',
    labelNames: ['integration', 'scheme', 'result'] as const,
  }),
  /** Webhook deliveries attempted, by event type and result (`ok`, `failed`). */
  webhookDeliveries: new LazyCounter({
    name: 'patchbay_webhook_deliveries_total',
    help: 'Webhook deliveries attempted, by event type and result (ok, failed)',
    labelNames: ['event', 'result'] as const,
  }),
  /** Webhook deliveries given up after their last retry, by event type. */
  webhookFailures: new LazyCounter({
    name: 'patchbay_webhook_failures_total',
    help: 'Webhook deliveries abandoned after the last retry, by event type',
    labelNames: ['event'] as const,
  }),
}

// The pool gauges: read from the pools' stats when scraped.
poolGauge('patchbay_db_pool_connections', 'PostgreSQL pool connections open (idle or in use)', (s) => s.total)
poolGauge('patchbay_db_pool_idle', 'PostgreSQL pool connections idle', (s) => s.idle)
poolGauge('patchbay_db_pool_waiting', 'Queries waiting for a PostgreSQL pool connection', (s) => s.waiting)

/**
 * Loads `prom-client`, makes every metric above, adds Node's process metrics (CPU, memory, event
 * loop lag, handles), and returns the registry `GET /metrics` renders. Called when a hub serves
 * `/metrics`; later calls return the same registry (one per process: Prometheus scrapes a process).
 */
export function enableMetrics(): PromClient.Registry {
  if (registry) return registry
  const client = createRequire(import.meta.url)('prom-client') as typeof PromClient
  const r = new client.Registry()
  for (const make of makers) make(client, r)
  client.collectDefaultMetrics({ register: r, prefix: 'patchbay_' })
  registry = r
  return r
}

/** Whether {@link enableMetrics} has run: hot paths skip what only feeds the metrics when not. */
export function metricsEnabled(): boolean {
  return registry !== undefined
}

/**
 * The `integration` label: the catalog id, or `tenant` for every integration a tenant registered
 * at run time (their ids are unbounded). `source` is `Integration.source`.
 */
export function integrationLabel(integration: { readonly source: string; readonly definition: { readonly id: string } }): string {
  return integration.source === 'tenant' ? 'tenant' : integration.definition.id
}
