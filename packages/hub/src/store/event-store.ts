import type { Kysely, Selectable } from 'kysely'
import { sql } from './kysely.js'
import { newId } from '../ids.js'
import { inTransaction } from './transaction.js'
import type { ConnectionTable, Database, EventTable } from './schema.js'

/** The events a connection's life reports (docs/webhooks.md). */
export const CONNECTION_EVENT_TYPES = ['connection.created', 'connection.reauthorized', 'connection.refresh_failed', 'connection.expired', 'connection.deleted'] as const

/** One of {@link CONNECTION_EVENT_TYPES}. */
export type ConnectionEventType = (typeof CONNECTION_EVENT_TYPES)[number]

/** What a write path says about the change it makes: which event, and why (expired, refresh failed). */
export interface ConnectionEventNote {
  type: ConnectionEventType
  reason?: string | undefined
}

/** What a connection event reads of the connection's row. */
export type ConnectionOfEvent = Pick<Selectable<ConnectionTable>, 'id' | 'tenant_id' | 'integration_id' | 'status'> & { end_user_id?: string | null; tags?: string | null }

/** An event to record: its type and its `data` (never a credential). */
export interface NewEvent {
  tenantId: string
  type: string
  data: Record<string, unknown>
}

/** A stored event. */
export type EventRow = Selectable<EventTable>

/** The `data` of a connection event: ids, the end user and tags when the connection has them, the reason. */
export function connectionEventData(row: ConnectionOfEvent, reason?: string): Record<string, unknown> {
  // endUserId and tags arrive with the Connect sessions work; read them defensively until then.
  const extra = row as unknown as { end_user_id?: unknown; tags?: unknown }
  let tags: unknown = null
  if (typeof extra.tags === 'string') {
    try {
      tags = JSON.parse(extra.tags)
    } catch {
      tags = null
    }
  } else if (extra.tags && typeof extra.tags === 'object') tags = extra.tags
  return {
    connectionId: row.id,
    integration: row.integration_id,
    endUserId: typeof extra.end_user_id === 'string' ? extra.end_user_id : null,
    tags,
    ...(reason !== undefined ? { reason } : {}),
  }
}

/** Listeners told (after the write, maybe before its commit) that an event was recorded. */
const listeners = new Set<() => void>()

/**
 * Calls `fn` whenever this process records an event, so the delivery worker and long-polls wake up
 * early (they also poll: events recorded by other processes are found that way).
 */
export function onEventRecorded(fn: () => void): () => void {
  listeners.add(fn)
  return () => listeners.delete(fn)
}

/**
 * Records an event and its outbox rows (one delivery per endpoint of the tenant that wants this
 * type) on `db`. Pass the transaction of the change the event reports, so the change, the event
 * and its deliveries commit together or not at all.
 */
export async function recordEvent(db: Kysely<Database>, event: NewEvent, now = new Date()): Promise<string> {
  const id = `evt_${newId()}`
  const at = now.toISOString()
  await db
    .insertInto('events')
    .values({ id, tenant_id: event.tenantId, type: event.type, data: JSON.stringify(event.data), created_at: at })
    .execute()
  const endpoints = await db.selectFrom('webhook_endpoints').select(['id', 'events']).where('tenant_id', '=', event.tenantId).execute()
  const wanted = endpoints.filter((e) => e.events === null || (JSON.parse(e.events) as string[]).includes(event.type))
  if (wanted.length > 0) {
    await db
      .insertInto('webhook_deliveries')
      .values(
        wanted.map((e) => ({
          id: `msg_${newId()}`,
          tenant_id: event.tenantId,
          endpoint_id: e.id,
          event_id: id,
          status: 'PENDING',
          attempts: 0,
          next_attempt_at: at,
          created_at: at,
          updated_at: at,
        })),
      )
      .execute()
  }
  setTimeout(() => {
    for (const fn of listeners) fn()
  }, 5).unref()
  return id
}

/** Records a connection event for `row` on `db` (the change's transaction). */
export function recordConnectionEvent(db: Kysely<Database>, row: ConnectionOfEvent, note: ConnectionEventNote): Promise<string> {
  return recordEvent(db, { tenantId: row.tenant_id, type: note.type, data: connectionEventData(row, note.reason) })
}

/**
 * The `events` table: the per-tenant feed (`GET /api/v2/events`) and its retention. Recording is
 * {@link recordEvent}, called on the transaction of the change.
 *
 * @example
 * ```ts
 * const page = await new EventStore(db).listEvents(tenantId, { after: 0, limit: 100 })
 * ```
 */
export class EventStore {
  readonly #db: Kysely<Database>

  constructor(db: Kysely<Database>) {
    this.#db = db
  }

  /** Records an event outside any other change (e.g. a refresh that failed but changed nothing). */
  record(event: NewEvent): Promise<string> {
    return inTransaction(this.#db, (trx) => recordEvent(trx, event))
  }

  /**
   * A tenant's events after the cursor `after` (a `seq`), oldest first, at most `limit`. With
   * `settledBefore`, only events created before it: on PostgreSQL a transaction may commit a lower
   * `seq` after a higher one, so the feed holds back the last moment (docs/webhooks.md).
   */
  async listEvents(tenantId: string, options: { after: number; limit: number; settledBefore?: Date }): Promise<EventRow[]> {
    let q = this.#db.selectFrom('events').selectAll().where('tenant_id', '=', tenantId).where('seq', '>', options.after)
    if (options.settledBefore) q = q.where('created_at', '<', options.settledBefore.toISOString())
    const rows = await q.orderBy('seq').limit(options.limit).execute()
    return rows.map((r) => ({ ...r, seq: Number(r.seq) }))
  }

  /** Deletes events (and their deliveries and attempts) created before `before`; returns how many. */
  async deleteEventsBefore(before: Date): Promise<number> {
    const at = before.toISOString()
    return inTransaction(this.#db, async (trx) => {
      const old = trx.selectFrom('events').select('id').where('created_at', '<', at)
      const deliveries = trx.selectFrom('webhook_deliveries').select('id').where('event_id', 'in', old)
      await trx.deleteFrom('webhook_attempts').where('delivery_id', 'in', deliveries).execute()
      await trx.deleteFrom('webhook_deliveries').where('event_id', 'in', old).execute()
      const r = await trx.deleteFrom('events').where('created_at', '<', at).executeTakeFirst()
      return Number(r.numDeletedRows)
    })
  }

  /** The `seq` of a tenant's event, by id. */
  async seqOf(tenantId: string, id: string): Promise<number | undefined> {
    const r = await this.#db.selectFrom('events').select('seq').where('tenant_id', '=', tenantId).where('id', '=', id).executeTakeFirst()
    return r ? Number(r.seq) : undefined
  }

  /** The highest `seq` of a tenant's events (0 when none): the cursor of "from now on". */
  async latestSeq(tenantId: string): Promise<number> {
    const r = await this.#db.selectFrom('events').select(sql<number | string | null>`max(seq)`.as('m')).where('tenant_id', '=', tenantId).executeTakeFirst()
    return Number(r?.m ?? 0)
  }
}
