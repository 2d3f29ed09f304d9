import type { Logger } from 'pino'
import { Webhook } from 'standardwebhooks'
import { LazyGuardedOutbound, findPatchbayError } from '../net/ssrf-guard.js'
import { onEventRecorded } from '../store/event-store.js'
import type { ClaimedDelivery, Store } from '../store/store.js'
import type { WebhookEndpoints } from './webhook-endpoints.js'

/** How deliveries are retried and how long events are kept. */
export interface DeliverySettings {
  /** How often the outbox is checked for due deliveries, ms (default 1,000). */
  pollMs: number
  /** The first retry's delay, ms; each next one doubles (default 5,000). */
  baseDelayMs: number
  /** The longest delay between attempts, ms (default 1 h). */
  maxDelayMs: number
  /** A delivery still failing this long after its event is given up (FAILED), ms (default 24 h). */
  giveUpAfterMs: number
  /** How long a claimed delivery is held for one process before another may retry it, ms (default 30 s; above the attempt timeout). */
  leaseMs: number
  /** Timeout of one attempt, ms (default 10 s). */
  timeoutMs: number
  /** Events (and their deliveries) older than this are deleted, ms (default 30 days). */
  retentionMs: number
  /** Deliveries claimed per round (default 20). */
  batch: number
}

/** The defaults of {@link DeliverySettings}. */
export const DEFAULT_DELIVERY: DeliverySettings = {
  pollMs: 1_000,
  baseDelayMs: 5_000,
  maxDelayMs: 3_600_000,
  giveUpAfterMs: 24 * 3_600_000,
  leaseMs: 30_000,
  timeoutMs: 10_000,
  retentionMs: 30 * 24 * 3_600_000,
  batch: 20,
}

/**
 * The delay before attempt `attempt + 1` after `attempt` failures: exponential from `baseDelayMs`,
 * capped at `maxDelayMs`, with jitter (between half and all of it), so receivers that failed
 * together are not retried together.
 *
 * @example
 * ```ts
 * retryDelay(1, DEFAULT_DELIVERY) // 2,500–5,000 ms
 * ```
 */
export function retryDelay(attempt: number, s: Pick<DeliverySettings, 'baseDelayMs' | 'maxDelayMs'>, random = Math.random): number {
  const full = Math.min(s.maxDelayMs, s.baseDelayMs * 2 ** Math.min(attempt - 1, 30))
  return Math.round(full / 2 + (random() * full) / 2)
}

/** The JSON body of a delivered event, the Standard Webhooks envelope: `{ type, timestamp, data }`. */
export function eventBody(event: ClaimedDelivery['event']): string {
  return JSON.stringify({ type: event.type, timestamp: event.created_at, data: JSON.parse(event.data) as unknown })
}

/**
 * Sends the outbox's deliveries: claims due ones from the database (PostgreSQL: `FOR UPDATE SKIP
 * LOCKED`, so several hub processes share the work and each delivery goes out from one), signs each
 * with the Standard Webhooks scheme (the delivery id is the `webhook-id` of every attempt), POSTs it
 * through the SSRF guard, and records the attempt: a 2xx is DELIVERED, anything else is retried with
 * backoff until {@link DeliverySettings.giveUpAfterMs}. All state is in the database, so a restart
 * (or SIGKILL) resumes where it stopped; a delivery in flight when a process dies is sent again
 * once its lease ends (at least once).
 *
 * @example
 * ```ts
 * const worker = new DeliveryWorker({ store, endpoints, logger, allowPrivateNetwork: false })
 * worker.start()
 * ```
 */
export class DeliveryWorker {
  readonly settings: DeliverySettings
  readonly #store: Store
  readonly #endpoints: WebhookEndpoints
  readonly #log: Logger
  /** Outbound calls; undici loads on the first delivery (net/undici.ts). */
  readonly #outbound: LazyGuardedOutbound
  #timer: NodeJS.Timeout | undefined
  #running: Promise<void> | undefined
  #again = false
  #stopped = true
  #unsubscribe: (() => void) | undefined
  #lastSweep = 0

