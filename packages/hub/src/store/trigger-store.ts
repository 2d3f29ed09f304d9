import type { Kysely, Selectable, Updateable } from 'kysely'
import type { Database } from './schema.js'
import type { TriggerInstanceTable } from './trigger-schema.js'

/** A stored trigger instance (its `secret` sealed). */
export type TriggerInstanceRow = Selectable<TriggerInstanceTable>

/** Columns a change may set (never `id` or `tenant_id`). */
export type TriggerInstancePatch = Omit<Updateable<TriggerInstanceTable>, 'id' | 'tenant_id'>

/** What a new instance must say; every other column starts at {@link newTriggerInstanceRow}'s default. */
export type NewTriggerInstance = Pick<TriggerInstanceRow, 'id' | 'tenant_id' | 'type' | 'created_at'> & Partial<TriggerInstanceRow>

/**
 * A new trigger instance row: a `connection` row, enabled, never run, no secret, no aiXplain
 * fields, `updated_at` equal to `created_at`, unless `fields` says otherwise. The one place rows
 * are built, so a column added to the table gets its default here.
 *
 * @example
 * ```ts
 * await store.triggers.insert(newTriggerInstanceRow({ id, tenant_id, type: 'webhook', created_at: now, slug: 'GITHUB_ISSUE_EVENT' }))
 * ```
 */
export function newTriggerInstanceRow(fields: NewTriggerInstance): TriggerInstanceRow {
  return {
    kind: 'connection',
    connection_id: null,
    integration_id: null,
    slug: null,
    config: '{}',
    secret: null,
    inbound_token_hash: null,
    enabled: 1,
    configuration: null,
    next_run_at: null,
    last_run_at: null,
    state: null,
    failures: 0,
    last_error: null,
    updated_at: fields.created_at,
    name: null,
    input: null,
    asset_type: null,
    asset_id: null,
    trigger_type: null,
    source_trigger_id: null,
    notifications: 0,
    description: null,
    retry_count: null,
    ...fields,
  }
}

/** The event types triggers report (docs/triggers.md). */
export const TRIGGER_EVENT_TYPES = ['trigger.fired', 'trigger.failed'] as const

/** Which rows {@link TriggerStore.list} answers. */
export interface TriggerListFilter {
  kind?: 'connection' | 'aixplain'
  connectionId?: string
  /** aiXplain rows of this asset (`GET /v1/triggers?agentId=`). */
  assetId?: string
}

/**
 * The `trigger_instances` table: trigger types activated on connections and aiXplain's v1
 * trigger records. Every method but the scheduler's ({@link listDue}, {@link nextDueAt},
 * {@link getById}) and the inbound lookup ({@link findByInboundTokenHash}, whose token is the
 * credential) is scoped by tenant. The scheduler's compare-and-set on `next_run_at` is
 * {@link update} with `expectedNextRunAt`, so of two processes running one due time only one
 * records it.
 *
 * @example
 * ```ts
 * const due = await store.triggers.listDue(new Date(), 100)
 * ```
 */
export class TriggerStore {
  readonly #db: Kysely<Database>

  constructor(db: Kysely<Database>) {
    this.#db = db
  }

  /** Stores a new instance. */
  async insert(row: TriggerInstanceRow): Promise<void> {
    await this.#db.insertInto('trigger_instances').values(row).execute()
  }

  /** A tenant's instance by id; another tenant's id is indistinguishable from an unknown one. */
  get(tenantId: string, id: string): Promise<TriggerInstanceRow | undefined> {
    return this.#db.selectFrom('trigger_instances').selectAll().where('tenant_id', '=', tenantId).where('id', '=', id).executeTakeFirst()
  }

  /** An instance by id, any tenant (the scheduler, which runs every tenant's instances). */
  getById(id: string): Promise<TriggerInstanceRow | undefined> {
    return this.#db.selectFrom('trigger_instances').selectAll().where('id', '=', id).executeTakeFirst()
  }

  /** A tenant's instances, oldest first. */
  list(tenantId: string, filter: TriggerListFilter = {}): Promise<TriggerInstanceRow[]> {
    let q = this.#db.selectFrom('trigger_instances').selectAll().where('tenant_id', '=', tenantId)
    if (filter.kind) q = q.where('kind', '=', filter.kind)
    if (filter.connectionId) q = q.where('connection_id', '=', filter.connectionId)
    if (filter.assetId) q = q.where('asset_id', '=', filter.assetId)
    return q.orderBy('created_at').orderBy('id').execute()
  }

  /** The instances whose inbound URL has this token hash (several when payload-routed). */
  findByInboundTokenHash(hash: string): Promise<TriggerInstanceRow[]> {
    return this.#db.selectFrom('trigger_instances').selectAll().where('inbound_token_hash', '=', hash).orderBy('created_at').orderBy('id').execute()
  }

  /** A tenant's aiXplain external triggers listening to instance `sourceId`. */
  listLinked(tenantId: string, sourceId: string): Promise<TriggerInstanceRow[]> {
    return this.#db
      .selectFrom('trigger_instances')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .where('source_trigger_id', '=', sourceId)
      .orderBy('created_at')
      .orderBy('id')
      .execute()
  }

  /**
   * Applies `patch` (and `updated_at`) to a tenant's instance; with `expectedNextRunAt`, only
   * while the stored `next_run_at` still equals it (null matches null). The new row, or undefined
   * when there is none or the compare-and-set lost.
   */
  async update(
    tenantId: string,
    id: string,
    patch: TriggerInstancePatch,
    options: { expectedNextRunAt?: string | null; now?: Date } = {},
  ): Promise<TriggerInstanceRow | undefined> {
    let q = this.#db
      .updateTable('trigger_instances')
      .set({ ...patch, updated_at: (options.now ?? new Date()).toISOString() })
      .where('tenant_id', '=', tenantId)
      .where('id', '=', id)
    if (options.expectedNextRunAt !== undefined) {
      q = options.expectedNextRunAt === null ? q.where('next_run_at', 'is', null) : q.where('next_run_at', '=', options.expectedNextRunAt)
    }
    return q.returningAll().executeTakeFirst()
  }

  /** Deletes a tenant's instance; false when there was none. */
  async delete(tenantId: string, id: string): Promise<boolean> {
    const r = await this.#db.deleteFrom('trigger_instances').where('tenant_id', '=', tenantId).where('id', '=', id).executeTakeFirst()
    return Number(r.numDeletedRows) > 0
  }

  /** Enabled instances of every tenant due at or before `until`, earliest first, at most `limit`. */
  listDue(until: Date, limit: number): Promise<TriggerInstanceRow[]> {
    return this.#db
      .selectFrom('trigger_instances')
      .selectAll()
      .where('enabled', '=', 1)
      .where('next_run_at', 'is not', null)
      .where('next_run_at', '<=', until.toISOString())
      .orderBy('next_run_at')
      .orderBy('id')
      .limit(limit)
      .execute()
  }

  /** The earliest `next_run_at` of any enabled instance, or null when none is scheduled. */
  async nextDueAt(): Promise<Date | null> {
    const r = await this.#db
      .selectFrom('trigger_instances')
      .select('next_run_at')
      .where('enabled', '=', 1)
      .where('next_run_at', 'is not', null)
      .orderBy('next_run_at')
      .limit(1)
      .executeTakeFirst()
    return r?.next_run_at ? new Date(r.next_run_at) : null
  }
}
