import { createHash, randomBytes } from 'node:crypto'
import { LRUCache } from 'lru-cache'
import { newId } from '../ids.js'
import type { Store } from '../store/store.js'

/** Prefix of every API key Patchbay issues, so leaked keys are recognisable by scanners. */
export const API_KEY_PREFIX = 'pb_'

/** SHA-256 hex of an API key. Keys carry 256 bits of entropy, so a slow KDF adds nothing. */
export function hashApiKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex')
}

/**
 * The name a key is shown and logged by: `fp_` and the first 12 hex digits of its SHA-256. It
 * is derived from the stored hash, never a part of the key, so a listing or a log line tells
 * nothing about a (possibly user-chosen) key that the database does not already hold.
 *
 * @example
 * ```ts
 * keyFingerprint('pb_…') // 'fp_3f1c9a0b2d4e'
 * ```
 */
export function keyFingerprint(key: string): string {
  return `fp_${hashApiKey(key).slice(0, 12)}`
}

/** A newly created key: `key` is shown once and never stored. */
export interface CreatedApiKey {
  key: string
  keyId: string
  tenantId: string
  tenantName: string
}

/**
 * Creates an API key, and the tenant `tenantName` if it does not exist yet.
 *
 * @example
 * ```ts
 * const { key } = await createApiKey(store, { name: 'ci', tenantName: 'acme' })
 * ```
 */
export async function createApiKey(
  store: Store,
  options: { name: string; tenantName?: string; key?: string },
): Promise<CreatedApiKey> {
  const tenantName = options.tenantName ?? 'default'
  const now = new Date().toISOString()
  let tenant = await store.findTenantByName(tenantName)
  if (!tenant) {
    tenant = { id: newId(), name: tenantName, created_at: now }
    await store.createTenant(tenant)
  }
  const key = options.key ?? `${API_KEY_PREFIX}${randomBytes(32).toString('base64url')}`
  const keyId = newId()
  await store.createApiKey({
    id: keyId,
    tenant_id: tenant.id,
    name: options.name,
    key_hash: hashApiKey(key),
    prefix: keyFingerprint(key),
    created_at: now,
  })
  return { key, keyId, tenantId: tenant.id, tenantName }
}

/** Seeds `key` for the default tenant unless a key with that hash already exists. */
export async function ensureBootstrapKey(store: Store, key: string): Promise<void> {
  if (await store.findApiKeyByHash(hashApiKey(key))) return
  await createApiKey(store, { name: 'bootstrap', key })
}

/**
 * Resolves API keys to tenants. Lookups are cached for a few seconds so the hot path does not hit
 * the database for every call; a revoked key stops working within `ttlMs`. Known keys and unknown
 * ones are cached apart, each least-recently-used first out, so a flood of unknown keys can evict
 * only other unknown keys, never a valid one.
 */
export class ApiKeyResolver {
  readonly #store: Store
  readonly #known: LRUCache<string, string>
  readonly #unknown: LRUCache<string, true>

  constructor(store: Store, ttlMs = 5_000, maxEntries = 10_000) {
    this.#store = store
    this.#known = new LRUCache({ max: maxEntries, ttl: ttlMs })
    this.#unknown = new LRUCache({ max: maxEntries, ttl: ttlMs })
  }

  /** The tenant id owning `key`, or undefined for an unknown key. */
  async resolve(key: string): Promise<string | undefined> {
    const hash = hashApiKey(key)
    const hit = this.#known.get(hash)
    if (hit !== undefined) return hit
    if (this.#unknown.has(hash)) return undefined
    const row = await this.#store.findApiKeyByHash(hash)
    if (row) this.#known.set(hash, row.tenant_id)
    else this.#unknown.set(hash, true)
    return row?.tenant_id
  }

  /** Whether `key`'s tenant is cached (for tests of the eviction policy). */
  isCached(key: string): boolean {
    return this.#known.has(hashApiKey(key))
  }
}
