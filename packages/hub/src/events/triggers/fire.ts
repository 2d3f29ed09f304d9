import type { Kysely } from 'kysely'
import { recordEvent } from '../../store/event-store.js'
import type { Database } from '../../store/schema.js'
import type { Store, TriggerInstancePatch, TriggerInstanceRow } from '../../store/store.js'

/** Why a trigger fired: the `cause` of every `trigger.fired` event. */
export type TriggerCause = { type: 'webhook'; kind?: string | undefined } | { type: 'poll' } | { type: 'schedule'; scheduledAt: string } | { type: 'manual' }

/**
 * A compare-and-set of the instance's `next_run_at`: the change (and its events) happen only while
 * the stored value still equals `from`, and it becomes `to` (null: not scheduled again).
 */
export interface RunAdvance {
  from: string | null
  to: string | null
}

/** What {@link fireTrigger} records. */
export interface FireOptions {
  /** Why it fired. */
  cause: TriggerCause
  /**
   * The events' payloads, one `trigger.fired` each (a webhook's body, a poll's new items, a
   * schedule's action result). Empty: the state is stored and nothing is emitted (a poll run that
   * found nothing new). Ignored on an aiXplain time trigger, which emits exactly one event.
   */
  payloads?: readonly unknown[]
  /** The scheduler's compare-and-set of `next_run_at` (polls, schedules); absent for webhooks. */
  advance?: RunAdvance
  /** The new poll state, stored as JSON (absent: unchanged). */
  state?: unknown
  now?: Date
}

/** What {@link recordTriggerFailure} records. */
export interface FailureOptions {
  /** The failure, free of secrets (the runner redacts), at most 1,000 characters kept. */
  error: string
  /** Emit `trigger.failed` with this failure (the poll policy says when: the N-th in a row). */
  emitFailed: boolean
  /** Consecutive failures now (default: the stored count + 1). */
  failures?: number
  advance?: RunAdvance
  state?: unknown
  now?: Date
}

/** The outcome: recorded (with the ids of the events it emitted), or why nothing was. */
export type FireResult = { recorded: true; eventIds: string[]; instance: TriggerInstanceRow } | { recorded: false; reason: 'not_found' | 'disabled' | 'stale' }

/** The `data` of a connection instance's `trigger.fired`. */
function instanceEventData(row: TriggerInstanceRow, cause: TriggerCause, payload: unknown): Record<string, unknown> {
  // A schedule's payload is `{action, result}`, given at the top level of its event.
  if (row.type === 'schedule' && typeof payload === 'object' && payload !== null) {
    return { triggerId: row.id, slug: row.slug, connectionId: row.connection_id, integration: row.integration_id, cause, ...payload }
  }
  return { triggerId: row.id, slug: row.slug, connectionId: row.connection_id, integration: row.integration_id, cause, payload }
}

/** The `data` of an aiXplain trigger's `trigger.fired`: what an agent runner needs to run it. */
function aixplainEventData(row: TriggerInstanceRow, cause: Record<string, unknown>): Record<string, unknown> {
  return { triggerId: row.id, name: row.name, assetType: row.asset_type, assetId: row.asset_id, input: row.input === null ? null : (JSON.parse(row.input) as unknown), cause }
}

async function emit(db: Kysely<Database>, row: TriggerInstanceRow, type: string, data: Record<string, unknown>, now: Date): Promise<string> {
  return recordEvent(db, { tenantId: row.tenant_id, type, data }, now)
}

/** The instance's change under the compare-and-set, or why it was not made. */
async function change(
  tx: Store,
  id: string,
  patch: TriggerInstancePatch,
  advance: RunAdvance | undefined,
  now: Date,
): Promise<TriggerInstanceRow | 'not_found' | 'disabled' | 'stale'> {
  const current = await tx.triggers.getById(id)
  if (!current) return 'not_found'
  if (current.enabled !== 1) return 'disabled'
  const updated = await tx.triggers.update(
    current.tenant_id,
    id,
    { ...patch, ...(advance ? { next_run_at: advance.to } : {}) },
    {
      now,
      ...(advance ? { expectedNextRunAt: advance.from } : {}),
    },
  )
  return updated ?? 'stale'
}

