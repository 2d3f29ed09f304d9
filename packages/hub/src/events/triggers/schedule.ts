import { PatchbayError } from '@patchbay/core'
import { Cron } from 'croner'

/** The shortest interval of a schedule or a poll, in seconds. */
export const MIN_INTERVAL_SECONDS = 60

/**
 * When a schedule fires: `once` at an instant; `interval`, every `everySeconds` from `startAt`;
 * `cron`, a five-field cron expression (minute hour day-of-month month day-of-week) read in
 * `timezone` (an IANA name, default `UTC`), not before `startAt` when set.
 */
export type Schedule =
  | { kind: 'once'; at: string }
  | { kind: 'interval'; everySeconds: number; startAt: string }
  | { kind: 'cron'; expression: string; timezone: string; startAt?: string }

function invalid(field: string, message: string): PatchbayError {
  return new PatchbayError('VALIDATION', `${field} ${message}`)
}

function instant(value: unknown, field: string): string {
  if (typeof value !== 'string' || !/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.test(value) || Number.isNaN(Date.parse(value))) {
    throw invalid(field, 'must be an ISO 8601 instant with an offset, e.g. 2026-01-26T12:00:00Z')
  }
  return new Date(value).toISOString()
}

/** Checks an IANA time zone name; throws a VALIDATION error naming `field` if the runtime does not know it. */
export function checkTimezone(value: unknown, field = 'timezone'): string {
  if (typeof value !== 'string' || value === '') throw invalid(field, 'must be an IANA time zone name, e.g. Europe/Berlin')
  try {
    new Intl.DateTimeFormat('en', { timeZone: value })
  } catch {
    throw invalid(field, `"${value}" is not a known IANA time zone (e.g. Europe/Berlin, America/New_York, UTC)`)
  }
  return value
}

function compileCron(expression: string, timezone: string, startAt: string | undefined): Cron {
  if (expression.trim().split(/\s+/).length !== 5) {
    throw invalid('cron', `"${expression}" must have five fields (minute hour day-of-month month day-of-week); schedules run at most once a minute`)
  }
  try {
    return new Cron(expression, { timezone, paused: true, ...(startAt ? { startAt } : {}) })
  } catch (err) {
    throw invalid('cron', `"${expression}" is not a valid cron expression: ${(err as Error).message}`)
  }
}

/**
 * Validates a {@link Schedule} given as data (e.g. a request body) and answers it normalised
 * (instants in UTC ISO form). Throws a VALIDATION error naming the field to fix.
 */
export function parseSchedule(value: unknown): Schedule {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw invalid('schedule', 'must be an object with kind once, interval or cron')
  const v = value as Record<string, unknown>
  switch (v['kind']) {
    case 'once':
      return { kind: 'once', at: instant(v['at'], 'at') }
    case 'interval': {
      const every = v['everySeconds']
      if (typeof every !== 'number' || !Number.isInteger(every) || every < MIN_INTERVAL_SECONDS) {
        throw invalid('everySeconds', `must be a whole number of seconds, at least ${MIN_INTERVAL_SECONDS}`)
      }
      return { kind: 'interval', everySeconds: every, startAt: instant(v['startAt'], 'startAt') }
    }
    case 'cron': {
      if (typeof v['expression'] !== 'string') throw invalid('expression', 'must be a cron expression, e.g. "0 8 * * mon-fri"')
      const timezone = checkTimezone(v['timezone'] ?? 'UTC')
      const startAt = v['startAt'] === undefined ? undefined : instant(v['startAt'], 'startAt')
      compileCron(v['expression'], timezone, startAt)
      return { kind: 'cron', expression: v['expression'], timezone, ...(startAt ? { startAt } : {}) }
    }
    default:
      throw invalid('kind', 'must be one of "once", "interval", "cron"')
  }
}

/**
 * The first time `schedule` fires strictly after `after`, or `null` when it never fires again (a
 * `once` schedule in the past). Cron times are wall-clock times in the schedule's zone: a time
 * skipped by a DST change (02:30 on the spring-forward day in Europe/Berlin) fires at the same
 * offset after the gap (03:30), a time that occurs twice (01:30 on the fall-back day in
 * America/New_York) fires once, at its first occurrence. An interval is a fixed number of seconds
 * and ignores DST.
 */
export function nextRun(schedule: Schedule, after: Date): Date | null {
  switch (schedule.kind) {
    case 'once': {
      const at = new Date(schedule.at)
      return at.getTime() > after.getTime() ? at : null
    }
    case 'interval': {
      const start = Date.parse(schedule.startAt)
      const step = schedule.everySeconds * 1000
      if (after.getTime() < start) return new Date(start)
      const k = Math.floor((after.getTime() - start) / step) + 1
      return new Date(start + k * step)
    }
    case 'cron':
      return compileCron(schedule.expression, schedule.timezone, schedule.startAt).nextRun(after)
  }
}
