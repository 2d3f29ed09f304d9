import { mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
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

  it('on SQLite, answers a cached key without a promise while nothing changed, and asks the store again after a revocation', async () => {
    const store = openStore(':memory:')
    await store.migrate()
    const one = await createApiKey(store, { name: 'one' })
    const resolver = new ApiKeyResolver(store)
    expect(resolver.resolve(one.key)).toBeInstanceOf(Promise) // first sight: the store is asked
    expect((await resolver.resolve(one.key))?.keyId).toBe(one.keyId)
    const hot = resolver.resolve(one.key)
    expect(hot).not.toBeInstanceOf(Promise)
    expect(hot).toMatchObject({ keyId: one.keyId, tenantId: one.tenantId })
    expect(await store.tenants.revokeApiKey(one.tenantId, one.keyId)).toBe(true)
    const after = resolver.resolve(one.key)
    expect(after).toBeInstanceOf(Promise)
    expect(await after).toBeUndefined()
    await store.close()
  })

  it('on SQLite, a key revoked by this process or by another one on the file (the CLI) is refused on the next request', async () => {
    const file = join(await mkdtemp(join(tmpdir(), 'pb-keys-')), 'db.sqlite')
    const hub = openStore(file)
    await hub.migrate()
    const cli = openStore(file)
    const one = await createApiKey(hub, { name: 'one' })
    const two = await createApiKey(hub, { name: 'two' })
    const resolver = new ApiKeyResolver(hub)
    for (let i = 0; i < 3; i++) expect((await resolver.resolve(one.key))?.keyId).toBe(one.keyId)
    expect(await cli.tenants.revokeApiKey(undefined, one.keyId)).toBe(true)
    expect(await resolver.resolve(one.key)).toBeUndefined()
    expect((await resolver.resolve(two.key))?.keyId).toBe(two.keyId)
    expect(await hub.tenants.revokeApiKey(two.tenantId, two.keyId)).toBe(true)
    expect(await resolver.resolve(two.key)).toBeUndefined()
    await Promise.all([hub.close(), cli.close()])
  })
})
