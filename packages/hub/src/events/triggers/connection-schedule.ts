import type { Ajv, ValidateFunction } from 'ajv'
import { PatchbayError, type ActionDefinition } from '@patchbay/core'
import { describeInputError } from '../../actions/normalise-input.js'
import type { Integration } from '../../catalog/catalog.js'
import { nextRun, parseSchedule, type Schedule } from './schedule.js'
import { createAjv } from '../../catalog/ajv.js'

/** The built-in trigger slug of a schedule on a connection (`POST /api/v2/connections/{id}/triggers`). */
export const SCHEDULE_SLUG = 'SCHEDULE'

/** The stored `type` of a schedule instance (a `connection` row of `trigger_instances`). */
export const SCHEDULE_TYPE = 'schedule'

/** A checked schedule config: the action, its inputs split into public and write-only, the schedule, the first run. */
export interface ConnectionSchedule {
  /** The action's code as the integration spells it. */
  action: string
  /** The inputs stored in the row's config (no write-only field). */
  input: Record<string, unknown>
  /** The action's write-only inputs (sealed with the instance's secrets). */
  secretInput: Record<string, unknown>
  /** The schedule as the caller gave it (`once`, `everySeconds` or `cron` + `timezone`). */
  given: Record<string, unknown>
  /** The normalised schedule (stored in the row's `configuration`). */
  schedule: Schedule
  /** The first due time, or null when a `once` is not in the future. */
  firstRunAt: Date | null
}

// Made on the first validation, so importing this module loads no Ajv (catalog/ajv.ts).
let ajvInstance: Ajv | undefined
const ajv = (): Ajv => (ajvInstance ??= createAjv({ allErrors: false, strict: false }))
const validators = new WeakMap<object, ValidateFunction>()

function invalid(message: string): PatchbayError {
  return new PatchbayError('VALIDATION', message)
}

function checkInput(integration: Integration, action: ActionDefinition, raw: unknown): Record<string, unknown> {
  const input = raw === undefined || raw === null ? {} : raw
  if (typeof input !== 'object' || Array.isArray(input)) throw invalid(`config.input must be a JSON object of the inputs of ${action.code}`)
  let validate = validators.get(action.input)
  if (!validate) {
    validate = ajv().compile(action.input)
    validators.set(action.input, validate)
  }
  if (!validate(input)) {
    const first = validate.errors?.[0]
    throw invalid(`config.input: ${first ? describeInputError(first) : 'is invalid'} (the schema is the input of ${action.code} on ${integration.definition.name})`)
  }
  return { ...(input as Record<string, unknown>) }
}

/** The caller's schedule (`{once}`, `{everySeconds, startAt?}`, `{cron, timezone?}`) as a {@link Schedule}. */
function toSchedule(given: unknown, now: Date): Schedule {
  if (typeof given !== 'object' || given === null || Array.isArray(given)) {
    throw invalid('config.schedule is required: {"once": "<ISO time>"}, {"everySeconds": 3600} or {"cron": "0 8 * * *", "timezone": "Europe/Berlin"}')
  }
  const g = given as Record<string, unknown>
  const kinds = ['once', 'everySeconds', 'cron'].filter((k) => g[k] !== undefined)
  if (kinds.length !== 1) throw invalid('config.schedule must have exactly one of once, everySeconds, cron')
  try {
    if (kinds[0] === 'once') return parseSchedule({ kind: 'once', at: g['once'] })
    if (kinds[0] === 'everySeconds')
      return parseSchedule({ kind: 'interval', everySeconds: g['everySeconds'], startAt: g['startAt'] ?? new Date(now.getTime() + Number(g['everySeconds']) * 1000).toISOString() })
    return parseSchedule({ kind: 'cron', expression: g['cron'], timezone: g['timezone'] ?? 'UTC', ...(g['startAt'] === undefined ? {} : { startAt: g['startAt'] }) })
  } catch (err) {
    if (!(err instanceof PatchbayError)) throw err
    // schedule.ts names its own fields (at, expression); say them as the caller wrote them.
    const field = err.message.replace(/^at /, 'once ').replace(/^expression /, 'cron ')
    throw invalid(`config.schedule.${field}`)
  }
}

/**
 * Checks the config of a {@link SCHEDULE_SLUG} instance: `action` must be an action of the
 * connection's integration, `input` must pass the action's input schema, `schedule` must be one of
 * `{once: "<ISO instant>"}` (in the future), `{everySeconds: ≥ 60, startAt?}` (first at `startAt`,
 * default one interval from now) or
 * `{cron: "<5 fields>", timezone?: "<IANA>"}` (events/triggers/schedule.ts).
 *
 * @example
 * ```ts
 * checkConnectionSchedule(integration, { action: 'GET_PATH', input: { path: '/report' }, schedule: { cron: '0 8 * * *', timezone: 'Europe/Berlin' } }, new Date())
 * ```
 *
 * @throws {PatchbayError} VALIDATION naming the field (`config.action`, `config.input: 'path' is required`, `config.schedule.cron …`).
 */
export function checkConnectionSchedule(integration: Integration, config: unknown, now: Date): ConnectionSchedule {
  if (typeof config !== 'object' || config === null || Array.isArray(config)) {
    throw invalid('config must be a JSON object {action, input, schedule}')
  }
  const c = config as Record<string, unknown>
  const extra = Object.keys(c).find((k) => !['action', 'input', 'schedule'].includes(k))
  if (extra !== undefined) throw invalid(`config.${extra.slice(0, 64)} is not a field of a schedule; the fields are action, input, schedule`)
  const actions = integration.definition.actions
  const code = c['action']
  const action = typeof code === 'string' ? (actions.find((a) => a.code === code) ?? actions.find((a) => a.code.toLowerCase() === code.toLowerCase())) : undefined
  if (!action) {
    throw invalid(`config.action must be an action of ${integration.definition.name}: one of ${actions.map((a) => a.code).join(', ') || '(none)'}`)
  }
  const all = checkInput(integration, action, c['input'])
  const props = (action.input['properties'] ?? {}) as Record<string, { writeOnly?: unknown } | undefined>
  const input: Record<string, unknown> = {}
  const secretInput: Record<string, unknown> = {}
  for (const [k, v] of Object.entries(all)) (props[k]?.writeOnly === true ? secretInput : input)[k] = v
  const schedule = toSchedule(c['schedule'], now)
  const firstRunAt = nextRun(schedule, new Date(now.getTime() - 1))
  if (schedule.kind === 'once' && firstRunAt === null) throw invalid('config.schedule.once must be in the future')
  return { action: action.code, input, secretInput, given: c['schedule'] as Record<string, unknown>, schedule, firstRunAt }
}
