import type { PollTriggerDefinition } from '@patchbay/core'
import type { TriggerInstanceRow } from '../../store/store.js'
import type { Store } from '../../store/store.js'
import type { Vault } from '../../vault/vault.js'
import { fromAixplainConfiguration } from './aixplain-schedule.js'
import { SCHEDULE_TYPE } from './connection-schedule.js'
import { fireTrigger, recordTriggerFailure, type RunAdvance } from './fire.js'
import { type DueRun, type DueWork, nextDueAfterRun } from './job-engine.js'
import { initialPollState, pollFailed, pollInput, pollSucceeded, resolvePollDefinition, type PollPolicy, type PollState } from './poll.js'
import { MIN_INTERVAL_SECONDS, parseSchedule } from './schedule.js'
import { openTriggerSecrets } from './trigger-secrets.js'

/** The answer of one action run for a trigger: its data, or why it failed (free of secrets). */
export type TriggerActionResult = { ok: true; data: unknown } | { ok: false; error: string }

/** Runs action `action` of connection `connectionId` with `input` (hub.ts: the execute path, so the run is logged and redacted). */
export type TriggerActionRunner = (tenantId: string, connectionId: string, action: string, input: Record<string, unknown>) => Promise<TriggerActionResult>

/** Finds the poll definition of a connection instance (its integration's trigger type by slug). */
export type PollDefinitionLookup = (row: TriggerInstanceRow) => Promise<PollTriggerDefinition | undefined>

/** What {@link TriggerWork} is built with. */
export interface TriggerWorkConfig {
  store: Store
  vault: Vault
  runAction: TriggerActionRunner
  pollDefinition: PollDefinitionLookup
  /** Poll tunables other than the interval (failures before `trigger.failed`, backoff cap). */
  policy?: Omit<PollPolicy, 'intervalSeconds'>
  now?: () => Date
}

function parsed<T>(text: string | null, fallback: T): T {
  if (text === null) return fallback
  try {
    return JSON.parse(text) as T
  } catch {
    return fallback
  }
}

/**
 * The job engine's work on the trigger instances (`trigger_instances`, store/trigger-store.ts):
 * the due rows are the enabled ones whose `next_run_at` has come. One run of a due row:
 *
 * - a **poll** (`connection` row of type `poll`): runs the definition's action on the connection
 *   with the instance's config (and its sealed config secrets), takes the new items
 *   (events/triggers/poll.ts: dedupe or cursor) and records them with {@link fireTrigger} as one
 *   `trigger.fired` each, with the new state and the next due time; a failed run is recorded with
 *   {@link recordTriggerFailure} (backoff, `trigger.failed` at the N-th failure in a row);
 * - a **schedule** (`connection` row of type `schedule`, connection-schedule.ts): runs the row's
 *   action with its fixed input, records one `trigger.fired` with the action's result and moves to
 *   the next due time (a `once` is then unscheduled); a failed run also moves on to the next due
 *   time and emits `trigger.failed` at the N-th failure in a row (the polls' `failAfter`), or at
 *   once when the schedule has no next time;
 * - an **aiXplain time trigger** (`aixplain` row, `trigger_type` `time`): fires once per due time
 *   (`trigger.fired` with its asset and input) and moves to its next time
 *   (`fromAixplainConfiguration`; a `once` trigger is then unscheduled).
 *
 * Every record moves `next_run_at` compare-and-set from the due time being run, in the
 * transaction of its events, so a due time another process (or an earlier attempt) already ran
 * records nothing: exactly once per due time.
 */
export class TriggerWork implements DueWork {
  readonly #c: TriggerWorkConfig
  readonly #now: () => Date

  constructor(config: TriggerWorkConfig) {
    this.#c = config
    this.#now = config.now ?? (() => new Date())
  }

  async listDue(until: Date, limit: number): Promise<DueRun[]> {
    const rows = await this.#c.store.triggers.listDue(until, limit)
    return rows.flatMap((r) => (r.next_run_at ? [{ jobId: r.id, dueAt: new Date(r.next_run_at) }] : []))
  }

  nextDueAt(): Promise<Date | null> {
    return this.#c.store.triggers.nextDueAt()
  }

