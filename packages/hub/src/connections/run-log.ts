import type { Logger } from 'pino'
import type { RunLogEntry, Store } from '../store/store.js'

/** One action run, as the execute path reports it. */
export interface RunRecord {
  tenantId: string
  connectionId: string
  endUserId?: string | null
  integrationId: string
  action: string
  status: 'SUCCESS' | 'FAILED'
  httpStatus?: number | undefined
  durationMs: number
  errorCode?: string | undefined
  errorMessage?: string | undefined
  keyId?: string | undefined
  /** Kept (as a bounded, redacted excerpt) only when the tenant opted in. */
  input?: unknown
  output?: unknown
}

/** Settings of {@link RunLog}. */
export interface RunLogOptions {
  /** Rows older than this are deleted (default 7 days). */
  maxAgeMs: number
  /** Rows kept per tenant (default 100,000). */
  maxRows: number
  /** Buffer flush interval, ms (default 100). */
  flushMs?: number
  /** Flush at once when this many rows wait (default 500). */
  batchRows?: number
  /** Rows held at most; beyond, the oldest are dropped and counted (default 10,000). */
  maxBuffered?: number
  /** Retention sweep interval, ms (default 60 s). */
  sweepMs?: number
}

const ERROR_CHARS = 500
/** How long a tenant's excerpt setting is used before it is read again, ms. */
const EXCERPT_SETTING_MS = 5_000
const EXCERPT_CHARS = 1_000
const SECRET_NAME = /pass(word)?|secret|token|authorization|api[-_]?key|cookie|credential|private/i

