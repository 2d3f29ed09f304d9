import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client'

/**
 * The registry every Patchbay metric lives in (one per process: Prometheus scrapes a process).
 * `GET /metrics` renders it; nothing else reads it.
 */
export const metricsRegistry = new Registry()

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

function poolGauge(name: string, help: string, pick: (s: PoolStats) => number): Gauge {
  return new Gauge({
    name,
    help,
    registers: [metricsRegistry],
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
}

/**
 * Every counter and histogram of the hub, for any room to increment. Labels are bounded sets
 * only (integration ids of the catalog, scheme names, error codes, result words): never a
 * connection, tenant, end user or URL, which would grow without limit.
 */
export const metrics = {
  /** Action runs by integration and status (`success` or the error code). */
  runs: new Counter({
    name: 'patchbay_runs_total',
    help: 'Action runs, by integration and status (success or the Patchbay error code)',
    labelNames: ['integration', 'status'] as const,
    registers: [metricsRegistry],
  }),
  /** How long a run took, from input validation to the answer read. */
  runDuration: new Histogram({
    name: 'patchbay_run_duration_seconds',
    help: 'Duration of action runs (validation, auth, the service call and reading its answer), by integration',
    labelNames: ['integration'] as const,
    buckets: DURATION_BUCKETS,
    registers: [metricsRegistry],
  }),
  /** How long the service took to answer (until its response headers), by integration. */
  upstreamDuration: new Histogram({
    name: 'patchbay_upstream_duration_seconds',
    help: "Time until the service's response headers, by integration",
    labelNames: ['integration'] as const,
    buckets: DURATION_BUCKETS,
    registers: [metricsRegistry],
  }),
  /** OAuth 2 token refreshes by integration and result (`ok`, `expired`, `error`). */
  oauthRefreshes: new Counter({
    name: 'patchbay_oauth_refreshes_total',
    help: 'OAuth 2 token refreshes, by integration and result (ok, expired: the grant was refused, error: the token endpoint failed)',
    labelNames: ['integration', 'result'] as const,
    registers: [metricsRegistry],
  }),
  /** Token endpoint answers that were not a usable token, by integration and grant. */
  tokenEndpointErrors: new Counter({
    name: 'patchbay_token_endpoint_errors_total',
    help: 'Token endpoint calls that failed (unreachable, an error answer or an invalid token response), by integration and grant',
    labelNames: ['integration', 'grant'] as const,
    registers: [metricsRegistry],
  }),
  /** Connects (new connections and reconnects) by integration, scheme and result. */
  connects: new Counter({
    name: 'patchbay_connects_total',
    help: 'Connects and reconnects, by integration, auth scheme and result (active, pending: waiting for the OAuth callback, error)',
    labelNames: ['integration', 'scheme', 'result'] as const,
    registers: [metricsRegistry],
  }),
  /** Webhook deliveries attempted, by event type and result (`ok`, `failed`). */
  webhookDeliveries: new Counter({
    name: 'patchbay_webhook_deliveries_total',
    help: 'Webhook deliveries attempted, by event type and result (ok, failed)',
    labelNames: ['event', 'result'] as const,
    registers: [metricsRegistry],
  }),
  /** Webhook deliveries given up after their last retry, by event type. */
  webhookFailures: new Counter({
    name: 'patchbay_webhook_failures_total',
    help: 'Webhook deliveries abandoned after the last retry, by event type',
    labelNames: ['event'] as const,
    registers: [metricsRegistry],
  }),
  /** PostgreSQL pool connections open. */
  dbPoolSize: poolGauge('patchbay_db_pool_connections', 'PostgreSQL pool connections open (idle or in use)', (s) => s.total),
  /** PostgreSQL pool connections idle. */
  dbPoolIdle: poolGauge('patchbay_db_pool_idle', 'PostgreSQL pool connections idle', (s) => s.idle),
  /** Queries waiting for a PostgreSQL connection. */
  dbPoolWaiting: poolGauge('patchbay_db_pool_waiting', 'Queries waiting for a PostgreSQL pool connection', (s) => s.waiting),
}

let processMetrics = false

/** Adds Node's process metrics (CPU, memory, event loop lag, handles) once, when /metrics is enabled. */
export function enableProcessMetrics(): void {
  if (processMetrics) return
  processMetrics = true
  collectDefaultMetrics({ register: metricsRegistry, prefix: 'patchbay_' })
}

/**
 * The `integration` label: the catalog id, or `tenant` for every integration a tenant registered
 * at run time (their ids are unbounded). `source` is `Integration.source`.
 */
export function integrationLabel(integration: { readonly source: string; readonly definition: { readonly id: string } }): string {
  return integration.source === 'tenant' ? 'tenant' : integration.definition.id
}
