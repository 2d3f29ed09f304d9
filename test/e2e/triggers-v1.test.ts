import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { call, startTestHub, type TestHub } from '../support/test-hub.js'

/**
 * `/v1/triggers` over HTTP (the real SDK's flows are in test/compat/python-v2-triggers…): bad
 * input answers a 400 naming the field and stores nothing; ids of another tenant are unknown.
 */
describe('v1/triggers: bad input and tenancy', () => {
  let hub: TestHub
  beforeAll(async () => {
    hub = await startTestHub()
  })
  afterAll(async () => {
    await hub?.close()
  })
  const daily = {
    name: 'Daily',
    input: 'Go',
    assetType: 'agent',
    assetId: 'ag-1',
    triggerType: 'time',
    enabled: true,
    notifications: false,
    configuration: { type: 'daily', time: '09:00' },
  }

  it('answers 400 naming the field, and stores nothing', async () => {
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ ...daily, name: '' }, /name is required/],
      [{ ...daily, triggerType: 'sometimes' }, /triggerType must be/],
      [{ ...daily, configuration: undefined }, /configuration is required/],
      [{ ...daily, configuration: { type: 'daily', time: '25:00' } }, /configuration\.time/],
      [{ ...daily, configuration: { type: 'recurring', repeat: { every: 1, unit: 'month' } } }, /configuration\.repeat\.unit/],
      [{ ...daily, configuration: { type: 'weekly', daysOfWeek: ['funday'] } }, /configuration\.daysOfWeek/],
      [{ ...daily, retryCount: -1 }, /retryCount/],
      [{ ...daily, enabled: 'yes' }, /enabled must be true or false/],
      [{ ...daily, surprise: 1 }, /surprise.{0,4} is not a trigger field/],
      [{ ...daily, triggerType: 'external', configuration: undefined }, /triggerId is required/],
      [{ ...daily, triggerType: 'external', configuration: undefined, triggerId: 'feedfeedfeedfeedfeedfeed' }, /not a trigger activated on one of your connections/],
    ]
    for (const [body, message] of cases) {
      const r = await call(hub, 'POST', '/v1/triggers', body)
      expect(r.status, `${JSON.stringify(body)} → ${r.text}`).toBe(400)
      expect(r.text).toMatch(message)
    }
    expect((await call(hub, 'POST', '/v1/triggers', [daily])).status).toBe(400)
    expect((await call(hub, 'GET', '/v1/triggers')).body).toEqual([])
  })

  it('creates, reads, replaces and deletes; another tenant sees none of it', async () => {
    const created = await call(hub, 'POST', '/v1/triggers', daily)
    expect(created.status, created.text).toBe(201)
    expect(created.body).toMatchObject({ name: 'Daily', triggerType: 'time', assetId: 'ag-1', enabled: true, configuration: daily.configuration, lastRunAt: null })
    expect(Date.parse(created.body.nextRunAt)).toBeGreaterThan(Date.now())
    const id = created.body.id as string
    const put = await call(hub, 'PUT', `/v1/triggers/${id}`, { ...daily, id, enabled: false, configuration: { type: 'recurring', repeat: { every: 3, unit: 'hour' } } })
    expect(put.status, put.text).toBe(200)
    expect(put.body).toMatchObject({ enabled: false, configuration: { type: 'recurring', repeat: { every: 3, unit: 'hour' } } })
    const row = await hub.hub.store.triggers.getById(id)
    expect(row?.enabled).toBe(0)
    const other = { url: hub.url, key: await hub.newKey() }
    expect((await call(other, 'GET', `/v1/triggers/${id}`)).status).toBe(404)
    expect((await call(other, 'DELETE', `/v1/triggers/${id}`)).status).toBe(404)
    expect((await call(other, 'GET', '/v1/triggers')).body).toEqual([])
    expect((await call(hub, 'DELETE', `/v1/triggers/${id}`)).status).toBe(200)
    expect((await call(hub, 'GET', `/v1/triggers/${id}`)).status).toBe(404)
    expect((await call(hub, 'PUT', `/v1/triggers/${id}`, daily)).status).toBe(404)
  })
})
