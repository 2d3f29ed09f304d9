import { join } from 'node:path'
import type { IntegrationDefinition } from '@patchbay/core'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { startTriggerHarness, timeTriggerRow, type TriggerHarness } from '../../../../../test/support/trigger-fixtures.js'
import { toIntegration } from '../../catalog/catalog.js'
import { loadDefinitionFile, BUILT_IN_CATALOG_DIR } from '../../catalog/load-catalog.js'
import { connect } from '../../connections/connect.js'
import { newId } from '../../ids.js'

/** An integration with a cursor poll: GET /changes?since=<cursor> answers `{ changes: [{ id, at }] }`. */
function cursorIntegration(baseUrl: string): IntegrationDefinition {
  return {
    id: 'changes',
    name: 'Changes',
    description: 'A service listing changes since a time',
    baseUrl,
    auth: { NO_AUTH: { inputs: [] } },
    actions: [
      {
        code: 'LIST_CHANGES',
        name: 'List changes',
        description: 'Changes after a time',
        input: { type: 'object', properties: { since: { type: 'string', description: 'ISO time' } } },
        request: { method: 'GET', path: '/changes', query: { since: '{since}' } },
      },
    ],
    triggers: [
      {
        slug: 'CHANGE',
        name: 'Change',
        description: 'A change',
        type: 'poll',
        config: { type: 'object', properties: {} },
        payload: { type: 'object' },
        poll: { action: 'LIST_CHANGES', intervalSeconds: 60, items: 'changes', cursor: { input: 'since', from: 'at', initial: '2026-01-01T00:00:00Z' } },
      },
    ],
  } as IntegrationDefinition
}

