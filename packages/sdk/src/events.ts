/**
 * The hub's events feed (`GET /api/v2/events`) as an async iterator: long-polls and follows the
 * cursor, so `for await` sees every event once, in order.
 */
import type { ResolvedConfig } from './config.js'
import { errorFromStatus } from './errors.js'
import { executeHeaders, isRecord, joinUrl, sendRequest } from './http.js'

/** One event of the feed: the Standard Webhooks envelope with the event's id. */
export interface HubEvent {
  id: string
  type: string
  timestamp: string
  data: Record<string, unknown>
}

/** Options of {@link streamEvents}. */
export interface EventsOptions {
  /** Start after this cursor: an event's `id` (or a feed `nextCursor`); default: from the oldest event kept. */
  after?: string
  /** Long-poll seconds per request (1–30, default 25). */
  waitSeconds?: number
  /** Stops the iteration (after the request in flight). */
  signal?: AbortSignal
}

/**
 * Iterates the tenant's events for ever (until `signal` aborts): each request long-polls the hub,
 * and an event's `id` is the cursor to resume after it (pass it as `after`).
 *
 * @throws {AixplainError} when the hub refuses the request (wrong key, bad cursor).
 * @example
 * ```ts
 * for await (const event of client.events({ after: savedCursor })) {
 *   if (event.type === 'connection.expired') notify(event.data.connectionId)
 *   savedCursor = event.id
 * }
 * ```
 */
export async function* streamEvents(config: ResolvedConfig, options: EventsOptions = {}): AsyncGenerator<HubEvent> {
  let after = options.after ?? ''
  const wait = Math.min(30, Math.max(1, options.waitSeconds ?? 25))
  while (!options.signal?.aborted) {
    const query = new URLSearchParams({ wait: String(wait), ...(after ? { after } : {}) })
    const res = await sendRequest(config, 'GET', joinUrl(config.backendUrl, `api/v2/events?${query}`), executeHeaders(config.apiKey))
    if (!res.ok || !isRecord(res.body)) throw errorFromStatus(res.status, res.body)
    const events = Array.isArray(res.body['events']) ? (res.body['events'] as HubEvent[]) : []
    const next = typeof res.body['nextCursor'] === 'string' ? res.body['nextCursor'] : after
    for (const e of events) {
      yield e
      after = e.id
    }
    after = next
  }
}
