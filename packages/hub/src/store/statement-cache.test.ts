import { mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { openStore } from './store.js'

// openStore reuses prepared SQLite statements by SQL text (a hot-path saving, docs/performance.md).
describe('SQLite prepared-statement reuse', () => {
  const open = async () => {
    const store = openStore(join(await mkdtemp(join(tmpdir(), 'pb-stmt-')), 'db.sqlite'))
    await store.migrate()
    for (let i = 0; i < 3; i++) await store.createTenant({ id: `t${i}`, name: `tenant ${i}`, created_at: new Date(Date.UTC(2026, 0, 1 + i)).toISOString() })
    return store
  }

  it('runs the same query again with other parameters and sees new rows', async () => {
    const store = await open()
    try {
      expect((await store.findTenantByName('tenant 1'))?.id).toBe('t1')
      expect((await store.findTenantByName('tenant 2'))?.id).toBe('t2')
      expect(await store.findTenantByName('tenant 3')).toBeUndefined()
      await store.createTenant({ id: 't3', name: 'tenant 3', created_at: new Date().toISOString() })
      expect((await store.findTenantByName('tenant 3'))?.id).toBe('t3')
    } finally {
      await store.close()
    }
  })
})
