import { sql } from 'kysely'
import { describe, expect, it } from 'vitest'
import { PatchbayError } from '@patchbay/core'
import { newId } from '../ids.js'
import type { ConnectionRow, Store } from './store.js'
import { testConnectionRow } from './test-connection-row.js'

/**
 * The behaviour every {@link Store} dialect must have. Run by store.test.ts on SQLite and by
 * store.integration.test.ts on PostgreSQL.
 */
export function storeContract(name: string, open: () => Promise<Store>): void {
  describe(`Store contract: ${name}`, () => {
    const fresh = async () => {
      const store = await open()
      await store.migrate()
      await store.migrate() // idempotent
      return store
    }
    const tenant = async (store: Store) => {
      const t = { id: newId(), name: `t-${newId()}`, created_at: new Date().toISOString() }
      await store.createTenant(t)
      return t.id
    }
    const row = (tenantId: string, over: Partial<ConnectionRow> = {}): ConnectionRow => testConnectionRow(tenantId, over)

    it('stores and scopes connections by tenant', async () => {
      const store = await fresh()
      try {
        const a = await tenant(store)
        const b = await tenant(store)
        const r = row(a)
        await store.insertConnection(r)
        expect(await store.getConnection(a, r.id)).toMatchObject({ id: r.id, name: r.name, version: 1 })
        expect(await store.getConnection(b, r.id)).toBeUndefined()
        expect(await store.deleteConnection(b, r.id)).toBe(false)
        expect(await store.updateConnection(b, r.id, { name: 'x' })).toBeUndefined()
        expect(await store.deleteConnection(a, r.id)).toBe(true)
        expect(await store.getConnection(a, r.id)).toBeUndefined()
      } finally {
        await store.close()
      }
    })

    it('rejects a duplicate name per tenant with NAME_EXISTS, allows it across tenants', async () => {
      const store = await fresh()
      try {
        const a = await tenant(store)
        const b = await tenant(store)
        await store.insertConnection(row(a, { name: 'same' }))
        const err = await store.insertConnection(row(a, { name: 'same' })).catch((e: unknown) => e)
        expect(err).toBeInstanceOf(PatchbayError)
        expect((err as PatchbayError).code).toBe('NAME_EXISTS')
        expect((err as PatchbayError).supplierError).toBe('Name already exists')
        await store.insertConnection(row(b, { name: 'same' }))
      } finally {
        await store.close()
      }
    })

    it('bumps the version on update and honours the expected version', async () => {
      const store = await fresh()
      try {
        const a = await tenant(store)
        const r = row(a)
        await store.insertConnection(r)
        const u1 = await store.updateConnection(a, r.id, { status: 'EXPIRED', status_reason: 'why' }, 1)
        expect(u1).toMatchObject({ version: 2, status: 'EXPIRED', status_reason: 'why' })
        expect(await store.updateConnection(a, r.id, { status: 'ACTIVE' }, 1)).toBeUndefined()
        expect((await store.getConnection(a, r.id))?.status).toBe('EXPIRED')
        expect(await store.updateConnection(a, r.id, { status: 'ACTIVE' })).toMatchObject({ version: 3 })
      } finally {
        await store.close()
      }
    })

    it("pages a tenant's connections newest first with a total, and filters by name", async () => {
      const store = await fresh()
      try {
        const a = await tenant(store)
        for (let i = 0; i < 5; i++) {
          await store.insertConnection(row(a, { name: `item_${i}%`, created_at: new Date(Date.UTC(2026, 0, 1, 0, i)).toISOString() }))
        }
        const p1 = await store.listConnections(a, { offset: 0, limit: 2 })
        expect(p1.total).toBe(5)
        expect(p1.rows.map((r) => r.name)).toEqual(['item_4%', 'item_3%'])
        const p3 = await store.listConnections(a, { offset: 4, limit: 2 })
        expect(p3.rows.map((r) => r.name)).toEqual(['item_0%'])
        const q = await store.listConnections(a, { offset: 0, limit: 10, query: 'ITEM_2' })
        expect(q.rows.map((r) => r.name)).toEqual(['item_2%'])
        // LIKE wildcards in the query are literal.
        expect((await store.listConnections(a, { offset: 0, limit: 10, query: '_%' })).total).toBe(0)
        expect((await store.listConnections(a, { offset: 0, limit: 10, query: '1%' })).total).toBe(1)
      } finally {
        await store.close()
      }
    })

    it('pages in listing order (newest first, ties by id) from the listing index of migration 0009', async () => {
      const store = await fresh()
      try {
        const a = await tenant(store)
        const b = await tenant(store)
        const at = (m: number) => new Date(Date.UTC(2026, 0, 1, 0, m)).toISOString()
        // Three connections share a timestamp: ids decide their order. Inserted out of order on purpose.
        const rows = [
          row(a, { id: 'c-3', name: 'n3', created_at: at(2) }),
          row(a, { id: 'c-1', name: 'n1', created_at: at(2) }),
          row(a, { id: 'c-0', name: 'n0', created_at: at(1) }),
          row(a, { id: 'c-4', name: 'n4', created_at: at(3), end_user_id: 'u1' }),
          row(a, { id: 'c-2', name: 'n2', created_at: at(2), end_user_id: 'u1' }),
          row(b, { id: 'c-9', name: 'n9', created_at: at(2) }),
        ]
        for (const r of rows) await store.insertConnection(r)
        const ids = async (offset: number, limit: number, endUserId?: string) =>
          (await store.listConnections(a, { offset, limit, ...(endUserId ? { endUserId } : {}) })).rows.map((r) => r.id)
        expect(await ids(0, 10)).toEqual(['c-4', 'c-1', 'c-2', 'c-3', 'c-0'])
        expect(await ids(1, 2)).toEqual(['c-1', 'c-2'])
        expect(await ids(3, 2)).toEqual(['c-3', 'c-0'])
        expect(await ids(5, 2)).toEqual([])
        expect(await ids(0, 10, 'u1')).toEqual(['c-4', 'c-2'])
        // Keyset: after a row, the rows that follow it in that order, whatever the ties.
        const after = async (id: string, limit: number, offset = 0) => {
          const from = rows.find((r) => r.id === id) as ConnectionRow
          const page = await store.listConnections(a, { offset, limit, after: { created_at: from.created_at, id } })
          expect(page.total).toBe(5)
          return page.rows.map((r) => r.id)
        }
        expect(await after('c-4', 2)).toEqual(['c-1', 'c-2'])
        expect(await after('c-2', 10)).toEqual(['c-3', 'c-0'])
        expect(await after('c-1', 1, 1)).toEqual(['c-3'])
        expect(await after('c-0', 10)).toEqual([])
        const page = await store.listConnections(a, { offset: 1, limit: 1 })
        expect(page.total).toBe(5)
        // Whole rows, not just the ids the page was found by.
        expect(page.rows[0]).toMatchObject({ id: 'c-1', tenant_id: a, name: 'n1', status: rows[1]?.status, secrets: rows[1]?.secrets })
        const indexed =
          store.dialect === 'postgres'
            ? (await sql<{ def: string }>`select indexdef as def from pg_indexes where indexname = 'connections_tenant_listing'`.execute(store.db)).rows[0]?.def
            : (await sql<{ def: string }>`select sql as def from sqlite_master where name = 'connections_tenant_listing'`.execute(store.db)).rows[0]?.def
        expect(indexed?.replace(/["`]/g, '')).toMatch(/\(tenant_id, created_at desc, id\)/i)
      } finally {
        await store.close()
      }
    })

    it('finds API keys by hash and tenants by name', async () => {
      const store = await fresh()
      try {
        const a = await tenant(store)
        const hash = newId() + newId()
        await store.createApiKey({ id: newId(), tenant_id: a, name: 'k', key_hash: hash, prefix: 'pb_abcd', created_at: new Date().toISOString() })
        expect((await store.findApiKeyByHash(hash))?.tenant_id).toBe(a)
        expect(await store.findApiKeyByHash('nope')).toBeUndefined()
        expect(await store.countTenants()).toBeGreaterThanOrEqual(1)
      } finally {
        await store.close()
      }
    })

    it('records runs, completes them and sweeps stale ones', async () => {
      const store = await fresh()
      try {
        const old = new Date(Date.now() - 7_200_000).toISOString()
        await store.insertRun({ id: 'r-done', tenant_id: 't', status: 'IN_PROGRESS', result: null, created_at: new Date().toISOString(), completed_at: null })
        await store.insertRun({ id: 'r-stale', tenant_id: 't', status: 'IN_PROGRESS', result: null, created_at: new Date(Date.now() - 60_000).toISOString(), completed_at: null })
        await store.insertRun({ id: 'r-old', tenant_id: 't', status: 'SUCCESS', result: '{}', created_at: old, completed_at: old })
        await store.completeRun('r-done', 'SUCCESS', { status: 'SUCCESS', completed: true, data: 1 })
        expect(JSON.parse((await store.getRun('t', 'r-done'))?.result ?? 'null')).toEqual({ status: 'SUCCESS', completed: true, data: 1 })
        expect(await store.getRun('other', 'r-done')).toBeUndefined()
        await store.sweepRuns(new Date(Date.now() - 1_000), new Date(Date.now() - 3_600_000))
        expect((await store.getRun('t', 'r-stale'))?.status).toBe('FAILED')
        expect((await store.getRun('t', 'r-done'))?.status).toBe('SUCCESS')
        expect(await store.getRun('t', 'r-old')).toBeUndefined()
      } finally {
        await store.close()
      }
    })

    it('stores runtime integrations per tenant, replaces by id, refuses a duplicate wire id', async () => {
      const store = await fresh()
      try {
        const a = await tenant(store)
        const b = await tenant(store)
        const now = new Date().toISOString()
        const ti = (over: Record<string, string> = {}) => ({
          tenant_id: a,
          id: 'pets',
          model_id: 'aaaaaaaaaaaaaaaaaaaaaaaa',
          name: 'Pets',
          definition: '{"v":1}',
          created_at: now,
          updated_at: now,
          ...over,
        })
        await store.upsertTenantIntegration(ti())
        expect((await store.getTenantIntegration(a, 'pets'))?.definition).toBe('{"v":1}')
        expect((await store.getTenantIntegration(a, 'aaaaaaaaaaaaaaaaaaaaaaaa'))?.id).toBe('pets')
        expect(await store.getTenantIntegration(b, 'pets')).toBeUndefined()
        await store.upsertTenantIntegration(ti({ definition: '{"v":2}', name: 'Pets 2' }))
        expect((await store.listTenantIntegrations(a)).map((r) => [r.id, r.definition])).toEqual([['pets', '{"v":2}']])
        const dup = await store.upsertTenantIntegration(ti({ id: 'other' })).catch((e: unknown) => e)
        expect((dup as PatchbayError).code).toBe('NAME_EXISTS')
        await store.upsertTenantIntegration(ti({ tenant_id: b }))
        expect(await store.deleteTenantIntegration(a, 'pets')).toBe(true)
        expect(await store.deleteTenantIntegration(a, 'pets')).toBe(false)
        expect(await store.listTenantIntegrations(b)).toHaveLength(1)
      } finally {
        await store.close()
      }
    })

    it('sets, replaces and clears action scopes, scoped by tenant, gone with the connection', async () => {
      const store = await fresh()
      try {
        const a = await tenant(store)
        const b = await tenant(store)
        const r1 = row(a)
        const r2 = row(a)
        await store.insertConnection(r1)
        await store.insertConnection(r2)
        await store.setActionScope(a, r1.id, ['X', 'Y'])
        await store.setActionScope(a, r2.id, [])
        expect(await store.getActionScopes(a)).toEqual(
          new Map([
            [r1.id, ['X', 'Y']],
            [r2.id, []],
          ]),
        )
        expect(await store.getActionScopes(b)).toEqual(new Map())
        expect(await store.getActionScopes(a, [r2.id])).toEqual(new Map([[r2.id, []]]))
        expect(await store.getActionScopes(a, [])).toEqual(new Map())
        await store.setActionScope(a, r1.id, ['Z'])
        expect((await store.getActionScopes(a, [r1.id])).get(r1.id)).toEqual(['Z'])
        await store.setActionScope(a, r1.id, null)
        expect((await store.getActionScopes(a, [r1.id])).has(r1.id)).toBe(false)
        await store.deleteConnection(a, r2.id)
        expect((await store.getActionScopes(a)).has(r2.id)).toBe(false)
      } finally {
        await store.close()
      }
    })

    it('deletes PENDING connections past their expiry only', async () => {
      const store = await fresh()
      try {
        const a = await tenant(store)
        const past = new Date(Date.now() - 1000).toISOString()
        const future = new Date(Date.now() + 60_000).toISOString()
        const expired = row(a, { status: 'PENDING', expires_at: past })
        const waiting = row(a, { status: 'PENDING', expires_at: future })
        const active = row(a, { status: 'ACTIVE', expires_at: past })
        for (const r of [expired, waiting, active]) await store.insertConnection(r)
        expect(await store.deleteExpiredPending(new Date())).toBeGreaterThanOrEqual(1)
        expect(await store.getConnection(a, expired.id)).toBeUndefined()
        expect(await store.getConnection(a, waiting.id)).toBeDefined()
        expect(await store.getConnection(a, active.id)).toBeDefined()
      } finally {
        await store.close()
      }
    })
  })
}
