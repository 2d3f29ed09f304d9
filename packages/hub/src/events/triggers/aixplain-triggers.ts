import { PatchbayError } from '@patchbay/core'
import { newId } from '../../ids.js'
import { newTriggerInstanceRow, type Store, type TriggerInstanceRow } from '../../store/store.js'
import { fromAixplainConfiguration } from './aixplain-schedule.js'
import { nextRun } from './schedule.js'
import type { TriggerJobs } from './trigger-instances.js'

/** An aiXplain v1 trigger as `/v1/triggers` answers it (`aixplain/v2/trigger.py`). */
export interface AixplainTriggerRecord {
  id: string
  name: string
  description: string | null
  input: unknown
  assetType: string
  assetId: string | null
  triggerType: 'time' | 'external'
  /** External triggers: the activated trigger instance (`activate_trigger`'s `trigger_id`). */
  triggerId?: string
  configuration?: Record<string, unknown>
  enabled: boolean
  notifications: boolean
  retryCount: number | null
  nextRunAt: string | null
  lastRunAt: string | null
  createdAt: string
  updatedAt: string
}

const FIELDS = new Set(['id', 'name', 'description', 'input', 'assetType', 'assetId', 'triggerType', 'triggerId', 'configuration', 'enabled', 'notifications', 'retryCount'])
const READ_ONLY = new Set(['nextRunAt', 'lastRunAt', 'createdAt', 'updatedAt', 'enqueued'])

/** Most aiXplain triggers a tenant may have. */
export const MAX_AIXPLAIN_TRIGGERS = 1000

const bad = (message: string) => new PatchbayError('VALIDATION', message)

/** The checked body of a POST or PUT. */
interface TriggerBody extends Pick<AixplainTriggerRecord, 'name' | 'description' | 'input' | 'assetType' | 'assetId' | 'triggerType' | 'enabled' | 'notifications' | 'retryCount'> {
  triggerId: string | null
  configuration: Record<string, unknown> | null
}

function optionalString(body: Record<string, unknown>, field: string, max: number): string | null {
  const v = body[field]
  if (v === undefined || v === null) return null
  if (typeof v !== 'string' || v.length > max) throw bad(`${field} must be a string of at most ${max} characters`)
  return v
}

function optionalBoolean(body: Record<string, unknown>, field: string, fallback: boolean): boolean {
  const v = body[field]
  if (v === undefined || v === null) return fallback
  if (typeof v !== 'boolean') throw bad(`${field} must be true or false`)
  return v
}

/** Checks a POST/PUT body; aiXplain's backend whitelists fields, so an unknown one is a 400 too. */
function checkBody(raw: Record<string, unknown>): TriggerBody {
  const unknown = Object.keys(raw).find((k) => !FIELDS.has(k) && !READ_ONLY.has(k))
  if (unknown !== undefined) throw bad(`${JSON.stringify(unknown.slice(0, 64))} is not a trigger field; the fields are ${[...FIELDS].join(', ')}`)
  const name = raw['name']
  if (typeof name !== 'string' || name.trim() === '' || name.length > 200) throw bad('name is required: a string of 1 to 200 characters')
  const triggerType = raw['triggerType'] ?? 'time'
  if (triggerType !== 'time' && triggerType !== 'external') throw bad('triggerType must be "time" (with configuration) or "external" (with triggerId)')
  const input = raw['input'] ?? null
  if (JSON.stringify(input).length > 100_000) throw bad('input must be at most 100,000 characters of JSON')
  const retry = raw['retryCount']
  if (retry !== undefined && retry !== null && (typeof retry !== 'number' || !Number.isInteger(retry) || retry < 0 || retry > 10))
    throw bad('retryCount must be a whole number from 0 to 10')
  const configuration = raw['configuration']
  if (triggerType === 'time' && (typeof configuration !== 'object' || configuration === null || Array.isArray(configuration))) {
    throw bad('configuration is required for a time trigger: {"type": "once"|"daily"|"weekly"|"monthly"|"recurring", …}')
  }
  const triggerId = optionalString(raw, 'triggerId', 100)
  if (triggerType === 'external' && !triggerId) throw bad('triggerId is required for an external trigger: the trigger_id that activate_trigger answered')
  return {
    name,
    description: optionalString(raw, 'description', 2000),
    input,
    assetType: optionalString(raw, 'assetType', 50) ?? 'agent',
    assetId: optionalString(raw, 'assetId', 200),
    triggerType,
    triggerId: triggerType === 'external' ? triggerId : null,
    configuration: triggerType === 'time' ? (configuration as Record<string, unknown>) : null,
    enabled: optionalBoolean(raw, 'enabled', true),
    notifications: optionalBoolean(raw, 'notifications', false),
    retryCount: typeof retry === 'number' ? retry : null,
  }
}