/** Masks what looks like a credential: bearer values, Patchbay keys, long opaque strings. */
export function scrubText(text: string, max: number): string {
  const out = text
    .replace(/\b(Bearer|Basic|Token)\s+[^\s"',;]+/gi, '$1 [REDACTED]')
    .replace(/\bpb_[A-Za-z0-9_-]+/g, '[REDACTED]')
    .replace(/[A-Za-z0-9+/_=-]{32,}/g, '[REDACTED]')
  return out.length > max ? `${out.slice(0, max)}…` : out
}

/** A bounded, redacted excerpt of a JSON value: fields named like secrets are masked. */
export function excerptOf(value: unknown): string | null {
  if (value === undefined) return null
  let text: string
  try {
    text = JSON.stringify(value, (k, v: unknown) => (k && SECRET_NAME.test(k) ? '[REDACTED]' : v)) ?? 'null'
  } catch {
    return null
  }
  return scrubText(text, EXCERPT_CHARS)
}

let lastMs = 0
let seq = 0
/** A time-ordered id: 9 base-36 digits of ms, a 4-digit sequence, 8 random hex. */
function runLogId(now: number): string {
  if (now === lastMs) seq++
  else {
    lastMs = now
    seq = 0
  }
  return `${now.toString(36).padStart(9, '0')}${seq.toString(36).padStart(4, '0')}${Math.floor(Math.random() * 0xffffffff)
    .toString(16)
    .padStart(8, '0')}`
}

/**
 * The log of every action run, written off the hot path: {@link record} only pushes to a bounded
 * in-process buffer, flushed in one batch every ~100 ms (or at once past `batchRows`) and on
 * {@link close}. Retention (age, then rows per tenant) runs after a flush at most once per
 * `sweepMs`. A failed write is logged and its rows dropped, never retried into unbounded memory.
 */
export class RunLog {
  readonly #store: Store
  readonly #log: Logger
  readonly #opts: Required<RunLogOptions>
  #buffer: { at: number; r: RunRecord }[] = []
  #timer: NodeJS.Timeout | undefined
  #flushing: Promise<void> = Promise.resolve()
  #lastSweep = Date.now()
  readonly #touched = new Set<string>()
  readonly #excerpts = new Map<string, { on: boolean; at: number }>()
  /** Rows dropped because the buffer was full or a write failed. */
  dropped = 0

  constructor(store: Store, logger: Logger, options: RunLogOptions) {
    this.#store = store
    this.#log = logger
    // 500 rows: a commit costs about as much as writing 30 rows, so larger batches cost less per row
    // (18 µs a row in batches of 34, 7.7 in batches of 200 on this machine; docs/performance.md).
    this.#opts = { flushMs: 100, batchRows: 500, maxBuffered: 10_000, sweepMs: 60_000, ...options }
  }

  /**
   * Queues one run; costs an array push. The log takes `r` over: when the tenant is known to keep
   * no excerpts, its input and output are let go at once rather than held until the flush (held
   * for ~100 ms, a service's answer outlives the young generation, and promoting it cost more CPU
   * than writing the row: docs/performance.md, "The third round").
   */
  record(r: RunRecord): void {
    const setting = this.#excerpts.get(r.tenantId)
    if (setting && !setting.on && Date.now() - setting.at < EXCERPT_SETTING_MS) {
      r.input = undefined
      r.output = undefined
    }
    if (this.#buffer.length >= this.#opts.maxBuffered) {
      this.#buffer.shift()
      this.dropped++
    }
    this.#buffer.push({ at: Date.now(), r })
    if (this.#buffer.length >= this.#opts.batchRows) void this.flush()
    else if (!this.#timer) this.#timer = setTimeout(() => void this.flush(), this.#opts.flushMs).unref()
  }

  /** Writes what is buffered (waits for a flush in progress first). */
  flush(): Promise<void> {
    if (this.#timer) clearTimeout(this.#timer)
    this.#timer = undefined
    this.#flushing = this.#flushing.then(() => this.#write())
    return this.#flushing
  }

  /** Flushes and stops the timer. */
  async close(): Promise<void> {
    await this.flush()
  }

  async #excerptsOn(tenantId: string, now: number): Promise<boolean> {
    const hit = this.#excerpts.get(tenantId)
    if (hit && now - hit.at < EXCERPT_SETTING_MS) return hit.on
    const on = await this.#store.runLog.runLogExcerpts(tenantId)
    this.#excerpts.set(tenantId, { on, at: now })
    return on
  }

  async #write(): Promise<void> {
    const batch = this.#buffer
    if (batch.length === 0) return
    this.#buffer = []
    const now = Date.now()
    try {
      const rows: RunLogEntry[] = []
      // Each tenant's setting once per batch, not an await per row.
      const keeps = new Map<string, boolean>()
      for (const { r } of batch) if (!keeps.has(r.tenantId)) keeps.set(r.tenantId, await this.#excerptsOn(r.tenantId, now))
      for (const { at, r } of batch) {
        const keep = keeps.get(r.tenantId) === true
        this.#touched.add(r.tenantId)
        rows.push({
          id: runLogId(at),
          tenant_id: r.tenantId,
          created_at: new Date(at).toISOString(),
          connection_id: r.connectionId,
          end_user_id: r.endUserId ?? null,
          integration_id: r.integrationId,
          action: r.action,
          status: r.status,
          http_status: r.httpStatus ?? null,
          duration_ms: Math.round(r.durationMs),
          error_code: r.errorCode ?? null,
          error_message: r.errorMessage === undefined ? null : scrubText(r.errorMessage, ERROR_CHARS),
          key_id: r.keyId || null,
          input_excerpt: keep ? excerptOf(r.input) : null,
          output_excerpt: keep ? excerptOf(r.output) : null,
        })
      }
      await this.#store.runLog.insertRunLog(rows)
      if (now - this.#lastSweep >= this.#opts.sweepMs) await this.sweep(now)
    } catch (err) {
      this.dropped += batch.length
      this.#log.warn({ err, rows: batch.length }, 'run log write failed; rows dropped')
    }
  }

  /** Applies retention now (age for all, row count for tenants written since the last sweep). */
  async sweep(now = Date.now()): Promise<number> {
    this.#lastSweep = now
    const tenants = [...this.#touched]
    this.#touched.clear()
    return this.#store.runLog.pruneRunLog(new Date(now - this.#opts.maxAgeMs), this.#opts.maxRows, tenants)
  }
}
