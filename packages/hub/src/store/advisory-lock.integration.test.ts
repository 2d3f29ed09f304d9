import { afterAll, describe, expect, it } from 'vitest'
import { createTestDatabase, dropTestDatabases, postgresAvailable } from '../../../../test/support/postgres.js'
import { ensureBootstrapKey } from '../tenants/api-keys.js'
import { advisoryLockKey, withAdvisoryLock } from './advisory-lock.js'
import { openStore, type Store } from './store.js'

const available = await postgresAvailable()
afterAll(dropTestDatabases)

describe.skipIf(!available)('withAdvisoryLock on PostgreSQL', () => {
  it('lets one holder at a time in, across separate connection pools (as separate processes have)', async () => {
    const url = await createTestDatabase()
    const stores: Store[] = Array.from({ length: 6 }, () => openStore(url, { poolSize: 3 }))
    try {
      await stores[0]?.migrate()
      let inside = 0
      let most = 0
      const entered: number[] = []
      await Promise.all(
        stores.map((s, i) =>
          withAdvisoryLock(s, 'test', async () => {
            inside++
            most = Math.max(most, inside)
            entered.push(i)
            await new Promise((r) => setTimeout(r, 20))
            inside--
          }),
        ),
      )
      expect(entered.sort()).toEqual([0, 1, 2, 3, 4, 5])
      expect(most).toBe(1)
    } finally {
      await Promise.all(stores.map((s) => s.close()))
    }
  })

  it('is released when the holder fails', async () => {
    const url = await createTestDatabase()
    const store = openStore(url, { poolSize: 2 })
    try {
      await expect(withAdvisoryLock(store, 'test', async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom')
      expect(await withAdvisoryLock(store, 'test', async () => 'again')).toBe('again')
    } finally {
      await store.close()
    }
  })

  it('makes seeding the bootstrap key from many processes at once create one tenant and one key', async () => {
    const url = await createTestDatabase()
    const stores: Store[] = Array.from({ length: 6 }, () => openStore(url, { poolSize: 3 }))
    try {
      await stores[0]?.migrate()
      const key = 'bootstrap-race-0123456789abcdef'
      await Promise.all(stores.map((s) => withAdvisoryLock(s, 'startup', () => ensureBootstrapKey(s, key))))
      const store = stores[0] as Store
      expect(await store.countTenants()).toBe(1)
      const keys = await store.db.selectFrom('api_keys').select('id').execute()
      expect(keys).toHaveLength(1)
    } finally {
      await Promise.all(stores.map((s) => s.close()))
    }
  })

  it('derives distinct, stable 64-bit keys from names', () => {
    expect(advisoryLockKey('startup')).toBe(advisoryLockKey('startup'))
    expect(advisoryLockKey('startup')).not.toBe(advisoryLockKey('refresh'))
    expect(advisoryLockKey('x') >= -(2n ** 63n) && advisoryLockKey('x') < 2n ** 63n).toBe(true)
  })
})