  constructor(deps: { store: Store; endpoints: WebhookEndpoints; logger: Logger; allowPrivateNetwork: boolean; settings?: Partial<DeliverySettings> }) {
    this.settings = { ...DEFAULT_DELIVERY, ...deps.settings }
    this.#store = deps.store
    this.#endpoints = deps.endpoints
    this.#log = deps.logger
    const policy = { allowPrivateNetwork: deps.allowPrivateNetwork, timeoutMs: this.settings.timeoutMs, connectTimeoutMs: Math.min(10_000, this.settings.timeoutMs) }
    this.#outbound = new LazyGuardedOutbound(policy)
  }

  /** Starts polling the outbox (and reacting to events this process records). */
  start(): void {
    if (!this.#stopped) return
    this.#stopped = false
    this.#unsubscribe = onEventRecorded(() => this.kick())
    const tick = () => {
      this.kick()
      if (!this.#stopped) this.#timer = setTimeout(tick, this.settings.pollMs).unref()
    }
    tick()
  }

  /** Runs a round soon (coalesced with one already running). */
  kick(): void {
    if (this.#stopped) return
    if (this.#running) {
      this.#again = true
      return
    }
    this.#running = this.runOnce()
      .then(() => undefined)
      .catch((err: unknown) => this.#log.warn({ err: (err as Error).message }, 'webhook delivery round failed'))
      .finally(() => {
        this.#running = undefined
        if (this.#again) {
          this.#again = false
          this.kick()
        }
      })
  }

  /** One round: claim the due deliveries and send them; now and then delete events past retention. Returns how many were attempted. */
  async runOnce(now = new Date()): Promise<number> {
    if (now.getTime() - this.#lastSweep > 3_600_000) {
      this.#lastSweep = now.getTime()
      const n = await this.#store.events.deleteEventsBefore(new Date(now.getTime() - this.settings.retentionMs))
      if (n > 0) this.#log.info({ deleted: n }, 'deleted events past their retention')
    }
    const claimed = await this.#store.webhooks.claimDue(now, this.settings.leaseMs, this.settings.batch)
    await Promise.all(claimed.map((c) => this.#deliver(c)))
    if (claimed.length === this.settings.batch) this.#again = true
    return claimed.length
  }

  async #deliver(c: ClaimedDelivery): Promise<void> {
    const started = performance.now()
    let statusCode: number | null = null
    let error: string | null = null
    try {
      const body = eventBody(c.event)
      const at = new Date()
      const signature = new Webhook(this.#endpoints.openSecret(c.endpoint)).sign(c.delivery.id, at, body)
      const res = await this.#outbound.fetch(c.endpoint.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'user-agent': 'Patchbay-Webhooks/1',
          'webhook-id': c.delivery.id,
          'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
          'webhook-signature': signature,
        },
        body,
        signal: AbortSignal.timeout(this.settings.timeoutMs),
      })
      statusCode = res.status
      await res.body?.cancel().catch(() => {})
      if (res.status < 200 || res.status >= 300) error = `the receiver answered ${res.status}`
    } catch (err) {
      error = (findPatchbayError(err)?.message ?? (err as Error).message ?? String(err)).slice(0, 500)
    }
    const now = new Date()
    const attempt = c.delivery.attempts + 1
    const ok = error === null
    const tooOld = now.getTime() - Date.parse(c.delivery.created_at) >= this.settings.giveUpAfterMs
    const status = ok ? 'DELIVERED' : tooOld ? 'FAILED' : 'PENDING'
    const next = ok || tooOld ? now : new Date(now.getTime() + retryDelay(attempt, this.settings))
    await this.#store.webhooks.recordAttempt(c.delivery, { statusCode, error, durationMs: performance.now() - started, status, nextAttemptAt: next }, now)
    if (!ok) this.#log.info({ deliveryId: c.delivery.id, endpointId: c.endpoint.id, attempt, status, error }, 'webhook delivery failed')
  }

  /** Stops polling, waits for the round in flight, and closes the connections. */
  async stop(): Promise<void> {
    this.#stopped = true
    if (this.#timer) clearTimeout(this.#timer)
    this.#unsubscribe?.()
    await this.#running
    await this.#outbound.close()
  }
}
