import { performance } from 'node:perf_hooks'
import autocannon from 'autocannon'
import { percentile } from './stats.js'

/** One load run: a fixed request sent over `connections` keep-alive connections for `durationS`. */
export interface LoadConfig {
  url: string
  method?: 'GET' | 'POST'
  headers?: Record<string, string>
  body?: string
  /** Concurrent keep-alive connections, one request in flight on each. */
  connections: number
  durationS: number
  /** Replace `[<id>]` in the body with a unique id per request (e.g. unique connection names). */
  idReplacement?: boolean
  /** A response body counts as a success only when this returns true. */
  verify?: (body: string) => boolean
}

/** What one load run measured. Latencies are exact (not autocannon's whole-millisecond histogram). */
export interface LoadResult {
  /** Successful (2xx, verified) responses. */
  ok: number
  /** Successful responses per second of wall time. */
  rps: number
  p50Ms: number
  p90Ms: number
  p99Ms: number
  meanMs: number
  /** Connection errors and timeouts, non-2xx answers, and bodies `verify` rejected. */
  errors: number
  non2xx: number
  mismatches: number
}

/**
 * Runs autocannon and records every response time itself: autocannon's histogram has 1 ms
 * resolution, too coarse for a sub-millisecond overhead target, while its `response` event carries
 * the exact duration (hrtime) of each request.
 */
export async function runLoad(config: LoadConfig): Promise<LoadResult> {
  const latencies: number[] = []
  const started = performance.now()
  let finished!: (r: autocannon.Result) => void
  let failed!: (err: unknown) => void
  const done = new Promise<autocannon.Result>((resolve, reject) => {
    finished = resolve
    failed = reject
  })
  // The callback form returns the event-emitting instance (the promise form's typings do not
  // expose `on`); the promise above settles when the run ends.
  const instance = autocannon(
    {
      url: config.url,
      method: config.method ?? 'GET',
      headers: config.headers ?? {},
      ...(config.body !== undefined ? { body: config.body } : {}),
      connections: config.connections,
      pipelining: 1,
      duration: config.durationS,
      // Checked every sampleInt ms: a short interval lets sub-second runs stop on time.
      sampleInt: 100,
      timeout: 10,
      idReplacement: config.idReplacement ?? false,
      ...(config.verify ? { verifyBody: config.verify } : {}),
    } as autocannon.Options,
    (err: unknown, result: autocannon.Result) => (err ? failed(err) : finished(result)),
  )
  instance.on('response', (_client, statusCode, _bytes, responseTime) => {
    if (statusCode >= 200 && statusCode < 300) latencies.push(responseTime)
  })
  const result = await done
  const elapsedS = (performance.now() - started) / 1000
  latencies.sort((a, b) => a - b)
  const ok = Math.max(0, latencies.length - result.mismatches)
  return {
    ok,
    rps: ok / elapsedS,
    p50Ms: percentile(latencies, 50),
    p90Ms: percentile(latencies, 90),
    p99Ms: percentile(latencies, 99),
    meanMs: latencies.length ? latencies.reduce((a, b) => a + b, 0) / latencies.length : Number.NaN,
    errors: result.errors + result.timeouts,
    non2xx: result.non2xx,
    mismatches: result.mismatches,
  }
}

/** Fails loudly when a run had errors: a fast wrong answer must not pass for a fast right one. */
export function assertClean(what: string, r: LoadResult): void {
  if (r.ok === 0 || r.errors > 0 || r.non2xx > 0 || r.mismatches > 0) {
    throw new Error(`${what}: ${r.ok} ok, ${r.errors} errors, ${r.non2xx} non-2xx, ${r.mismatches} unexpected bodies`)
  }
}
