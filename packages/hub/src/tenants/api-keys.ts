import { createHash, randomBytes } from 'node:crypto'
import { LRUCache } from 'lru-cache'
import { newId } from '../ids.js'
import type { Store } from '../store/store.js'
import { parseScopes, type KeyScope } from './key-scopes.js'

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
  scopes: KeyScope[]
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
  options: { name: string; tenantName?: string; key?: string; scopes?: readonly KeyScope[]; tenantId?: string },
): Promise<CreatedApiKey> {
  const scopes = [...new Set(options.scopes?.length ? options.scopes : (['admin'] as const))]
  const tenantName = options.tenantName ?? 'default'
  const now = new Date().toISOString()
  let tenant = options.tenantId ? await store.db.selectFrom('tenants').selectAll().where('id', '=', options.tenantId).executeTakeFirst() : await store.findTenantByName(tenantName)
  if (!tenant && options.tenantId) throw new Error(`No tenant ${options.tenantId}`)
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
    scopes: scopes.join(' '),
  })
  return { key, keyId, tenantId: tenant.id, tenantName: tenant.name, scopes }
}

/** Seeds `key` for the default tenant unless a key with that hash already exists. */
export async function ensureBootstrapKey(store: Store, key: string): Promise<void> {
  if (await store.findApiKeyByHash(hashApiKey(key))) return
  await createApiKey(store, { name: 'bootstrap', key })
}

/** Who is calling: the key's tenant, id and scopes. */
export interface ResolvedKey {
  tenantId: string
  keyId: string
  scopes: KeyScope[]
}

/**
 * Resolves API keys to their tenant, id and scopes. Lookups are cached so the hot path does not
 * read the key for every call, but every request reads the key epoch (one indexed row, bumped by
 * every revocation): when it moved, the cache is dropped, so a key revoked on one process is
 * refused by every process on its next request. Known keys and unknown ones are cached apart, each
 * least-recently-used first out, so a flood of unknown keys can evict only other unknown keys.
 * A known key is also cached by the key string itself (for the same TTL), so it is not hashed
 * again on every request: the raw key stays in this process's memory for at most the TTL, as it
 * does while each request carrying it is handled.
 */
export class ApiKeyResolver {
  readonly #store: Store
  readonly #known: LRUCache<string, ResolvedKey>
  /** Known keys by the key itself, so a known key is not hashed again per request. */
  readonly #byKey: LRUCache<string, ResolvedKey>
  readonly #unknown: LRUCache<string, true>
  #epoch = -1

  constructor(store: Store, ttlMs = 60_000, maxEntries = 10_000) {
    this.#store = store
    this.#known = new LRUCache({ max: maxEntries, ttl: ttlMs })
    this.#byKey = new LRUCache({ max: maxEntries, ttl: ttlMs })
    this.#unknown = new LRUCache({ max: maxEntries, ttl: Math.min(ttlMs, 5_000) })
  }

  /**
   * The key's tenant, id and scopes, or undefined for an unknown (or revoked) key. A key cached
   * under an epoch known current (SQLite, nothing changed since) is answered synchronously, the
   * rest through a promise: callers `await` it either way. A promise per request here was ~1 %
   * of an action run's CPU (docs/performance.md, "The sixth round").
   */
  resolve(key: string): ResolvedKey | undefined | Promise<ResolvedKey | undefined> {
    const epoch = this.#store.tenants.knownKeyEpoch()
    if (epoch !== undefined && epoch === this.#epoch) {
      const known = this.#byKey.get(key)
      if (known !== undefined) return known
    }
    return this.#resolve(key)
  }

  async #resolve(key: string): Promise<ResolvedKey | undefined> {
    const epoch = await this.#store.tenants.keyEpoch()
    if (epoch !== this.#epoch) {
      this.#known.clear()
      this.#byKey.clear()
      this.#epoch = epoch
    }
    const known = this.#byKey.get(key)
    if (known !== undefined) return known
    const hash = hashApiKey(key)
    const hit = this.#known.get(hash)
    if (hit !== undefined) {
      this.#byKey.set(key, hit)
      return hit
    }
    if (this.#unknown.has(hash)) return undefined
    const row = await this.#store.findApiKeyByHash(hash)
    if (!row) {
      this.#unknown.set(hash, true)
      return undefined
    }
    const resolved: ResolvedKey = { tenantId: row.tenant_id, keyId: row.id, scopes: parseScopes(row.scopes) }
    // A revocation that moved the epoch during the read must not leave the key cached.
    if (epoch !== this.#epoch) return resolved
    this.#known.set(hash, resolved)
    this.#byKey.set(key, resolved)
    return resolved
  }

  /** Whether `key`'s tenant is cached (for tests of the eviction policy). */
  isCached(key: string): boolean {
    return this.#known.has(hashApiKey(key))
  }
}
