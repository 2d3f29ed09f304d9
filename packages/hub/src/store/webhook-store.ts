import type { Kysely, Selectable } from 'kysely'
import type { DialectAdapter } from './dialect.js'
import { inTransaction } from './transaction.js'
import type { Database, WebhookAttemptTable, WebhookDeliveryTable, WebhookEndpointTable } from './schema.js'

/** A stored webhook endpoint (its `secret` sealed). */
export type WebhookEndpointRow = Selectable<WebhookEndpointTable>

/** A stored delivery (an outbox row). */
export type WebhookDeliveryRow = Selectable<WebhookDeliveryTable>

/** A stored attempt of a delivery. */
export type WebhookAttemptRow = Selectable<WebhookAttemptTable>

/** A delivery claimed for sending, with what sending it needs. */
export interface ClaimedDelivery {
  delivery: WebhookDeliveryRow
  endpoint: WebhookEndpointRow
  event: { id: string; type: string; data: string; created_at: string }
}

/** What one attempt gave, and what happens next. */
export interface AttemptOutcome {
  statusCode: number | null
  error: string | null
  durationMs: number
  /** DELIVERED, PENDING (retry at `nextAttemptAt`) or FAILED (given up). */
  status: 'DELIVERED' | 'PENDING' | 'FAILED'
  nextAttemptAt: Date
}

/**
 * Webhook endpoints, the outbox of deliveries, and their attempts. Deliveries are claimed with a
 * lease: on PostgreSQL `SELECT … FOR UPDATE SKIP LOCKED` in a short transaction moves the due rows'
 * `next_attempt_at` past the lease, so each due delivery goes to one process; a process that dies
 * mid-send leaves the row to be claimed again when the lease ends (at least once). SQLite has one
 * hub process per file: a plain transaction.
 *
 * @example
 * ```ts
 * const claimed = await new WebhookStore(db, adapter).claimDue(new Date(), 60_000, 10)
 * ```
 */
export class WebhookStore {
  readonly #db: Kysely<Database>
  readonly #adapter: DialectAdapter

  constructor(db: Kysely<Database>, adapter: DialectAdapter) {
    this.#db = db
    this.#adapter = adapter
  }

  /** Stores a new endpoint. */
  async insertEndpoint(row: WebhookEndpointRow): Promise<void> {
    await this.#db.insertInto('webhook_endpoints').values(row).execute()
  }

  /** Changes which event types a tenant's endpoint receives (null: all); the new row, or undefined. */
  async setEndpointEvents(tenantId: string, id: string, events: string | null): Promise<WebhookEndpointRow | undefined> {
    return this.#db.updateTable('webhook_endpoints').set({ events }).where('tenant_id', '=', tenantId).where('id', '=', id).returningAll().executeTakeFirst()
  }

  /** A tenant's endpoints, oldest first. */
  listEndpoints(tenantId: string): Promise<WebhookEndpointRow[]> {
    return this.#db.selectFrom('webhook_endpoints').selectAll().where('tenant_id', '=', tenantId).orderBy('created_at').orderBy('id').execute()
  }

