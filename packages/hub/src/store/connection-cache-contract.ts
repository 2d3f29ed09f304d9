import { sql } from './kysely.js'
import { describe, expect, it } from 'vitest'
import { newId } from '../ids.js'
import { ConnectionCache } from './connection-cache.js'
import type { ConnectionRow, Store } from './store.js'
import { testConnectionRow } from './test-connection-row.js'

/**
 * What the connection-row cache must guarantee on every dialect: a row read twice is answered
 * from memory, and no write (through this store, a transaction of it, another process's store,
 * or a write behind the store's back that the dialect can see) leaves a stale row in use. Run by
 * connection-cache.test.ts on SQLite and connection-cache.integration.test.ts on PostgreSQL.
 * `open` opens a store on one database; called twice with the same `place`, it opens two stores
 * (two "processes") on the same database.
 */
export function connectionCacheContract(name: string, place: () => Promise<string>, open: (place: string) => Store): void {
  describe(`Connection cache: ${name}`, () => {
    const setup = async () => {
      const where = await place()
      const a = open(where)
      await a.migrate()
      const b = open(where)
      const tenantId = newId()
      await a.createTenant({ id: tenantId, name: `t-${tenantId}`, created_at: new Date().toISOString() })
      const row = (over: Partial<ConnectionRow> = {}): ConnectionRow => testConnectionRow(tenantId, over)
      return { a, b, tenantId, row, close: async () => Promise.all([a.close(), b.close()]) }
    }

    it('answers a row read twice from memory, frozen', async () => {
      const { a, tenantId, row, close } = await setup()
      try {
        expect(a.connections.cache).toBeInstanceOf(ConnectionCache)
        const r = row()
        await a.insertConnection(r)
        const first = await a.getConnection(tenantId, r.id)
        const second = await a.getConnection(tenantId, r.id)
        expect(second).toBe(first)
        expect(second).toMatchObject({ id: r.id, version: 1 })
        expect(Object.isFrozen(second)).toBe(true)
        expect(await a.getConnection(newId(), r.id)).toBeUndefined() // another tenant: never the cached row
      } finally {
        await close()
      }
    })

    it('never answers a stale row after a write through the store, a transaction, or a lock', async () => {
      const { a, tenantId, row, close } = await setup()
      try {
        const r = row()
        await a.insertConnection(r)
        await a.getConnection(tenantId, r.id)
        await a.updateConnection(tenantId, r.id, { status: 'EXPIRED' })
        expect(await a.getConnection(tenantId, r.id)).toMatchObject({ status: 'EXPIRED', version: 2 })
        await a.transaction((tx) => tx.updateConnection(tenantId, r.id, { status: 'ACTIVE' }))
        expect(await a.getConnection(tenantId, r.id)).toMatchObject({ status: 'ACTIVE', version: 3 })
        await a.withConnectionLock(tenantId, r.id, async (cur, update) => update({ secrets: 'pb1.x.z' }, cur!.version))
        expect(await a.getConnection(tenantId, r.id)).toMatchObject({ secrets: 'pb1.x.z', version: 4 })
        // A transaction that fails leaves the committed row, not the one it wrote.
        await expect(
          a.transaction(async (tx) => {
            await tx.updateConnection(tenantId, r.id, { status: 'ERROR' })
            expect((await tx.getConnection(tenantId, r.id))?.status).toBe('ERROR')
            throw new Error('roll back')
          }),
        ).rejects.toThrow('roll back')
        expect(await a.getConnection(tenantId, r.id)).toMatchObject({ status: 'ACTIVE', version: 4 })
        expect(await a.deleteConnection(tenantId, r.id)).toBe(true)
        expect(await a.getConnection(tenantId, r.id)).toBeUndefined()
        const pending = row({ status: 'PENDING', expires_at: new Date(Date.now() - 1000).toISOString() })
        await a.insertConnection(pending)
        expect(await a.getConnection(tenantId, pending.id)).toBeDefined()
        expect(await a.deleteExpiredPending(new Date())).toBe(1)
        expect(await a.getConnection(tenantId, pending.id)).toBeUndefined()
      } finally {
        await close()
      }
    })

    it("never answers a stale row after another process's update, reconnect or delete", async () => {
      const { a, b, tenantId, row, close } = await setup()
      try {
        const r = row()
        await a.insertConnection(r)
        expect(await a.getConnection(tenantId, r.id)).toMatchObject({ version: 1 })
        await b.updateConnection(tenantId, r.id, { secrets: 'pb1.x.reconnected' })
        expect(await a.getConnection(tenantId, r.id)).toMatchObject({ secrets: 'pb1.x.reconnected', version: 2 })
        // A write behind both stores that does not bump the version (as the oauth tests do).
        await sql`update connections set token_expires_at = ${'2000-01-01T00:00:00.000Z'} where id = ${r.id}`.execute(b.db)
        expect(await a.getConnection(tenantId, r.id)).toMatchObject({ token_expires_at: '2000-01-01T00:00:00.000Z' })
        expect(await b.deleteConnection(tenantId, r.id)).toBe(true)
        expect(await a.getConnection(tenantId, r.id)).toBeUndefined()
      } finally {
        await close()
      }
    })

    it('answers currentConnection (no promise) only with the row getConnection answers, never a stale one', async () => {
      const { a, b, tenantId, row, close } = await setup()
      try {
        const r = row()
        await a.insertConnection(r)
        const read = await a.getConnection(tenantId, r.id)
        // In process (SQLite): the cached row itself; checked against the database (PostgreSQL): never.
        if (a.connections.cache?.mode === 'in-process') expect(a.currentConnection(tenantId, r.id)).toBe(read)
        else expect(a.currentConnection(tenantId, r.id)).toBeUndefined()
        expect(a.currentConnection(newId(), r.id)).toBeUndefined()
        await b.updateConnection(tenantId, r.id, { secrets: 'pb1.x.reconnected' })
        expect(a.currentConnection(tenantId, r.id)).toBeUndefined()
        expect(await a.getConnection(tenantId, r.id)).toMatchObject({ version: 2 })
        expect(await b.deleteConnection(tenantId, r.id)).toBe(true)
        expect(a.currentConnection(tenantId, r.id)).toBeUndefined()
        expect(await a.getConnection(tenantId, r.id)).toBeUndefined()
      } finally {
        await close()
      }
    })

    it('does not store a row read while a write to it was under way', () => {
      const cache = new ConnectionCache({ mode: 'in-process' })
      const r = { id: 'c1', tenant_id: 't1', version: 1 } as ConnectionRow
      const generation = cache.generation
      cache.forget('t1', 'c1') // a write finished while the read was in flight
      cache.remember(r, generation)
      expect(cache.get('t1', 'c1')).toBeUndefined()
      cache.remember(r, cache.generation)
      expect(cache.get('t1', 'c1')).toMatchObject({ version: 1 })
      const small = new ConnectionCache({ mode: 'in-process', maxEntries: 2 })
      for (const id of ['c1', 'c2', 'c3']) small.remember({ ...r, id }, small.generation)
      expect(small.size).toBe(2)
      expect(small.get('t1', 'c1')).toBeUndefined()
    })
  })
}
