import { describe, expect, it } from 'vitest'
import { newId } from '../ids.js'
import type { ConnectionRow, Store } from './store.js'
import { testConnectionRow } from './test-connection-row.js'

/**
 * The outbox on every dialect: a connection change and the event reporting it (with its
 * deliveries) commit together or not at all; claims hand a due delivery to one caller. Run by
 * outbox.test.ts on SQLite and outbox.integration.test.ts on PostgreSQL.
 */
export function outboxContract(name: string, open: () => Promise<Store>): void {
  describe(`Outbox contract: ${name}`, () => {
    const setup = async () => {
      const store = await open()
      await store.migrate()
      const tenantId = newId()
      await store.createTenant({ id: tenantId, name: `t-${tenantId}`, created_at: new Date().toISOString() })
      await store.webhooks.insertEndpoint({
        id: `we_${newId()}`,
        tenant_id: tenantId,
        url: 'https://x.example/h',
        events: null,
        secret: 'pb1.x.y',
        created_at: new Date().toISOString(),
      })
      await store.webhooks.insertEndpoint({
        id: `we_${newId()}`,
        tenant_id: tenantId,
        url: 'https://y.example/h',
        events: JSON.stringify(['connection.deleted']),
        secret: 'pb1.x.y',
        created_at: new Date().toISOString(),
      })
      const row = (over: Partial<ConnectionRow> = {}): ConnectionRow => testConnectionRow(tenantId, over)
      const events = async () =>
        (await store.events.listEvents(tenantId, { after: 0, limit: 100 })).map((e) => [
          e.type,
          JSON.parse(e.data).connectionId as string,
          JSON.parse(e.data).reason as string | undefined,
        ])
      const deliveries = async () => store.db.selectFrom('webhook_deliveries').select(['event_id', 'endpoint_id']).where('tenant_id', '=', tenantId).execute()
      return { store, tenantId, row, events, deliveries }
    }

    it('records an event and a delivery per subscribed endpoint with the change, and nothing when the change fails', async () => {
      const { store, tenantId, row, events, deliveries } = await setup()
      const r = row()
      await store.insertConnection(r, { type: 'connection.created' })
      expect(await events()).toEqual([['connection.created', r.id, undefined]])
      expect(await deliveries()).toHaveLength(1) // the second endpoint wants only connection.deleted
      await expect(store.insertConnection(row({ name: r.name }), { type: 'connection.created' })).rejects.toThrow(/already have a connection/)
      expect(await events()).toHaveLength(1)
      expect(await store.updateConnection(tenantId, 'nope', { status: 'EXPIRED' }, undefined, { type: 'connection.expired' })).toBeUndefined()
      expect(await events()).toHaveLength(1)
      expect(await store.deleteConnection(tenantId, r.id)).toBe(true)
      expect((await events()).map((e) => e[0])).toEqual(['connection.created', 'connection.deleted'])
      expect(await deliveries()).toHaveLength(3)
      await store.close()
    })

    it('an expiry under the connection lock records connection.expired in its transaction; a rolled-back transaction leaves neither', async () => {
      const { store, tenantId, row, events } = await setup()
      const r = row()
      await store.insertConnection(r)
      await store.withConnectionLock(tenantId, r.id, async (cur, update) =>
        update({ status: 'EXPIRED', status_reason: 'refused' }, cur!.version, { type: 'connection.expired', reason: 'refused' }),
      )
      expect(await events()).toEqual([['connection.expired', r.id, 'refused']])
      await expect(
        store.transaction(async (tx) => {
          await tx.updateConnection(tenantId, r.id, { status: 'ACTIVE' }, undefined, { type: 'connection.reauthorized' })
          throw new Error('boom')
        }),
      ).rejects.toThrow('boom')
      expect((await store.getConnection(tenantId, r.id))?.status).toBe('EXPIRED')
      expect(await events()).toHaveLength(1)
      await store.close()
    })

    it('hands a due delivery to one claimer and holds it for the lease', async () => {
      const { store, row } = await setup()
      await store.insertConnection(row(), { type: 'connection.created' })
      const now = new Date(Date.now() + 1000)
      const [a, b] = await Promise.all([store.webhooks.claimDue(now, 60_000, 10), store.webhooks.claimDue(now, 60_000, 10)])
      expect(a.length + b.length).toBe(1)
      expect(await store.webhooks.claimDue(new Date(now.getTime() + 30_000), 60_000, 10)).toEqual([])
      expect(await store.webhooks.claimDue(new Date(now.getTime() + 61_000), 60_000, 10)).toHaveLength(1)
      await store.close()
    })
  })
}
