import { PatchbayError, type IntegrationDefinition } from '@patchbay/core'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { startTriggerHarness, type TriggerHarness } from '../../../../../test/support/trigger-fixtures.js'
import { toIntegration } from '../../catalog/catalog.js'
import { connect } from '../../connections/connect.js'

/** A service with one action: GET /report?day=&token= answers `{ day, count }` (503 while down). */
function reportsIntegration(baseUrl: string): IntegrationDefinition {
  return {
    id: 'reports',
    name: 'Reports',
    description: 'A service answering daily reports',
    baseUrl,
    auth: { NO_AUTH: { inputs: [] } },
    actions: [
      {
        code: 'GET_REPORT',
        name: 'Get report',
        description: 'The report of a day',
        input: { type: 'object', required: ['day'], additionalProperties: false, properties: { day: { type: 'string' }, token: { type: 'string', writeOnly: true } } },
        request: { method: 'GET', path: '/report', query: { day: '{day}', token: '{token}' } },
      },
    ],
  } as IntegrationDefinition
}

describe('schedules on a connection (SQLite, in-process engine, a local service)', () => {
  const clock = { now: new Date() }
  let h: TriggerHarness
  let store: TriggerHarness['store']
  let tenantId: string
  let upstream: TriggerHarness['upstream']
  let engine: TriggerHarness['engine']
  let instances: TriggerHarness['instances']
  let connectionId: string
  let down = false

  beforeEach(async () => {
    h = await startTriggerHarness({ prefix: 'pb-conn-schedule-', clock, integrations: (url) => [toIntegration(reportsIntegration(url), 'test')] })
    ;({ store, tenantId, upstream, engine, instances } = h)
    down = false
    upstream.handler = (req) => (req.path === '/report' ? (down ? { status: 503, body: { error: 'maintenance' } } : { body: { day: req.query.get('day'), count: 7 } }) : undefined)
    connectionId = (await connect({ store, vault: h.vault }, tenantId, h.catalog.get('reports') as never, { authScheme: 'NO_AUTH', data: {} })).id
  })
  afterEach(() => h.close())

  const events = () => h.events()
  const row = (id: string) => h.row(id)
  const schedule = (config: unknown) => instances.activate(tenantId, connectionId, { slug: 'SCHEDULE', config }, 'http://127.0.0.1')
  const at = (iso: string | null) => {
    clock.now = new Date(iso as string)
  }

  it('once: fires at its time with the action result, then is unscheduled', async () => {
    const when = new Date(Date.now() + 120_000).toISOString()
    const { triggerId, nextRunAt } = await schedule({ action: 'GET_REPORT', input: { day: 'mon' }, schedule: { once: when } })
    expect(nextRunAt).toBe(when)
    expect(await engine.runDue()).toBe(0)
    at(when)
    expect(await engine.runDue()).toBe(1)
    expect(await events()).toEqual([
      {
        type: 'trigger.fired',
        data: expect.objectContaining({
          triggerId,
          connectionId,
          slug: 'SCHEDULE',
          action: 'GET_REPORT',
          result: { day: 'mon', count: 7 },
          cause: { type: 'schedule', scheduledAt: when },
        }),
      },
    ])
    expect((await row(triggerId)).next_run_at).toBeNull()
    clock.now = new Date(clock.now.getTime() + 3_600_000)
    expect(await engine.runDue()).toBe(0)
    expect(upstream.received.filter((r) => r.path === '/report')).toHaveLength(1)
  })

  it('every interval: first one interval after creation, then every interval; a write-only input is sealed, not stored in the config', async () => {
    const { triggerId, nextRunAt } = await schedule({ action: 'get_report', input: { day: 'tue', token: 's3cret-token' }, schedule: { everySeconds: 300 } })
    const stored = await row(triggerId)
    expect(stored.config).not.toContain('s3cret-token')
    expect(stored.secret).not.toContain('s3cret-token')
    expect(JSON.parse(stored.config)).toEqual({ action: 'GET_REPORT', input: { day: 'tue' }, schedule: { everySeconds: 300 } })
    expect(Date.parse(nextRunAt as string) - Date.now()).toBeGreaterThan(290_000)
    at(nextRunAt as string)
    expect(await engine.runDue()).toBe(1)
    expect((await row(triggerId)).next_run_at).toBe(new Date(Date.parse(nextRunAt as string) + 300_000).toISOString())
    at((await row(triggerId)).next_run_at)
    expect(await engine.runDue()).toBe(1)
    expect((await events()).map((e) => e.data['result'])).toEqual([
      { day: 'tue', count: 7 },
      { day: 'tue', count: 7 },
    ])
    expect(upstream.received.map((r) => r.query.get('token'))).toEqual(['s3cret-token', 's3cret-token'])
  })

  it('cron in a time zone: fires at 08:00 Berlin time and moves to the next day; failures move on and emit trigger.failed at the third in a row', async () => {
    const { triggerId, nextRunAt } = await schedule({ action: 'GET_REPORT', input: { day: 'any' }, schedule: { cron: '0 8 * * *', timezone: 'Europe/Berlin' } })
    const berlin = new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/Berlin', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' })
    expect(berlin.format(new Date(nextRunAt as string))).toBe('08:00')
    at(nextRunAt as string)
    expect(await engine.runDue()).toBe(1)
    const next = (await row(triggerId)).next_run_at as string
    expect(berlin.format(new Date(next))).toBe('08:00')
    expect(Date.parse(next) - Date.parse(nextRunAt as string)).toBeGreaterThanOrEqual(23 * 3_600_000)
    expect((await events())[0]).toEqual({ type: 'trigger.fired', data: expect.objectContaining({ triggerId, action: 'GET_REPORT', result: { day: 'any', count: 7 } }) })
    down = true
    for (let i = 0; i < 4; i++) {
      at((await row(triggerId)).next_run_at)
      expect(await engine.runDue()).toBe(1)
      expect(berlin.format(new Date((await row(triggerId)).next_run_at as string))).toBe('08:00')
    }
    const failed = (await events()).filter((e) => e.type === 'trigger.failed')
    expect(failed).toEqual([{ type: 'trigger.failed', data: expect.objectContaining({ triggerId, connectionId, failures: 3 }) }])
    expect(await row(triggerId)).toMatchObject({ failures: 4, last_error: expect.any(String) })
    down = false
    at((await row(triggerId)).next_run_at)
    expect(await engine.runDue()).toBe(1)
    expect(await row(triggerId)).toMatchObject({ failures: 0, last_error: null })
  })

  it('bad input is a VALIDATION error naming the field, and nothing is stored', async () => {
    const bad = async (config: unknown) => {
      const err = (await schedule(config).catch((e: unknown) => e)) as PatchbayError
      expect(err).toBeInstanceOf(PatchbayError)
      expect(err.code).toBe('VALIDATION')
      return err.message
    }
    const ok = { action: 'GET_REPORT', input: { day: 'x' }, schedule: { everySeconds: 60 } }
    expect(await bad({ ...ok, action: 'NOPE' })).toMatch(/^config\.action must be an action of Reports: one of GET_REPORT/)
    expect(await bad({ ...ok, input: {} })).toMatch(/^config\.input: 'day' is required/)
    expect(await bad({ ...ok, input: { day: 'x', extra: 1 } })).toMatch(/'extra' is not an input/)
    expect(await bad({ ...ok, schedule: { everySeconds: 59 } })).toMatch(/^config\.schedule\.everySeconds must be a whole number of seconds, at least 60/)
    expect(await bad({ ...ok, schedule: { cron: '0 8 * *' } })).toMatch(/^config\.schedule\.cron .* must have five fields/)
    expect(await bad({ ...ok, schedule: { cron: '0 99 * * *' } })).toMatch(/^config\.schedule\.cron .* is not a valid cron expression/)
    expect(await bad({ ...ok, schedule: { cron: '0 8 * * *', timezone: 'Mars/Olympus' } })).toMatch(/^config\.schedule\.timezone "Mars\/Olympus" is not a known IANA time zone/)
    expect(await bad({ ...ok, schedule: { once: '2020-01-01T00:00:00Z' } })).toMatch(/^config\.schedule\.once must be in the future/)
    expect(await bad({ ...ok, schedule: { once: 'tomorrow' } })).toMatch(/^config\.schedule\.once must be an ISO 8601 instant/)
    expect(await bad({ ...ok, schedule: { once: new Date(Date.now() + 60_000).toISOString(), everySeconds: 60 } })).toMatch(/exactly one of once, everySeconds, cron/)
    expect(await bad({ ...ok, schedule: undefined })).toMatch(/^config\.schedule is required/)
    expect(await store.triggers.list(tenantId)).toEqual([])
  })

  it('pause, resume and delete: a paused schedule does not run, a resumed one runs its missed time once, a deleted one never', async () => {
    const { triggerId, nextRunAt } = await schedule({ action: 'GET_REPORT', input: { day: 'wed' }, schedule: { everySeconds: 60 } })
    const paused = await instances.setEnabled(tenantId, connectionId, triggerId, false, 'http://127.0.0.1')
    expect(paused).toMatchObject({ enabled: false, slug: 'SCHEDULE', type: 'schedule', config: { action: 'GET_REPORT', input: { day: 'wed' }, schedule: { everySeconds: 60 } } })
    clock.now = new Date(Date.parse(nextRunAt as string) + 150_000)
    expect(await engine.runDue()).toBe(0)
    const resumed = await instances.setEnabled(tenantId, connectionId, triggerId, true, 'http://127.0.0.1')
    expect(resumed).toMatchObject({ enabled: true, nextRunAt })
    expect(await engine.runDue()).toBe(1)
    expect(await engine.runDue()).toBe(0)
    expect(await events()).toHaveLength(1)
    expect(Date.parse((await row(triggerId)).next_run_at as string)).toBeGreaterThan(clock.now.getTime())
    expect((await instances.list(tenantId, connectionId, 'http://127.0.0.1')).map((r) => r.triggerId)).toEqual([triggerId])
    await instances.remove(tenantId, connectionId, triggerId)
    clock.now = new Date(clock.now.getTime() + 3_600_000)
    expect(await engine.runDue()).toBe(0)
    expect(await events()).toHaveLength(1)
  })
})