  async run(run: DueRun): Promise<Date | null> {
    const row = await this.#c.store.triggers.getById(run.jobId)
    if (!row || row.enabled !== 1 || row.next_run_at === null) return null
    const stored = new Date(row.next_run_at)
    if (stored.getTime() !== run.dueAt.getTime()) return stored
    if (row.kind === 'connection' && row.type === 'poll') return this.#poll(row, row.next_run_at)
    if (row.kind === 'connection' && row.type === SCHEDULE_TYPE) return this.#schedule(row, row.next_run_at)
    if (row.kind === 'aixplain' && (row.trigger_type ?? row.type) === 'time') return this.#time(row, row.next_run_at)
    // Nothing this engine runs (a webhook row with a stale due time): unschedule it.
    await fireTrigger(this.#c.store, row.id, { cause: { type: 'manual' }, payloads: [], advance: { from: row.next_run_at, to: null } })
    return null
  }

  async #time(row: TriggerInstanceRow, due: string): Promise<Date | null> {
    const now = this.#now()
    let next: Date | null
    try {
      next = nextDueAfterRun(fromAixplainConfiguration(parsed(row.configuration, {}), new Date(row.created_at)), new Date(due), now)
    } catch (err) {
      // A configuration that no longer parses (it was validated when stored): stop, and say why.
      await recordTriggerFailure(this.#c.store, row.id, { error: (err as Error).message, emitFailed: true, advance: { from: due, to: null }, now })
      return null
    }
    const advance: RunAdvance = { from: due, to: next?.toISOString() ?? null }
    const result = await fireTrigger(this.#c.store, row.id, { cause: { type: 'schedule', scheduledAt: due }, advance, now })
    return result.recorded ? next : this.#stored(row.id)
  }

  async #schedule(row: TriggerInstanceRow, due: string): Promise<Date | null> {
    const config = parsed<{ action?: string; input?: Record<string, unknown> }>(row.config, {})
    let next: Date | null
    try {
      next = nextDueAfterRun(parseSchedule(parsed(row.configuration, null)), new Date(due), this.#now())
    } catch (err) {
      await recordTriggerFailure(this.#c.store, row.id, { error: (err as Error).message, emitFailed: true, advance: { from: due, to: null }, now: this.#now() })
      return null
    }
    const action = String(config.action ?? '')
    const input = { ...config.input, ...openTriggerSecrets(this.#c.vault, row).configSecrets }
    const answer =
      row.connection_id === null
        ? ({ ok: false, error: 'the schedule has no connection' } as const)
        : await this.#c
            .runAction(row.tenant_id, row.connection_id, action, input)
            .catch((err: unknown): TriggerActionResult => ({ ok: false, error: (err as Error).message ?? String(err) }))
    const now = this.#now()
    // The run may have outlasted the next due time: move past now, as a catch-up does.
    if (next && next.getTime() <= now.getTime()) next = nextDueAfterRun(parseSchedule(parsed(row.configuration, null)), next, now)
    const advance: RunAdvance = { from: due, to: next?.toISOString() ?? null }
    if (!answer.ok) {
      const failures = row.failures + 1
      const failAfter = this.#c.policy?.failAfter ?? 5
      const emitFailed = failures === failAfter || (next === null && failures < failAfter)
      const r = await recordTriggerFailure(this.#c.store, row.id, { error: answer.error, emitFailed, failures, advance, now })
      return r.recorded ? next : this.#stored(row.id)
    }
    const r = await fireTrigger(this.#c.store, row.id, { cause: { type: 'schedule', scheduledAt: due }, payloads: [{ action, result: answer.data }], advance, now })
    return r.recorded ? next : this.#stored(row.id)
  }

  async #poll(row: TriggerInstanceRow, due: string): Promise<Date | null> {
    const found = await this.#c.pollDefinition(row)
    const config = { ...parsed<Record<string, unknown>>(row.config, {}), ...openTriggerSecrets(this.#c.vault, row).configSecrets }
    const start = this.#now()
    const state = parsed<PollState>(row.state, initialPollState(start))
    const interval = Number(config['interval_seconds'] ?? config['intervalSeconds'] ?? found?.intervalSeconds ?? MIN_INTERVAL_SECONDS)
    const policy: PollPolicy = { ...this.#c.policy, intervalSeconds: Number.isInteger(interval) && interval >= MIN_INTERVAL_SECONDS ? interval : MIN_INTERVAL_SECONDS }
    const fail = async (error: string): Promise<Date | null> => {
      const now = this.#now()
      const f = pollFailed(state, error, now, policy)
      const r = await recordTriggerFailure(this.#c.store, row.id, {
        error,
        emitFailed: f.emitFailed,
        failures: f.state.failures,
        state: f.state,
        advance: { from: due, to: f.state.nextRunAt },
        now,
      })
      return r.recorded ? new Date(f.state.nextRunAt) : this.#stored(row.id)
    }
    if (!found || row.connection_id === null) return fail(`the trigger type ${row.slug ?? '?'} is no longer in the integration's definition`)
    const def = resolvePollDefinition(found, config)
    const answer = await this.#c
      .runAction(row.tenant_id, row.connection_id, def.action, pollInput(def, state, config))
      .catch((err: unknown): TriggerActionResult => ({ ok: false, error: (err as Error).message ?? String(err) }))
    if (!answer.ok) return fail(answer.error)
    const now = this.#now()
    const step = pollSucceeded(def, state, answer.data, now, policy)
    if (typeof step === 'string') return fail(step)
    const r = await fireTrigger(this.#c.store, row.id, { cause: { type: 'poll' }, payloads: step.emit, state: step.state, advance: { from: due, to: step.state.nextRunAt }, now })
    return r.recorded ? new Date(step.state.nextRunAt) : this.#stored(row.id)
  }

  /** The row's stored due time, after a record that did not happen (another process ran it, or it was paused). */
  async #stored(id: string): Promise<Date | null> {
    const row = await this.#c.store.triggers.getById(id)
    return row && row.enabled === 1 && row.next_run_at ? new Date(row.next_run_at) : null
  }
}
