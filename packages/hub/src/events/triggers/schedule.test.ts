import { describe, expect, it } from 'vitest'
import { fromAixplainConfiguration } from './aixplain-schedule.js'
import { nextRun, parseSchedule, type Schedule } from './schedule.js'

const iso = (d: Date | null) => d?.toISOString() ?? null
function runs(schedule: Schedule, from: string, n: number): string[] {
  const out: string[] = []
  let after = new Date(from)
  for (let i = 0; i < n; i++) {
    const next = nextRun(schedule, after)
    if (!next) break
    out.push(next.toISOString())
    after = next
  }
  return out
}

describe('schedules', () => {
  it('once: fires at its instant, then never', () => {
    const s = parseSchedule({ kind: 'once', at: '2026-06-01T09:00:00+02:00' })
    expect(s).toEqual({ kind: 'once', at: '2026-06-01T07:00:00.000Z' })
    expect(iso(nextRun(s, new Date('2026-05-01T00:00:00Z')))).toBe('2026-06-01T07:00:00.000Z')
    expect(nextRun(s, new Date('2026-06-01T07:00:00Z'))).toBeNull()
  })

  it('interval: every N seconds from its start, strictly after the given time, ignoring DST', () => {
    const s = parseSchedule({ kind: 'interval', everySeconds: 3600, startAt: '2026-03-28T23:30:00Z' })
    expect(iso(nextRun(s, new Date('2026-03-01T00:00:00Z')))).toBe('2026-03-28T23:30:00.000Z')
    expect(runs(s, '2026-03-29T00:00:00Z', 3)).toEqual(['2026-03-29T00:30:00.000Z', '2026-03-29T01:30:00.000Z', '2026-03-29T02:30:00.000Z'])
    expect(iso(nextRun(s, new Date('2026-03-29T00:30:00Z')))).toBe('2026-03-29T01:30:00.000Z')
  })

  it('cron in a time zone: 08:00 in Berlin is 07:00Z in winter and 06:00Z after spring-forward', () => {
    const s = parseSchedule({ kind: 'cron', expression: '0 8 * * *', timezone: 'Europe/Berlin' })
    expect(runs(s, '2026-03-27T12:00:00Z', 3)).toEqual(['2026-03-28T07:00:00.000Z', '2026-03-29T06:00:00.000Z', '2026-03-30T06:00:00.000Z'])
    // Autumn: back to CET on 2026-10-25.
    expect(runs(s, '2026-10-24T12:00:00Z', 2)).toEqual(['2026-10-25T07:00:00.000Z', '2026-10-26T07:00:00.000Z'])
  })

  it('cron across DST gaps and folds: a skipped time fires after the gap, a doubled one fires once', () => {
    // 02:30 does not exist in Berlin on 2026-03-29 (02:00 → 03:00): it fires at 03:30 CEST.
    const berlin = parseSchedule({ kind: 'cron', expression: '30 2 * * *', timezone: 'Europe/Berlin' })
    expect(runs(berlin, '2026-03-28T12:00:00Z', 2)).toEqual(['2026-03-29T01:30:00.000Z', '2026-03-30T00:30:00.000Z'])
    // 01:30 happens twice in New York on 2026-11-01 (EDT then EST): one run, at the first.
    const ny = parseSchedule({ kind: 'cron', expression: '30 1 * * *', timezone: 'America/New_York' })
    expect(runs(ny, '2026-10-31T12:00:00Z', 3)).toEqual(['2026-11-01T05:30:00.000Z', '2026-11-02T06:30:00.000Z', '2026-11-03T06:30:00.000Z'])
    // Spring forward in New York (2026-03-08): 09:00 local moves from 14:00Z to 13:00Z.
    const nyMorning = parseSchedule({ kind: 'cron', expression: '0 9 * * *', timezone: 'America/New_York' })
    expect(runs(nyMorning, '2026-03-07T00:00:00Z', 2)).toEqual(['2026-03-07T14:00:00.000Z', '2026-03-08T13:00:00.000Z'])
  })

  it('cron honours startAt', () => {
    const s = parseSchedule({ kind: 'cron', expression: '0 12 * * *', timezone: 'UTC', startAt: '2026-05-10T00:00:00Z' })
    expect(iso(nextRun(s, new Date('2026-05-01T00:00:00Z')))).toBe('2026-05-10T12:00:00.000Z')
  })

  it('rejects bad input with an error naming the field', () => {
    const bad: Array<[unknown, string]> = [
      [null, 'schedule must be an object with kind once, interval or cron'],
      [{ kind: 'daily' }, 'kind must be one of "once", "interval", "cron"'],
      [{ kind: 'once', at: 'tomorrow' }, 'at must be an ISO 8601 instant with an offset'],
      [{ kind: 'once', at: '2026-06-01T09:00:00' }, 'at must be an ISO 8601 instant with an offset'],
      [{ kind: 'interval', everySeconds: 30, startAt: '2026-01-01T00:00:00Z' }, 'everySeconds must be a whole number of seconds, at least 60'],
      [{ kind: 'interval', everySeconds: 60 }, 'startAt must be an ISO 8601 instant'],
      [{ kind: 'cron', expression: '61 * * * *' }, 'cron "61 * * * *" is not a valid cron expression'],
      [{ kind: 'cron', expression: '* * * * * *' }, 'must have five fields'],
      [{ kind: 'cron', expression: '0 8 * * *', timezone: 'Mars/Olympus' }, 'timezone "Mars/Olympus" is not a known IANA time zone'],
    ]
    for (const [input, message] of bad) {
      expect(() => parseSchedule(input), JSON.stringify(input)).toThrow(message)
    }
    try {
      parseSchedule({ kind: 'once', at: 'x' })
    } catch (err) {
      expect((err as { code: string }).code).toBe('VALIDATION')
    }
  })
})

