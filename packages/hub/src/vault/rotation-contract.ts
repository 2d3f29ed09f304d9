import { describe, expect, it } from 'vitest'
import { newId } from '../ids.js'
import type { ConnectionRow, Store } from '../store/store.js'
import { countSealedValues, rotateMasterKey, type RotationProgress } from './rotation.js'
import { oauthAppBinding, oauthStateBinding } from './sealed-columns.js'
import { Vault, generateMasterKey, parseMasterKey, sealedKeyId } from './vault.js'

/**
 * Master key rotation's behaviour on a store. Run on SQLite by rotation.test.ts and on
 * PostgreSQL by rotation.integration.test.ts.
 */
export function rotationContract(name: string, open: () => Promise<Store>): void {
  describe(`master key rotation: ${name}`, () => {
    const oldKey = parseMasterKey(generateMasterKey())
    const newKey = parseMasterKey(generateMasterKey())
    const oldVault = new Vault([oldKey])
    const ring = new Vault([newKey, oldKey])
    const newOnly = new Vault([newKey])

    interface Seeded {
      store: Store
      tenantId: string
      /** connection id → the secrets sealed in it. */
      secrets: Map<string, Record<string, unknown>>
    }

    const connection = (tenantId: string, secrets: Record<string, unknown> | null, id = newId()): ConnectionRow => {
      const now = new Date().toISOString()
      return {
        id,
        tenant_id: tenantId,
        integration_id: 'i1',
        name: `c-${id}`,
        description: 'd',
        auth_scheme: 'BEARER_TOKEN',
        status: 'ACTIVE',
        status_reason: null,
        config: '{}',
        secrets: secrets ? oldVault.seal(secrets, { tenantId, connectionId: id }) : null,
        version: 3,
        created_at: now,
        updated_at: '2020-01-01T00:00:00.000Z',
        expires_at: null,
        token_expires_at: null,
      }
    }

    const seed = async (n: number): Promise<Seeded> => {
      const store = await open()
      await store.migrate()
      const tenantId = newId()
      await store.createTenant({ id: tenantId, name: `t-${tenantId}`, created_at: new Date().toISOString() })
      const secrets = new Map<string, Record<string, unknown>>()
      for (let i = 0; i < n; i++) {
        const s = { token: `secret-token-${i}-${newId()}` }
        const row = connection(tenantId, s)
        secrets.set(row.id, s)
        await store.insertConnection(row)
      }
      await store.insertConnection(connection(tenantId, null)) // NO_AUTH: nothing sealed
      const now = new Date().toISOString()
      for (const integration of ['github', 'slack']) {
        await store.upsertOAuthApp({
          tenant_id: tenantId,
          integration_id: integration,
          client_id: `client-${integration}`,
          secret: oldVault.seal({ client_secret: `cs-${integration}` }, oauthAppBinding(tenantId, integration)),
          scopes: null,
          created_at: now,
          updated_at: now,
        })
      }
      const pending = [...secrets.keys()][0] as string
      const stateHash = newId()
      await store.insertOAuthState({
        state_hash: stateHash,
        tenant_id: tenantId,
        connection_id: pending,
        secret: oldVault.seal({ code_verifier: 'v' }, oauthStateBinding(tenantId, pending, stateHash)),
        expires_at: new Date(Date.now() + 600_000).toISOString(),
        used_at: null,
        created_at: now,
      })
      return { store, tenantId, secrets }
    }

    /** Every sealed value opens with `vault` and holds what was sealed. */
    const expectAllOpen = async ({ store, tenantId, secrets }: Seeded, vault: Vault) => {
      for (const [id, s] of secrets) {
        const row = (await store.getConnection(tenantId, id)) as ConnectionRow
        expect(vault.open(row.secrets as string, { tenantId, connectionId: id })).toEqual(s)
      }
      for (const app of await store.listOAuthApps(tenantId)) {
        expect(vault.open(app.secret, oauthAppBinding(tenantId, app.integration_id))).toEqual({ client_secret: `cs-${app.integration_id}` })
      }
      const states = await store.db.selectFrom('oauth_states').selectAll().where('tenant_id', '=', tenantId).execute()
      for (const st of states) expect(vault.open(st.secret, oauthStateBinding(tenantId, st.connection_id, st.state_hash))).toEqual({ code_verifier: 'v' })
    }

    it('re-encrypts every sealed value with the new key, keeping contents, versions and timestamps', async () => {
      const seeded = await seed(25)
      const { store, tenantId } = seeded
      try {
        const progress: RotationProgress[] = []
        const report = await rotateMasterKey(store, ring, { batchSize: 7, onProgress: (p) => progress.push(p) })
        expect(report).toMatchObject({ keyId: newKey.id, reencrypted: 25 + 2 + 1, conflicts: 0, failed: [], remaining: 0, interrupted: false, passes: 1 })
        await expectAllOpen(seeded, newOnly)
        const firstId = [...seeded.secrets.keys()][0] as string
        const first = (await store.getConnection(tenantId, firstId)) as ConnectionRow
        expect(() => oldVault.open(first.secrets as string, { tenantId, connectionId: firstId })).toThrow(/which this hub does not have/)
        const counts = await countSealedValues(store)
        expect(counts.map((c) => [c.table, c.byKey])).toEqual([
          ['connections', { [newKey.id]: 25 }],
          ['oauth_apps', { [newKey.id]: 2 }],
          ['oauth_states', { [newKey.id]: 1 }],
          ['webhook_endpoints', {}],
          ['trigger_instances', {}],
          ['vault_check', {}],
        ])
        const rows = await store.listConnections(tenantId, { offset: 0, limit: 100 })
        for (const r of rows.rows) {
          expect(r.version).toBe(3)
          expect(r.updated_at).toBe('2020-01-01T00:00:00.000Z')
        }
        // Batches of 7 over 25 connections: progress after each, ending at the total.
        const conn = progress.filter((p) => p.table === 'connections')
        expect(conn.map((p) => [p.done, p.tableDone])).toEqual([
          [7, false],
          [14, false],
          [21, false],
          [25, false],
          [25, true],
        ])
        expect(conn.every((p) => p.total === 25)).toBe(true)
        // Running it again finds nothing to do.
        expect(await rotateMasterKey(store, ring)).toMatchObject({ reencrypted: 0, remaining: 0 })
      } finally {
        await store.close()
      }
    })

    it('stops after the current batch when aborted, and a second run resumes where it stopped', async () => {
      const seeded = await seed(30)
      const { store } = seeded
      try {
        const controller = new AbortController()
        const first = await rotateMasterKey(store, ring, {
          batchSize: 10,
          signal: controller.signal,
          onProgress: (p) => {
            if (p.table === 'connections' && p.done === 10) controller.abort()
          },
        })
        expect(first).toMatchObject({ interrupted: true, reencrypted: 10, remaining: 20 + 2 + 1 })
        expect(first.remainingByKey).toEqual({ [oldKey.id]: 23 })
        // Half-way, every value is still readable by a hub holding both keys.
        await expectAllOpen(seeded, ring)
        const second = await rotateMasterKey(store, ring, { batchSize: 10 })
        expect(second).toMatchObject({ interrupted: false, reencrypted: 23, remaining: 0 })
        await expectAllOpen(seeded, newOnly)
      } finally {
        await store.close()
      }
    })

    it('never overwrites a value another writer changed meanwhile, and leaves it to that writer', async () => {
      const seeded = await seed(10)
      const { store, tenantId, secrets } = seeded
      try {
        const [victim] = [...secrets.keys()].sort()
        const fresh = { token: 'written-by-a-hub-during-rotation' }
        let raced = false
        const report = await rotateMasterKey(store, ring, {
          batchSize: 5,
          beforeWrite: async ({ table }) => {
            if (raced || table !== 'connections') return
            raced = true
            // A hub reconnects the first row of the batch between the rotation's read and write.
            const row = (await store.getConnection(tenantId, victim as string)) as ConnectionRow
            await store.updateConnection(tenantId, row.id, { secrets: ring.seal(fresh, { tenantId, connectionId: row.id }) }, row.version)
          },
        })
        expect(report).toMatchObject({ conflicts: 1, reencrypted: 9 + 2 + 1, remaining: 0 })
        const row = (await store.getConnection(tenantId, victim as string)) as ConnectionRow
        expect(newOnly.open(row.secrets as string, { tenantId, connectionId: row.id })).toEqual(fresh)
        expect(row.version).toBe(4)
      } finally {
        await store.close()
      }
    })

    it('makes another pass for values a hub still sealing with the old key wrote behind it', async () => {
      const seeded = await seed(6)
      const { store, tenantId, secrets } = seeded
      try {
        let late: ConnectionRow | undefined
        const report = await rotateMasterKey(store, ring, {
          batchSize: 3,
          beforeWrite: async ({ pass, table }) => {
            if (late || pass !== 1 || table !== 'connections') return
            // Sorts before every other id: the pass has already gone past it.
            late = connection(tenantId, { token: 'late' }, '000000000000000000000000')
            await store.insertConnection(late)
            secrets.set(late.id, { token: 'late' })
          },
        })
        expect(late).toBeDefined()
        expect(report).toMatchObject({ passes: 2, remaining: 0, reencrypted: 6 + 1 + 2 + 1 })
        await expectAllOpen(seeded, newOnly)
      } finally {
        await store.close()
      }
    })

    it('reports values it cannot open, carries on with the rest, and never echoes a value', async () => {
      const seeded = await seed(4)
      const { store, tenantId, secrets } = seeded
      try {
        const stranger = new Vault([parseMasterKey(generateMasterKey())])
        const unknown = connection(tenantId, null)
        unknown.secrets = stranger.seal({ token: 'unknown-key' }, { tenantId, connectionId: unknown.id })
        await store.insertConnection(unknown)
        const moved = connection(tenantId, null)
        moved.secrets = oldVault.seal({ token: 'bound-elsewhere' }, { tenantId, connectionId: 'another-row' })
        await store.insertConnection(moved)
        const report = await rotateMasterKey(store, ring, { batchSize: 2 })
        expect(report.reencrypted).toBe(4 + 2 + 1)
        expect(report.remaining).toBe(2)
        expect(report.remainingByKey).toEqual({ [sealedKeyId(unknown.secrets) as string]: 1, [oldKey.id]: 1 })
        expect(report.failed.map((f) => f.row).sort()).toEqual([unknown.id, moved.id].sort())
        expect(report.failed.find((f) => f.row === unknown.id)?.reason).toMatch(/master key .* which this hub does not have/)
        expect(report.failed.find((f) => f.row === moved.id)?.reason).toMatch(/failed authentication/)
        expect(JSON.stringify(report)).not.toMatch(/unknown-key|bound-elsewhere|pb1\./)
        for (const id of secrets.keys()) {
          const row = (await store.getConnection(tenantId, id)) as ConnectionRow
          expect(sealedKeyId(row.secrets as string)).toBe(newKey.id)
        }
      } finally {
        await store.close()
      }
    })
  })
}
