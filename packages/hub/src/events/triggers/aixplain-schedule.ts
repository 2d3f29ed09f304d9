import { PatchbayError } from '@patchbay/core'
import { Cron } from 'croner'
import { checkTimezone, parseSchedule, type Schedule } from './schedule.js'

const WEEKDAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const
const UNIT_SECONDS = { minute: 60, hour: 3600, day: 86_400, week: 604_800 } as const

function invalid(field: string, message: string): PatchbayError {
  return new PatchbayError('VALIDATION', `configuration.${field} ${message}`)
}

function timeOfDay(value: unknown): { hour: number; minute: number } {
  const text = value ?? '00:00'
  const m = typeof text === 'string' ? /^([01]\d|2[0-3]):([0-5]\d)(:00)?$/.exec(text) : null
  if (!m) throw invalid('time', 'must be a time of day HH:MM (24-hour), e.g. "09:00"')
  return { hour: Number(m[1]), minute: Number(m[2]) }
}

/** A `runAt` with an offset is that instant; without one it is a wall-clock time in `timezone`. */
function runAtInstant(value: unknown, timezone: string): string {
  if (typeof value !== 'string' || !/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})?$/.test(value) || Number.isNaN(Date.parse(value))) {
    throw invalid('runAt', 'must be an ISO 8601 date-time, e.g. "2026-01-26T12:00:00Z" (or without offset, read in timezone)')
  }
  if (/(Z|[+-]\d{2}:\d{2})$/.test(value)) return new Date(value).toISOString()
  const at = new Cron(value.length === 16 ? `${value}:00` : value.replace(/\.\d+$/, ''), { timezone, paused: true }).nextRun(new Date(0))
  if (!at) throw invalid('runAt', `"${value}" does not exist in ${timezone}`)
  return at.toISOString()
}

function weekdays(value: unknown): string {
  if (!Array.isArray(value) || value.length === 0) throw invalid('daysOfWeek', 'must list at least one of mon, tue, wed, thu, fri, sat, sun')
  const days = value.map((d) => (typeof d === 'string' ? d.trim().toLowerCase() : d))
  const bad = days.find((d) => !WEEKDAYS.includes(d as (typeof WEEKDAYS)[number]))
  if (bad !== undefined) throw invalid('daysOfWeek', `has ${JSON.stringify(bad)}; use mon, tue, wed, thu, fri, sat, sun`)
  return [...new Set(days as string[])].join(',')
}

function monthdays(value: unknown): string {
  if (!Array.isArray(value) || value.length === 0) throw invalid('daysOfMonth', 'must list at least one day number 1-31')
  const bad = value.find((d) => typeof d !== 'number' || !Number.isInteger(d) || d < 1 || d > 31)
  if (bad !== undefined) throw invalid('daysOfMonth', `has ${JSON.stringify(bad)}; days are whole numbers 1-31`)
  return [...new Set(value as number[])].sort((a, b) => a - b).join(',')
}

/**
 * Maps aiXplain's v2 trigger `configuration` (`aixplain/v2/trigger.py`: `type` once, daily, weekly,
 * monthly or recurring, with `runAt`, `time`, `timezone`, `daysOfWeek`, `daysOfMonth`, `startAt`,
 * `repeat {every, unit}`) onto a {@link Schedule}. A `recurring` schedule without `startAt` counts
 * from `createdAt`. Weekly and monthly default `time` to 00:00; a monthly day the month lacks (31
 * in April) is skipped that month. Throws a VALIDATION error naming the field to fix.
 *
 * @example
 * ```ts
 * fromAixplainConfiguration({ type: 'weekly', daysOfWeek: ['mon', 'thu'], time: '17:00', timezone: 'Europe/London' }, new Date())
 * // → { kind: 'cron', expression: '0 17 * * mon,thu', timezone: 'Europe/London' }
 * ```
 */
export function fromAixplainConfiguration(configuration: unknown, createdAt: Date): Schedule {
  if (typeof configuration !== 'object' || configuration === null || Array.isArray(configuration)) {
    throw new PatchbayError('VALIDATION', 'configuration must be an object with type once, daily, weekly, monthly or recurring')
  }
  const c = configuration as Record<string, unknown>
  const timezone = checkTimezone(c['timezone'] ?? 'UTC', 'configuration.timezone')
  const cron = (days: string, weekdaysField: string): Schedule => {
    const { hour, minute } = timeOfDay(c['time'])
    return parseSchedule({ kind: 'cron', expression: `${minute} ${hour} ${days} * ${weekdaysField}`, timezone })
  }
  switch (c['type']) {
    case 'once':
      return { kind: 'once', at: runAtInstant(c['runAt'], timezone) }
    case 'daily':
      if (c['time'] === undefined) throw invalid('time', 'is required for a daily trigger, e.g. "09:00"')
      return cron('*', '*')
    case 'weekly':
      return cron('*', weekdays(c['daysOfWeek']))
    case 'monthly':
      return cron(monthdays(c['daysOfMonth']), '*')
    case 'recurring': {
      const repeat = c['repeat']
      if (typeof repeat !== 'object' || repeat === null) throw invalid('repeat', 'is required for a recurring trigger: {"every": 2, "unit": "hour"}')
      const { every, unit } = repeat as Record<string, unknown>
      if (typeof every !== 'number' || !Number.isInteger(every) || every < 1) throw invalid('repeat.every', 'must be a whole number, at least 1')
      if (typeof unit !== 'string' || !(unit in UNIT_SECONDS)) throw invalid('repeat.unit', 'must be one of minute, hour, day, week')
      const startAt = c['startAt'] === undefined ? createdAt.toISOString() : c['startAt']
      try {
        return parseSchedule({ kind: 'interval', everySeconds: every * UNIT_SECONDS[unit as keyof typeof UNIT_SECONDS], startAt })
      } catch (err) {
        throw err instanceof PatchbayError ? new PatchbayError('VALIDATION', `configuration.${err.message}`) : err
      }
    }
    default:
      throw invalid('type', 'must be one of once, daily, weekly, monthly, recurring')
  }
}