describe("aiXplain's v2 trigger configuration", () => {
  const created = new Date('2026-01-01T10:00:00Z')

  it('once: runAt with an offset, or a wall-clock time in the time zone', () => {
    expect(fromAixplainConfiguration({ type: 'once', runAt: '2026-01-26T12:00:00Z' }, created)).toEqual({ kind: 'once', at: '2026-01-26T12:00:00.000Z' })
    expect(fromAixplainConfiguration({ type: 'once', runAt: '2026-07-01T09:00:00', timezone: 'Europe/Berlin' }, created)).toEqual({ kind: 'once', at: '2026-07-01T07:00:00.000Z' })
    expect(fromAixplainConfiguration({ type: 'once', runAt: '2026-01-15T09:00', timezone: 'America/New_York' }, created)).toEqual({ kind: 'once', at: '2026-01-15T14:00:00.000Z' })
  })

  it('daily, weekly and monthly become cron in the time zone', () => {
    expect(fromAixplainConfiguration({ type: 'daily', time: '09:00', timezone: 'Europe/London' }, created)).toEqual({
      kind: 'cron',
      expression: '0 9 * * *',
      timezone: 'Europe/London',
    })
    const weekly = fromAixplainConfiguration({ type: 'weekly', daysOfWeek: ['mon', 'thu'], time: '17:30', timezone: 'Europe/Berlin' }, created)
    expect(weekly).toEqual({ kind: 'cron', expression: '30 17 * * mon,thu', timezone: 'Europe/Berlin' })
    // Thursday 2026-03-26 is CET, Monday 2026-03-30 is CEST.
    expect(runs(weekly, '2026-03-25T00:00:00Z', 2)).toEqual(['2026-03-26T16:30:00.000Z', '2026-03-30T15:30:00.000Z'])
    const monthly = fromAixplainConfiguration({ type: 'monthly', daysOfMonth: [15, 1, 31], time: '09:00' }, created)
    expect(monthly).toEqual({ kind: 'cron', expression: '0 9 1,15,31 * *', timezone: 'UTC' })
    expect(runs(monthly, '2026-04-20T00:00:00Z', 3)).toEqual(['2026-05-01T09:00:00.000Z', '2026-05-15T09:00:00.000Z', '2026-05-31T09:00:00.000Z'])
    expect(fromAixplainConfiguration({ type: 'weekly', daysOfWeek: ['sun'] }, created)).toEqual({ kind: 'cron', expression: '0 0 * * sun', timezone: 'UTC' })
  })

  it('recurring becomes an interval from startAt, or from creation', () => {
    expect(fromAixplainConfiguration({ type: 'recurring', repeat: { every: 2, unit: 'hour' } }, created)).toEqual({
      kind: 'interval',
      everySeconds: 7200,
      startAt: '2026-01-01T10:00:00.000Z',
    })
    expect(fromAixplainConfiguration({ type: 'recurring', startAt: '2026-02-01T00:00:00Z', repeat: { every: 1, unit: 'week' } }, created)).toEqual({
      kind: 'interval',
      everySeconds: 604_800,
      startAt: '2026-02-01T00:00:00.000Z',
    })
    expect(fromAixplainConfiguration({ type: 'recurring', repeat: { every: 1, unit: 'minute' } }, created)).toMatchObject({ everySeconds: 60 })
  })

  it('rejects bad configurations naming the field', () => {
    const bad: Array<[unknown, string]> = [
      ['daily', 'configuration must be an object'],
      [{ type: 'hourly' }, 'configuration.type must be one of once, daily, weekly, monthly, recurring'],
      [{ type: 'once' }, 'configuration.runAt must be an ISO 8601 date-time'],
      [{ type: 'daily' }, 'configuration.time is required for a daily trigger'],
      [{ type: 'daily', time: '25:00' }, 'configuration.time must be a time of day HH:MM'],
      [{ type: 'weekly', daysOfWeek: [] }, 'configuration.daysOfWeek must list at least one'],
      [{ type: 'weekly', daysOfWeek: ['funday'] }, 'configuration.daysOfWeek has "funday"'],
      [{ type: 'monthly', daysOfMonth: [0] }, 'configuration.daysOfMonth has 0; days are whole numbers 1-31'],
      [{ type: 'monthly', daysOfMonth: [32] }, 'configuration.daysOfMonth has 32'],
      [{ type: 'recurring' }, 'configuration.repeat is required'],
      [{ type: 'recurring', repeat: { every: 0, unit: 'hour' } }, 'configuration.repeat.every must be a whole number, at least 1'],
      [{ type: 'recurring', repeat: { every: 1, unit: 'month' } }, 'configuration.repeat.unit must be one of minute, hour, day, week'],
      [{ type: 'recurring', startAt: 'soon', repeat: { every: 1, unit: 'day' } }, 'configuration.startAt must be an ISO 8601 instant'],
      [{ type: 'daily', time: '09:00', timezone: 'Nowhere/Land' }, 'configuration.timezone "Nowhere/Land" is not a known IANA time zone'],
    ]
    for (const [input, message] of bad) expect(() => fromAixplainConfiguration(input, created), JSON.stringify(input)).toThrow(message)
  })
})
