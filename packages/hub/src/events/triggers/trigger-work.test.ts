import { mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { IntegrationDefinition } from '@patchbay/core'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { startUpstream, type Upstream } from '../../../../../test/support/upstream.js'
import { ActionRunner } from '../../actions/run-action.js'
import { Catalog, toIntegration } from '../../catalog/catalog.js'
import { loadDefinitionFile, BUILT_IN_CATALOG_DIR } from '../../catalog/load-catalog.js'
import { connect } from '../../connections/connect.js'
import { newId } from '../../ids.js'
import { openStore, type Store, type TriggerInstanceRow } from '../../store/store.js'
import { generateMasterKey, parseMasterKey, Vault } from '../../vault/vault.js'
import { InProcessJobEngine } from './in-process-job-engine.js'
import { pollDefinitionLookup, triggerActionRunner } from './trigger-scheduler.js'
import { TriggerInstances } from './trigger-instances.js'
import { TriggerWork } from './trigger-work.js'

const vault = new Vault([parseMasterKey(generateMasterKey())])

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
  let store: Store
  let tenantId: string
  let upstream: Upstream
  let catalog: Catalog
  let runner: ActionRunner
  const clock = { now: new Date() }
  let engine: InProcessJobEngine
  let instances: TriggerInstances

  beforeEach(async () => {
    store = openStore(join(await mkdtemp(join(tmpdir(), 'pb-trigger-work-')), 'db.sqlite'))
    await store.migrate()
    tenantId = newId()
    await store.createTenant({ id: tenantId, name: `t-${tenantId}`, created_at: new Date().toISOString() })
    upstream = await startUpstream()
    const httpApi = await loadDefinitionFile(join(BUILT_IN_CATALOG_DIR, 'http-api.yaml'))
    if ('problems' in httpApi) throw new Error(JSON.stringify(httpApi.problems))
    catalog = new Catalog([httpApi, toIntegration(cursorIntegration(upstream.url), 'test')])
    runner = new ActionRunner({ vault, connectTimeoutMs: 5_000, timeoutMs: 10_000 })
    const deps = { store, vault, catalog, runner }
    clock.now = new Date(Date.now() + 1_000)
    const work = new TriggerWork({ store, vault, runAction: triggerActionRunner(deps), pollDefinition: pollDefinitionLookup(deps), policy: { failAfter: 3 }, now: () => clock.now })
    engine = new InProcessJobEngine({ work, now: () => clock.now })
    instances = new TriggerInstances({ store, vault, catalog, jobs: engine })
  })
  afterEach(async () => {
    await engine.stop()
    await runner.close()
    await upstream.close()
    await store.close()
  })

  // The trigger events of the tenant (connecting also records connection.created).
  const events = async () =>
    (await store.events.listEvents(tenantId, { after: 0, limit: 1000 }))
      .filter((e) => e.type.startsWith('trigger.'))
      .map((e) => ({ type: e.type, data: JSON.parse(e.data) as Record<string, any> }))
  const row = async (id: string) => (await store.triggers.getById(id)) as TriggerInstanceRow
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
    await store.triggers.insert({
      id,
      tenant_id: tenantId,
      kind: 'aixplain',
      connection_id: null,
      integration_id: null,
      slug: null,
      type: 'time',
      config: '{}',
      secret: null,
      inbound_token_hash: null,
      enabled: 1,
      configuration: JSON.stringify({ type: 'daily', time: '08:00', timezone: 'Europe/Berlin' }),
      next_run_at: first,
      last_run_at: null,
      state: null,
      failures: 0,
      last_error: null,
      created_at: now,
      updated_at: now,
      name: 'Morning',
      input: JSON.stringify({ q: 'news' }),
      asset_type: 'agent',
      asset_id: 'agent-1',
      trigger_type: 'time',
      source_trigger_id: null,
      notifications: 0,
      description: null,
      retry_count: null,
    })
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