describe('TriggerWork on SQLite: polls against a local service, aiXplain time triggers', () => {
  const clock = { now: new Date() }
  let h: TriggerHarness
  let store: TriggerHarness['store']
  let vault: TriggerHarness['vault']
  let tenantId: string
  let upstream: TriggerHarness['upstream']
  let catalog: TriggerHarness['catalog']
  let engine: TriggerHarness['engine']
  let instances: TriggerHarness['instances']

  beforeEach(async () => {
    h = await startTriggerHarness({
      prefix: 'pb-trigger-work-',
      clock,
      integrations: async (url) => {
        const httpApi = await loadDefinitionFile(join(BUILT_IN_CATALOG_DIR, 'http-api.yaml'))
        if ('problems' in httpApi) throw new Error(JSON.stringify(httpApi.problems))
        return [httpApi, toIntegration(cursorIntegration(url), 'test')]
      },
    })
    ;({ store, vault, tenantId, upstream, catalog, engine, instances } = h)
  })
  afterEach(() => h.close())

  const events = () => h.events()
  const row = (id: string) => h.row(id)
  const later = (seconds: number) => {
    clock.now = new Date(clock.now.getTime() + seconds * 1000)
  }

  it('a poll (HTTP API, dedupe by id): the first run records what exists, later runs emit only new items; failures back off and emit trigger.failed once', async () => {
    let items: unknown[] = [{ id: 1 }, { id: 2 }]
    let down = false
    upstream.handler = (req) => (req.path === '/orders' ? (down ? { status: 503, body: { error: 'maintenance' } } : { body: items }) : undefined)
    const { id: connectionId } = await connect({ store, vault }, tenantId, catalog.get('http-api') as never, { authScheme: 'NO_AUTH', data: { base_url: upstream.url } })
    const { triggerId } = await instances.activate(
      tenantId,
      connectionId,
      { slug: 'HTTP_POLL', config: { path: '/orders', items_path: 'body', id_path: 'id' } },
      'http://127.0.0.1',
    )
    expect(await engine.runDue()).toBe(1)
    expect(await events()).toEqual([])
    expect(upstream.received.filter((r) => r.path === '/orders')).toHaveLength(1)
    // Not due again before the interval.
    later(30)
    expect(await engine.runDue()).toBe(0)
    items = [{ id: 3 }, { id: 1 }, { id: 2 }]
    later(30)
    expect(await engine.runDue()).toBe(1)
    expect(await events()).toEqual([
      { type: 'trigger.fired', data: expect.objectContaining({ triggerId, slug: 'HTTP_POLL', connectionId, cause: { type: 'poll' }, payload: { id: 3 } }) },
    ])
    later(60)
    expect(await engine.runDue()).toBe(1)
    expect(await events()).toHaveLength(1)
    // The service fails: 60 s, 120 s, 240 s between attempts; trigger.failed at the third in a row.
    down = true
    const waits: number[] = []
    for (let i = 0; i < 4; i++) {
      const before = Date.parse((await row(triggerId)).next_run_at as string)
      clock.now = new Date(before)
      expect(await engine.runDue()).toBe(1)
      waits.push((Date.parse((await row(triggerId)).next_run_at as string) - clock.now.getTime()) / 1000)
    }
    expect(waits).toEqual([60, 120, 240, 480])
    const failed = (await events()).filter((e) => e.type === 'trigger.failed')
    expect(failed).toEqual([{ type: 'trigger.failed', data: expect.objectContaining({ triggerId, failures: 3, error: expect.stringContaining('no array at "body"') }) }])
    expect(await row(triggerId)).toMatchObject({ failures: 4, last_error: expect.stringContaining('no array') })
    // Back up with two new items: both emitted once, the count reset.
    down = false
    items = [{ id: 5 }, { id: 4 }, { id: 3 }]
    clock.now = new Date(Date.parse((await row(triggerId)).next_run_at as string))
    expect(await engine.runDue()).toBe(1)
    expect((await events()).filter((e) => e.type === 'trigger.fired').map((e) => e.data['payload'])).toEqual([{ id: 3 }, { id: 5 }, { id: 4 }])
    expect(await row(triggerId)).toMatchObject({ failures: 0, last_error: null })
  })

  it('a poll with a cursor sends the cursor and advances it to the greatest value seen', async () => {
    const all = [
      { id: 'a', at: '2026-02-01T00:00:00Z' },
      { id: 'b', at: '2026-03-01T00:00:00Z' },
    ]
    upstream.handler = (req) => (req.path === '/changes' ? { body: { changes: all.filter((c) => c.at > (req.query.get('since') ?? '')) } } : undefined)
    const { id: connectionId } = await connect({ store, vault }, tenantId, catalog.get('changes') as never, { authScheme: 'NO_AUTH', data: {} })
    const { triggerId } = await instances.activate(tenantId, connectionId, { slug: 'CHANGE', config: {} }, 'http://127.0.0.1')
    await engine.runDue()
    all.push({ id: 'c', at: '2026-04-01T00:00:00Z' })
    later(60)
    await engine.runDue()
    later(60)
    await engine.runDue()
    const since = upstream.received.filter((r) => r.path === '/changes').map((r) => r.query.get('since'))
    expect(since).toEqual(['2026-01-01T00:00:00Z', '2026-03-01T00:00:00Z', '2026-04-01T00:00:00Z'])
    expect((await events()).map((e) => e.data['payload'])).toEqual([{ id: 'c', at: '2026-04-01T00:00:00Z' }])
    expect(JSON.parse((await row(triggerId)).state as string)).toMatchObject({ cursor: '2026-04-01T00:00:00Z' })
  })

  it('a paused poll does not run; resumed, it runs at once', async () => {
    upstream.handler = () => ({ body: [] })
    const { id: connectionId } = await connect({ store, vault }, tenantId, catalog.get('http-api') as never, { authScheme: 'NO_AUTH', data: { base_url: upstream.url } })
    const { triggerId } = await instances.activate(tenantId, connectionId, { slug: 'HTTP_POLL', config: { path: '/x', items_path: 'body', id_path: 'id' } }, 'http://127.0.0.1')
    await instances.setEnabled(tenantId, connectionId, triggerId, false, 'http://127.0.0.1')
    expect(await engine.runDue()).toBe(0)
    await instances.setEnabled(tenantId, connectionId, triggerId, true, 'http://127.0.0.1')
    later(1)
    expect(await engine.runDue()).toBe(1)
    expect(upstream.received).toHaveLength(1)
  })

  it('an aiXplain daily time trigger in a time zone fires once per due time and moves to the next day, DST included', async () => {
    const id = newId()
    const first = '2026-03-28T07:00:00.000Z' // 08:00 in Berlin (CET)
    const now = new Date('2026-03-27T12:00:00Z').toISOString()
    await store.triggers.insert(
      timeTriggerRow({
        id,
        tenant_id: tenantId,
        configuration: JSON.stringify({ type: 'daily', time: '08:00', timezone: 'Europe/Berlin' }),
        next_run_at: first,
        created_at: now,
        name: 'Morning',
        input: JSON.stringify({ q: 'news' }),
        asset_type: 'agent',
        asset_id: 'agent-1',
      }),
    )
    clock.now = new Date(first)
    expect(await engine.runDue()).toBe(1)
    expect(await engine.runDue()).toBe(0)
    // After spring-forward (29 March) 08:00 Berlin is 06:00Z.
    expect((await row(id)).next_run_at).toBe('2026-03-29T06:00:00.000Z')
    clock.now = new Date('2026-03-29T06:00:00.000Z')
    expect(await engine.runDue()).toBe(1)
    expect(await events()).toEqual([
      {
        type: 'trigger.fired',
        data: expect.objectContaining({ triggerId: id, assetType: 'agent', assetId: 'agent-1', input: { q: 'news' }, cause: { type: 'schedule', scheduledAt: first } }),
      },
      { type: 'trigger.fired', data: expect.objectContaining({ cause: { type: 'schedule', scheduledAt: '2026-03-29T06:00:00.000Z' } }) },
    ])
    expect((await row(id)).next_run_at).toBe('2026-03-30T06:00:00.000Z')
  })
})