/**
 * Records that trigger instance `id` fired, in one transaction: the instance's state (last run,
 * failures reset, poll state, `next_run_at` by compare-and-set) and its `trigger.fired` events,
 * each with one outbox delivery per subscribed webhook endpoint (store/event-store.ts
 * `recordEvent`), so the change and its events commit together or not at all. Event bodies are the
 * outbox's envelope `{type, timestamp, data}`.
 *
 * A connection instance emits `{triggerId, slug, connectionId, integration, cause, payload}` per
 * payload (a schedule: `{…, cause, action, result}`), plus one event per enabled aiXplain external trigger listening to it; an aiXplain time
 * trigger emits one `{triggerId, name, assetType, assetId, input, cause}`. Nothing is recorded when
 * the instance is gone or paused, or another process already moved `next_run_at` (`stale`).
 *
 * @example
 * ```ts
 * // the scheduler, at a due time of an aiXplain time trigger:
 * await fireTrigger(store, row.id, { cause: { type: 'schedule', scheduledAt: row.next_run_at }, advance: { from: row.next_run_at, to: next } })
 * ```
 */
export async function fireTrigger(store: Store, id: string, options: FireOptions): Promise<FireResult> {
  const now = options.now ?? new Date()
  return store.transaction(async (tx) => {
    const patch: TriggerInstancePatch = { last_run_at: now.toISOString(), failures: 0, last_error: null }
    if (options.state !== undefined) patch.state = JSON.stringify(options.state)
    const row = await change(tx, id, patch, options.advance, now)
    if (typeof row === 'string') return { recorded: false, reason: row }
    const eventIds: string[] = []
    if (row.kind === 'aixplain') {
      eventIds.push(await emit(tx.db, row, 'trigger.fired', aixplainEventData(row, { ...options.cause }), now))
      return { recorded: true, eventIds, instance: row }
    }
    const payloads = options.payloads ?? []
    const linked = payloads.length > 0 ? (await tx.triggers.listLinked(row.tenant_id, row.id)).filter((l) => l.enabled === 1) : []
    for (const payload of payloads) {
      eventIds.push(await emit(tx.db, row, 'trigger.fired', instanceEventData(row, options.cause, payload), now))
      for (const l of linked) {
        const cause = { ...options.cause, triggerInstanceId: row.id, slug: row.slug, connectionId: row.connection_id, payload }
        eventIds.push(await emit(tx.db, l, 'trigger.fired', aixplainEventData(l, cause), now))
      }
    }
    if (linked.length > 0)
      await tx.db
        .updateTable('trigger_instances')
        .set({ last_run_at: now.toISOString() })
        .where(
          'id',
          'in',
          linked.map((l) => l.id),
        )
        .execute()
    return { recorded: true, eventIds, instance: row }
  })
}

/**
 * Records a failed run of instance `id` (a poll whose action failed, a schedule whose action
 * failed) in one transaction: the failure count, the error, the new state and `next_run_at` (by
 * compare-and-set, see {@link RunAdvance}), and, when `emitFailed`, a `trigger.failed` event
 * `{triggerId, slug, connectionId, integration, error, failures}`.
 *
 * @example
 * ```ts
 * const f = pollFailed(state, message, now, policy)
 * await recordTriggerFailure(store, row.id, { error: message, emitFailed: f.emitFailed, failures: f.state.failures, state: f.state, advance: { from: row.next_run_at, to: f.state.nextRunAt } })
 * ```
 */
export async function recordTriggerFailure(store: Store, id: string, options: FailureOptions): Promise<FireResult> {
  const now = options.now ?? new Date()
  const error = options.error.slice(0, 1000)
  return store.transaction(async (tx) => {
    const current = await tx.triggers.getById(id)
    const failures = options.failures ?? (current?.failures ?? 0) + 1
    const patch: TriggerInstancePatch = { last_run_at: now.toISOString(), failures, last_error: error }
    if (options.state !== undefined) patch.state = JSON.stringify(options.state)
    const row = await change(tx, id, patch, options.advance, now)
    if (typeof row === 'string') return { recorded: false, reason: row }
    const eventIds: string[] = []
    if (options.emitFailed) {
      eventIds.push(
        await emit(tx.db, row, 'trigger.failed', { triggerId: row.id, slug: row.slug, connectionId: row.connection_id, integration: row.integration_id, error, failures }, now),
      )
    }
    return { recorded: true, eventIds, instance: row }
  })
}
