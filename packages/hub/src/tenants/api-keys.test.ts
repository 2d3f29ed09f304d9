import { describe, expect, it } from 'vitest'
import { openStore } from '../store/store.js'
import { ApiKeyResolver, createApiKey, keyFingerprint } from './api-keys.js'

describe('API keys (issue 11 item 9)', () => {
  it('stores a fingerprint of the hash, never the first characters of the key', async () => {
    const store = openStore(':memory:')
    await store.migrate()
    const key = 'my-own-bootstrap-key-123'
    const created = await createApiKey(store, { name: 'b', key })
    const row = await store.db.selectFrom('api_keys').selectAll().where('id', '=', created.keyId).executeTakeFirstOrThrow()
    expect(row.prefix).toBe(keyFingerprint(key))
    expect(row.prefix).toMatch(/^fp_[0-9a-f]{12}$/)
    expect(row.prefix).not.toContain(key.slice(0, 7))
    await store.close()
  })

  it('a flood of unknown keys never evicts a cached valid key', async () => {
    const store = openStore(':memory:')
    await store.migrate()
    const { key, tenantId } = await createApiKey(store, { name: 'v' })
    const resolver = new ApiKeyResolver(store, 60_000, 100)
    expect((await resolver.resolve(key))?.tenantId).toBe(tenantId)
    for (let i = 0; i < 1_000; i++) expect(await resolver.resolve(`pb_unknown_${i}`)).toBeUndefined()
    expect(resolver.isCached(key)).toBe(true)
    await store.close()
  })
})
