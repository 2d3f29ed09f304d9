import { createHash, randomBytes } from 'node:crypto'
import { newId } from '../ids.js'
import type { Store } from '../store/store.js'

/** Prefix of every API key Patchbay issues, so leaked keys are recognisable by scanners. */
export const API_KEY_PREFIX = 'pb_'

/** SHA-256 hex of an API key. Keys carry 256 bits of entropy, so a slow KDF adds nothing. */
export function hashApiKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex')
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
    prefix: key.slice(0, 7),
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
 * the database for every call; a revoked key stops working within `ttlMs`.
 */
export class ApiKeyResolver {
  readonly #store: Store
  readonly #ttlMs: number
  readonly #cache = new Map<string, { tenantId: string | undefined; until: number }>()

  constructor(store: Store, ttlMs = 5_000) {
    this.#store = store
    this.#ttlMs = ttlMs
  }

  /** The tenant id owning `key`, or undefined for an unknown key. */
  async resolve(key: string): Promise<string | undefined> {
    const hash = hashApiKey(key)
    const now = Date.now()
    const hit = this.#cache.get(hash)
    if (hit && hit.until > now) return hit.tenantId
    const row = await this.#store.findApiKeyByHash(hash)
    if (this.#cache.size > 10_000) this.#cache.clear()
    this.#cache.set(hash, { tenantId: row?.tenant_id, until: now + this.#ttlMs })
    return row?.tenant_id
  }
}