  /** Deletes a tenant's endpoint with its deliveries; false when there was none. */
  deleteEndpoint(tenantId: string, id: string): Promise<boolean> {
    return inTransaction(this.#db, async (trx) => {
      const deliveries = trx.selectFrom('webhook_deliveries').select('id').where('endpoint_id', '=', id).where('tenant_id', '=', tenantId)
      await trx.deleteFrom('webhook_attempts').where('delivery_id', 'in', deliveries).execute()
      await trx.deleteFrom('webhook_deliveries').where('endpoint_id', '=', id).where('tenant_id', '=', tenantId).execute()
      const r = await trx.deleteFrom('webhook_endpoints').where('tenant_id', '=', tenantId).where('id', '=', id).executeTakeFirst()
      return Number(r.numDeletedRows) > 0
    })
  }

  /** Claims up to `limit` due PENDING deliveries for `leaseMs` (see the class comment). */
  async claimDue(now: Date, leaseMs: number, limit: number): Promise<ClaimedDelivery[]> {
    const at = now.toISOString()
    const leaseEnd = new Date(now.getTime() + leaseMs).toISOString()
    const claimed = await this.#db.transaction().execute(async (trx) => {
      let q = trx.selectFrom('webhook_deliveries').selectAll().where('status', '=', 'PENDING').where('next_attempt_at', '<=', at).orderBy('next_attempt_at').limit(limit)
      if (this.#adapter.name === 'postgres') q = q.forUpdate().skipLocked()
      const rows = await q.execute()
      if (rows.length === 0) return []
      await trx
        .updateTable('webhook_deliveries')
        .set({ next_attempt_at: leaseEnd, updated_at: at })
        .where(
          'id',
          'in',
          rows.map((r) => r.id),
        )
        .execute()
      return rows
    })
    if (claimed.length === 0) return []
    const endpoints = await this.#db
      .selectFrom('webhook_endpoints')
      .selectAll()
      .where('id', 'in', [...new Set(claimed.map((d) => d.endpoint_id))])
      .execute()
    const events = await this.#db
      .selectFrom('events')
      .select(['id', 'type', 'data', 'created_at'])
      .where('id', 'in', [...new Set(claimed.map((d) => d.event_id))])
      .execute()
    const out: ClaimedDelivery[] = []
    for (const delivery of claimed) {
      const endpoint = endpoints.find((e) => e.id === delivery.endpoint_id)
      const event = events.find((e) => e.id === delivery.event_id)
      if (endpoint && event) out.push({ delivery, endpoint, event })
    }
    return out
  }

  /** Records an attempt and the delivery's new state, together. */
  async recordAttempt(delivery: WebhookDeliveryRow, outcome: AttemptOutcome, at = new Date()): Promise<void> {
    const attempt = delivery.attempts + 1
    await inTransaction(this.#db, async (trx) => {
      await trx
        .insertInto('webhook_attempts')
        .values({
          delivery_id: delivery.id,
          attempt,
          tenant_id: delivery.tenant_id,
          at: at.toISOString(),
          status_code: outcome.statusCode,
          error: outcome.error,
          duration_ms: Math.round(outcome.durationMs),
        })
        .execute()
      await trx
        .updateTable('webhook_deliveries')
        .set({ status: outcome.status, attempts: attempt, next_attempt_at: outcome.nextAttemptAt.toISOString(), updated_at: at.toISOString() })
        .where('id', '=', delivery.id)
        .execute()
    })
  }

  /** A tenant's deliveries, newest first, optionally of one endpoint or status, with their attempts. */
  async listDeliveries(
    tenantId: string,
    options: { limit: number; endpointId?: string | undefined; status?: string | undefined },
  ): Promise<{ delivery: WebhookDeliveryRow; eventType: string; attempts: WebhookAttemptRow[] }[]> {
    let q = this.#db
      .selectFrom('webhook_deliveries')
      .innerJoin('events', 'events.id', 'webhook_deliveries.event_id')
      .selectAll('webhook_deliveries')
      .select('events.type as event_type')
      .where('webhook_deliveries.tenant_id', '=', tenantId)
    if (options.endpointId) q = q.where('webhook_deliveries.endpoint_id', '=', options.endpointId)
    if (options.status) q = q.where('webhook_deliveries.status', '=', options.status)
    const rows = await q.orderBy('webhook_deliveries.created_at', 'desc').orderBy('webhook_deliveries.id').limit(options.limit).execute()
    if (rows.length === 0) return []
    const attempts = await this.#db
      .selectFrom('webhook_attempts')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .where(
        'delivery_id',
        'in',
        rows.map((r) => r.id),
      )
      .orderBy('attempt')
      .execute()
    return rows.map(({ event_type, ...delivery }) => ({
      delivery,
      eventType: event_type,
      attempts: attempts.filter((a) => a.delivery_id === delivery.id),
    }))
  }
}
