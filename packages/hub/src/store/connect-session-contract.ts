import { describe, expect, it } from 'vitest'
import { newId } from '../ids.js'
import { testConnectionRow } from './test-connection-row.js'
import type { ConnectSessionRow } from './connect-session-store.js'
import type { Store } from './store.js'

/**
 * Connect sessions on every dialect: one winner of concurrent single-use claims, no claim of an
 * expired session, release, settings upsert, and the end-user column of connections. Run by
 * connect-sessions.test.ts on SQLite and connect-sessions.integration.test.ts on PostgreSQL.
 */
export function connectSessionContract(name: string, open: () => Promise<Store>): void {
  describe(`Connect session contract: ${name}`, () => {
    const setup = async () => {
      const store = await open()
      await store.migrate()
      const tenantId = newId()
      await store.createTenant({ id: tenantId, name: `t-${tenantId}`, created_at: new Date().toISOString() })
      const session = (over: Partial<ConnectSessionRow> = {}): ConnectSessionRow => ({
        token_hash: newId() + newId(),
        id: `cs_${newId()}`,
        tenant_id: tenantId,
        end_user_id: 'u1',
        end_user_email: null,
        end_user_display_name: null,
        allowed_integrations: null,
        tags: null,
        success_redirect_url: null,
        error_redirect_url: null,
        reconnect_connection_id: null,
        connection_id: null,
        started_version: null,
        created_at: new Date().toISOString(),
        expires_at: new Date(Date.now() + 60_000).toISOString(),
        used_at: null,
        ...over,
      })
      return { store, tenantId, session }
    }

    it('lets exactly one of concurrent claims use a session, none an expired one, and release undoes a claim', async () => {
      const { store, session } = await setup()
      try {
        const s = session()
        await store.connectSessions.insert(s)
        const wins = await Promise.all(Array.from({ length: 8 }, () => store.connectSessions.markUsed(s.token_hash, new Date(), 'c1')))
        expect(wins.filter(Boolean)).toHaveLength(1)
        expect((await store.connectSessions.findByHash(s.token_hash))?.connection_id).toBe('c1')
        await store.connectSessions.release(s.token_hash)
        expect(await store.connectSessions.markUsed(s.token_hash, new Date(), 'c2')).toBe(true)
        const old = session({ expires_at: new Date(Date.now() - 1000).toISOString() })
        await store.connectSessions.insert(old)
        expect(await store.connectSessions.markUsed(old.token_hash, new Date(), 'c3')).toBe(false)
        expect(await store.connectSessions.deleteExpired(new Date())).toBeGreaterThanOrEqual(1)
        expect(await store.connectSessions.findByHash(old.token_hash)).toBeUndefined()
      } finally {
        await store.close()
      }
    })

    it('upserts settings and filters connections by end user', async () => {
      const { store, tenantId } = await setup()
      try {
        const base = { tenant_id: tenantId, product_name: null, logo_url: null, accent_color: null, updated_at: new Date().toISOString() }
        await store.connectSessions.putSettings({ ...base, allowed_origins: '["https://a.example"]' })
        await store.connectSessions.putSettings({ ...base, allowed_origins: '["https://b.example"]', product_name: 'B' })
        expect(await store.connectSessions.getSettings(tenantId)).toMatchObject({ allowed_origins: '["https://b.example"]', product_name: 'B' })
        for (const user of ['ann', 'bob', null]) {
          await store.insertConnection(testConnectionRow(tenantId, { secrets: null, end_user_id: user, tags: user ? '{"k":"v"}' : null }))
        }
        const ann = await store.listConnections(tenantId, { offset: 0, limit: 10, endUserId: 'ann' })
        expect(ann.total).toBe(1)
        expect(ann.rows[0]).toMatchObject({ end_user_id: 'ann', tags: '{"k":"v"}' })
        expect((await store.listConnections(tenantId, { offset: 0, limit: 10 })).total).toBe(3)
      } finally {
        await store.close()
      }
    })
  })
}