/** The wire record of a row. */
export function aixplainRecord(r: TriggerInstanceRow): AixplainTriggerRecord {
  return {
    id: r.id,
    name: r.name ?? '',
    description: r.description,
    input: r.input === null ? null : (JSON.parse(r.input) as unknown),
    assetType: r.asset_type ?? 'agent',
    assetId: r.asset_id,
    triggerType: r.trigger_type === 'external' ? 'external' : 'time',
    ...(r.source_trigger_id ? { triggerId: r.source_trigger_id } : {}),
    ...(r.configuration ? { configuration: JSON.parse(r.configuration) as Record<string, unknown> } : {}),
    enabled: r.enabled === 1,
    notifications: r.notifications === 1,
    retryCount: r.retry_count,
    nextRunAt: r.next_run_at,
    lastRunAt: r.last_run_at,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  }
}

/**
 * aiXplain's v1 trigger records (`POST/GET/PUT/DELETE /v1/triggers`, `GET /v1/triggers?agentId=`).
 * A time trigger keeps its `configuration` and its `nextRunAt` (aixplain-schedule.ts); the job
 * engine fires it then (`fireTrigger`: `trigger.fired {triggerId, assetType, assetId, input,
 * cause}`). An external trigger links a trigger instance activated on a connection
 * (`activate_trigger`); each event of that instance also fires it. The hub runs no agents: an
 * agent runner reads the events.
 *
 * @example
 * ```ts
 * const t = await aixplain.create(tenantId, { name: 'Daily digest', input: 'Summarise', assetId: agentId, triggerType: 'time', configuration: { type: 'daily', time: '09:00' } })
 * ```
 */
export class AixplainTriggers {
  readonly #store: Store
  #jobs: TriggerJobs | undefined

  constructor(deps: { store: Store; jobs?: TriggerJobs | undefined }) {
    this.#store = deps.store
    this.#jobs = deps.jobs
  }

  /** Sets the job engine told about due times. */
  useJobs(jobs: TriggerJobs | undefined): void {
    this.#jobs = jobs
  }

