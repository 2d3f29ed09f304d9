import { describe, expect, it } from 'vitest'
import { newId } from '../../ids.js'
import { insertTestConnection, newTenant } from '../../../../../test/support/trigger-fixtures.js'
import { newTriggerInstanceRow, type Store, type TriggerInstanceRow } from '../../store/store.js'
import { fireTrigger, recordTriggerFailure } from './fire.js'

/**
 * The trigger store and the fire path on every dialect: tenant scoping, the scheduler's due list
 * and compare-and-set on `next_run_at`, a connection's triggers deleted with it, and events
 * recorded in the transaction of the instance's change (a lost compare-and-set records neither).
 * Run by trigger-store.test.ts on SQLite and trigger-store.integration.test.ts on PostgreSQL.
 */
export function triggerStoreContract(name: string, open: () => Promise<Store>): void {
  describe(`Trigger store contract: ${name}`, () => {
    const setup = async () => {
      const store = await open()
      await store.migrate()
      const now = new Date().toISOString()
      const tenantId = await newTenant(store, now)
      await store.webhooks.insertEndpoint({ id: `we_${newId()}`, tenant_id: tenantId, url: 'https://x.example/h', events: null, secret: 'pb1.x.y', created_at: now })
      const connectionId = await insertTestConnection(store, tenantId, 'github')
      const row = (over: Partial<TriggerInstanceRow> = {}): TriggerInstanceRow =>
        newTriggerInstanceRow({
          id: newId(),
          tenant_id: tenantId,
          connection_id: connectionId,
          integration_id: 'github',
          slug: 'GITHUB_ISSUE_EVENT',
          type: 'webhook',
          created_at: now,
          ...over,
        })
      const events = async () =>
        (await store.events.listEvents(tenantId, { after: 0, limit: 100 })).map((e) => ({ type: e.type, data: JSON.parse(e.data) as Record<string, unknown> }))
      const deliveries = async () => (await store.db.selectFrom('webhook_deliveries').select('id').where('tenant_id', '=', tenantId).execute()).length
      return { store, tenantId, connectionId, row, events, deliveries }
    }

    it("stores, lists, scopes by tenant, and deletes a connection's triggers with it", async () => {
      const { store, tenantId, connectionId, row } = await setup()
      const a = row({ inbound_token_hash: 'h1' })
      const b = row({ kind: 'aixplain', connection_id: null, type: 'time', trigger_type: 'time', asset_id: 'agent1', asset_type: 'agent' })
      await store.triggers.insert(a)
      await store.triggers.insert(b)
      expect((await store.triggers.get(tenantId, a.id))?.slug).toBe('GITHUB_ISSUE_EVENT')
      expect(await store.triggers.get('other-tenant', a.id)).toBeUndefined()
      expect((await store.triggers.list(tenantId, { kind: 'connection', connectionId })).map((r) => r.id)).toEqual([a.id])
      expect((await store.triggers.list(tenantId, { assetId: 'agent1' })).map((r) => r.id)).toEqual([b.id])
      expect((await store.triggers.findByInboundTokenHash('h1')).map((r) => r.id)).toEqual([a.id])
      expect(await store.triggers.update('other-tenant', a.id, { enabled: 0 })).toBeUndefined()
      expect(await store.deleteConnection(tenantId, connectionId)).toBe(true)
      expect(await store.triggers.get(tenantId, a.id)).toBeUndefined()
      expect(await store.triggers.delete(tenantId, b.id)).toBe(true)
      expect(await store.triggers.delete(tenantId, b.id)).toBe(false)
      await store.close()
    })

    it('lists due enabled instances earliest first, and a compare-and-set on next_run_at lets one writer win', async () => {
      const { store, tenantId, row } = await setup()
      const t0 = new Date()
      const at = (s: number) => new Date(t0.getTime() + s * 1000).toISOString()
      const late = row({ type: 'poll', next_run_at: at(-10) })
      const early = row({ type: 'poll', next_run_at: at(-60) })
      const paused = row({ type: 'poll', next_run_at: at(-120), enabled: 0 })
      const future = row({ type: 'poll', next_run_at: at(600) })
      for (const r of [late, early, paused, future]) await store.triggers.insert(r)
      const due = (await store.triggers.listDue(t0, 10)).filter((r) => r.tenant_id === tenantId)
      expect(due.map((r) => r.id)).toEqual([early.id, late.id])
      expect((await store.triggers.nextDueAt())?.getTime()).toBeLessThanOrEqual(new Date(at(-60)).getTime())
      const first = await store.triggers.update(tenantId, early.id, { next_run_at: at(300) }, { expectedNextRunAt: at(-60) })
      const second = await store.triggers.update(tenantId, early.id, { next_run_at: at(301) }, { expectedNextRunAt: at(-60) })
      expect(first?.next_run_at).toBe(at(300))
      expect(second).toBeUndefined()
      await store.close()
    })

    it('fireTrigger records the state and trigger.fired events (with deliveries) together; a lost compare-and-set or a paused instance records nothing', async () => {
      const { store, tenantId, row, events, deliveries } = await setup()
      const due = new Date(Date.now() - 1000).toISOString()
      const poll = row({ type: 'poll', slug: 'HTTP_POLL', next_run_at: due, failures: 2, last_error: 'x' })
      await store.triggers.insert(poll)
      const next = new Date(Date.now() + 60_000).toISOString()
      const r = await fireTrigger(store, poll.id, { cause: { type: 'poll' }, payloads: [{ id: 1 }, { id: 2 }], state: { seen: ['1', '2'] }, advance: { from: due, to: next } })
      expect(r.recorded && r.eventIds.length).toBe(2)
      const stored = await store.triggers.get(tenantId, poll.id)
      expect([stored?.next_run_at, stored?.failures, stored?.last_error, JSON.parse(stored?.state ?? 'null')]).toEqual([next, 0, null, { seen: ['1', '2'] }])
      expect(await events()).toEqual([
        {
          type: 'trigger.fired',
          data: { triggerId: poll.id, slug: 'HTTP_POLL', connectionId: poll.connection_id, integration: 'github', cause: { type: 'poll' }, payload: { id: 1 } },
        },
        {
          type: 'trigger.fired',
          data: { triggerId: poll.id, slug: 'HTTP_POLL', connectionId: poll.connection_id, integration: 'github', cause: { type: 'poll' }, payload: { id: 2 } },
        },
      ])
      expect(await deliveries()).toBe(2)
      expect(await fireTrigger(store, poll.id, { cause: { type: 'poll' }, payloads: [{ id: 3 }], advance: { from: due, to: next } })).toEqual({ recorded: false, reason: 'stale' })
      await store.triggers.update(tenantId, poll.id, { enabled: 0 })
      expect(await fireTrigger(store, poll.id, { cause: { type: 'poll' }, payloads: [{ id: 3 }] })).toEqual({ recorded: false, reason: 'disabled' })
      expect(await fireTrigger(store, 'nope', { cause: { type: 'poll' }, payloads: [{ id: 3 }] })).toEqual({ recorded: false, reason: 'not_found' })
      expect(await events()).toHaveLength(2)
      await store.close()
    })

    it('fires linked aiXplain external triggers and time triggers with {triggerId, assetType, assetId, input, cause}; failures count and emit trigger.failed when told', async () => {
      const { store, tenantId, row, events } = await setup()
      const hook = row()
      const linked = row({
        kind: 'aixplain',
        connection_id: null,
        type: 'external',
        trigger_type: 'external',
        source_trigger_id: hook.id,
        asset_type: 'agent',
        asset_id: 'ag1',
        input: JSON.stringify('Triage this'),
        name: 'Triage',
      })
      const due = new Date(Date.now() - 1000).toISOString()
      const time = row({
        kind: 'aixplain',
        connection_id: null,
        type: 'time',
        trigger_type: 'time',
        asset_type: 'agent',
        asset_id: 'ag2',
        input: JSON.stringify('Digest'),
        name: 'Daily',
        next_run_at: due,
      })
      for (const r of [hook, linked, time]) await store.triggers.insert(r)
      await fireTrigger(store, hook.id, { cause: { type: 'webhook', kind: 'issues' }, payloads: [{ action: 'opened' }] })
      await fireTrigger(store, time.id, { cause: { type: 'schedule', scheduledAt: due }, advance: { from: due, to: null } })
      const got = await events()
      expect(got.map((e) => [e.data['triggerId'], e.data['assetId'] ?? null])).toEqual([
        [hook.id, null],
        [linked.id, 'ag1'],
        [time.id, 'ag2'],
      ])
      expect(got[1]?.data).toEqual({
        triggerId: linked.id,
        name: 'Triage',
        assetType: 'agent',
        assetId: 'ag1',
        input: 'Triage this',
        cause: { type: 'webhook', kind: 'issues', triggerInstanceId: hook.id, slug: 'GITHUB_ISSUE_EVENT', connectionId: hook.connection_id, payload: { action: 'opened' } },
      })
      expect(got[2]?.data).toEqual({ triggerId: time.id, name: 'Daily', assetType: 'agent', assetId: 'ag2', input: 'Digest', cause: { type: 'schedule', scheduledAt: due } })
      expect((await store.triggers.get(tenantId, time.id))?.next_run_at).toBeNull()
      const f1 = await recordTriggerFailure(store, hook.id, { error: 'upstream 500', emitFailed: false })
      const f2 = await recordTriggerFailure(store, hook.id, { error: 'upstream 502', emitFailed: true })
      expect([f1.recorded && f1.instance.failures, f2.recorded && f2.instance.failures]).toEqual([1, 2])
      expect((await events()).at(-1)).toEqual({
        type: 'trigger.failed',
        data: { triggerId: hook.id, slug: 'GITHUB_ISSUE_EVENT', connectionId: hook.connection_id, integration: 'github', error: 'upstream 502', failures: 2 },
      })
      await store.close()
    })
  })
}
