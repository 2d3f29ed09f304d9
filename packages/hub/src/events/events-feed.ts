import { PatchbayError } from '@patchbay/core'
import { onEventRecorded } from '../store/event-store.js'
import type { EventRow, Store } from '../store/store.js'

/** An event as the feed and webhooks answer it. */
export interface EventRecord {
  id: string
  type: string
  timestamp: string
  data: Record<string, unknown>
}

/** A page of the events feed. */
export interface EventPage {
  events: EventRecord[]
  /** Pass as `after` to get the events that follow (the same cursor when there were none). */
  nextCursor: string
}

/** Longest long-poll, seconds. */
export const MAX_WAIT_SECONDS = 30

/** Most events in one page. */
export const MAX_PAGE = 100

/**
 * On PostgreSQL a transaction can commit an event with a lower `seq` after one with a higher `seq`
 * was read; the feed holds back events younger than this, so a cursor never skips one (ms).
 */
export const POSTGRES_SETTLE_MS = 2_000

/** The wire record of a stored event. */
export function eventRecord(row: EventRow): EventRecord {
  return { id: row.id, type: row.type, timestamp: row.created_at, data: JSON.parse(row.data) as Record<string, unknown> }
}

/**
 * The per-tenant events feed: `read` answers the events after a cursor (a `nextCursor`, or any
 * event's id), oldest first; with
 * `waitSeconds` it waits (bounded) until there is at least one. Waiters wake on events this process
 * records and poll for those of other processes; `close` answers them all (graceful stop).
 *
 * @example
 * ```ts
 * const { events, nextCursor } = await feed.read(tenantId, { after: '0', waitSeconds: 10 })
 * ```
 */
export class EventsFeed {
  readonly #store: Store
  readonly #pollMs: number
  readonly #closing = new Set<() => void>()

  constructor(store: Store, options: { pollMs?: number } = {}) {
    this.#store = store
    this.#pollMs = options.pollMs ?? 500
  }

  /**
   * Events after the cursor `after` (absent: from the oldest kept).
   * @throws {PatchbayError} VALIDATION for a cursor this hub did not give.
   */
  async read(tenantId: string, options: { after?: string | undefined; waitSeconds?: number; limit?: number; signal?: AbortSignal }): Promise<EventPage> {
    const after = await this.#cursor(tenantId, options.after)
    const limit = Math.min(MAX_PAGE, Math.max(1, options.limit ?? MAX_PAGE))
    const deadline = Date.now() + Math.min(MAX_WAIT_SECONDS, Math.max(0, options.waitSeconds ?? 0)) * 1000
    for (;;) {
      const settledBefore = this.#store.dialect === 'postgres' ? new Date(Date.now() - POSTGRES_SETTLE_MS) : undefined
      const rows = await this.#store.events.listEvents(tenantId, { after, limit, ...(settledBefore ? { settledBefore } : {}) })
      if (rows.length > 0) return { events: rows.map(eventRecord), nextCursor: String(rows[rows.length - 1]?.seq ?? after) }
      const left = deadline - Date.now()
      if (left <= 0 || options.signal?.aborted) return { events: [], nextCursor: String(after) }
      await this.#sleep(Math.min(left, this.#pollMs), options.signal)
    }
  }

  /** A cursor's position: a `nextCursor` (a number) or an event's id (`evt_…`, of this tenant). */
  async #cursor(tenantId: string, raw: string | undefined): Promise<number> {
    if (raw?.startsWith('evt_')) {
      const seq = await this.#store.events.seqOf(tenantId, raw.slice(0, 100))
      if (seq === undefined)
        throw new PatchbayError('VALIDATION', `after names no event of yours (${raw.slice(0, 40)}); it may be past the retention period: start again without after`)
      return seq
    }
    return parseCursor(raw)
  }

  /** Ends every wait now (each answers what it has). */
  close(): void {
    for (const wake of this.#closing) wake()
  }

  #sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer)
        unsubscribe()
        this.#closing.delete(done)
        signal?.removeEventListener('abort', done)
        resolve()
      }
      const timer = setTimeout(done, ms)
      // SQLite: the event is readable at once. PostgreSQL: held back until settled, so polling finds it.
      const unsubscribe = this.#store.dialect === 'postgres' ? () => true : onEventRecorded(done)
      this.#closing.add(done)
      signal?.addEventListener('abort', done)
    })
  }
}

function parseCursor(raw: string | undefined): number {
  if (raw === undefined || raw === '') return 0
  if (!/^\d{1,15}$/.test(raw)) {
    throw new PatchbayError('VALIDATION', 'after must be a nextCursor or an event id from a previous answer, e.g. after=42; leave it out to start from the oldest event')
  }
  return Number(raw)
}