  /** The next due time of a time trigger from `now`; throws VALIDATION naming the configuration field. */
  #nextRunAt(configuration: Record<string, unknown>, createdAt: Date, now: Date, creating: boolean): string | null {
    const next = nextRun(fromAixplainConfiguration(configuration, createdAt), now)
    if (!next && creating) throw bad('configuration.runAt is in the past; a once trigger must run in the future')
    return next ? next.toISOString() : null
  }

  async #checkSource(tenantId: string, triggerId: string): Promise<void> {
    const source = await this.#store.triggers.get(tenantId, triggerId)
    if (!source || source.kind !== 'connection') {
      throw bad(
        `triggerId ${JSON.stringify(triggerId.slice(0, 64))} is not a trigger activated on one of your connections; activate one first ({"action": "activate_trigger"} on the connection)`,
      )
    }
  }

  async #tell(row: TriggerInstanceRow): Promise<void> {
    if (row.enabled === 1 && row.next_run_at) await this.#jobs?.schedule(row.id, new Date(row.next_run_at))
    else await this.#jobs?.unschedule(row.id)
  }

  /** Creates a trigger. @throws {PatchbayError} VALIDATION naming the field, LIMIT_REACHED. */
  async create(tenantId: string, raw: Record<string, unknown>, now = new Date()): Promise<AixplainTriggerRecord> {
    const body = checkBody(raw)
    if (body.triggerId) await this.#checkSource(tenantId, body.triggerId)
    if ((await this.#store.triggers.list(tenantId, { kind: 'aixplain' })).length >= MAX_AIXPLAIN_TRIGGERS) {
      throw new PatchbayError('LIMIT_REACHED', `A tenant may have at most ${MAX_AIXPLAIN_TRIGGERS} triggers; delete one first (DELETE /v1/triggers/{id})`)
    }
    const at = now.toISOString()
    const row = newTriggerInstanceRow({
      id: newId(),
      tenant_id: tenantId,
      kind: 'aixplain',
      type: body.triggerType,
      enabled: body.enabled ? 1 : 0,
      configuration: body.configuration ? JSON.stringify(body.configuration) : null,
      next_run_at: body.configuration ? this.#nextRunAt(body.configuration, now, now, true) : null,
      created_at: at,
      name: body.name,
      input: JSON.stringify(body.input),
      asset_type: body.assetType,
      asset_id: body.assetId,
      trigger_type: body.triggerType,
      source_trigger_id: body.triggerId,
      notifications: body.notifications ? 1 : 0,
      description: body.description,
      retry_count: body.retryCount,
    })
    await this.#store.triggers.insert(row)
    await this.#tell(row)
    return aixplainRecord(row)
  }

  async #own(tenantId: string, id: string): Promise<TriggerInstanceRow> {
    const row = await this.#store.triggers.get(tenantId, id)
    if (!row || row.kind !== 'aixplain') throw new PatchbayError('NOT_FOUND', `No trigger ${id.slice(0, 64)}; list them with GET /v1/triggers`)
    return row
  }

  /** A trigger by id. @throws {PatchbayError} NOT_FOUND. */
  async get(tenantId: string, id: string): Promise<AixplainTriggerRecord> {
    return aixplainRecord(await this.#own(tenantId, id))
  }

  /** The tenant's triggers, optionally of one agent (`assetId`). */
  async list(tenantId: string, agentId?: string): Promise<AixplainTriggerRecord[]> {
    return (await this.#store.triggers.list(tenantId, { kind: 'aixplain', ...(agentId ? { assetId: agentId } : {}) })).map(aixplainRecord)
  }

  /**
   * Replaces a trigger's fields (the SDK's `save()` on a fetched trigger; `enabled: false` pauses it).
   * A time trigger's `nextRunAt` is computed again from now.
   * @throws {PatchbayError} VALIDATION, NOT_FOUND.
   */
  async update(tenantId: string, id: string, raw: Record<string, unknown>, now = new Date()): Promise<AixplainTriggerRecord> {
    const row = await this.#own(tenantId, id)
    const body = checkBody(raw)
    if (body.triggerId && body.triggerId !== row.source_trigger_id) await this.#checkSource(tenantId, body.triggerId)
    const next = body.configuration ? this.#nextRunAt(body.configuration, new Date(row.created_at), now, false) : null
    const updated = await this.#store.triggers.update(
      tenantId,
      id,
      {
        name: body.name,
        description: body.description,
        input: JSON.stringify(body.input),
        asset_type: body.assetType,
        asset_id: body.assetId,
        type: body.triggerType,
        trigger_type: body.triggerType,
        source_trigger_id: body.triggerId,
        configuration: body.configuration ? JSON.stringify(body.configuration) : null,
        next_run_at: next,
        enabled: body.enabled ? 1 : 0,
        notifications: body.notifications ? 1 : 0,
        retry_count: body.retryCount,
      },
      { now },
    )
    if (!updated) throw new PatchbayError('NOT_FOUND', `No trigger ${id.slice(0, 64)}; list them with GET /v1/triggers`)
    await this.#tell(updated)
    return aixplainRecord(updated)
  }

  /** Deletes a trigger. @throws {PatchbayError} NOT_FOUND. */
  async remove(tenantId: string, id: string): Promise<void> {
    const row = await this.#own(tenantId, id)
    await this.#store.triggers.delete(tenantId, row.id)
    await this.#jobs?.unschedule(row.id)
  }
}
