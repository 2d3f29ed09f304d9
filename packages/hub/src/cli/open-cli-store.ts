import { existsSync } from 'node:fs'
import { loadConfig, type HubConfig } from '../config.js'
import { openStore, type Store } from '../store/store.js'
import { resolveMasterKeys } from '../vault/master-key-file.js'
import { Vault } from '../vault/vault.js'

/**
 * Opens the configured store for a command that only reads or changes what exists, runs `fn`
 * and closes it. A SQLite file that does not exist is refused (naming the path), never created
 * empty: the wrong folder must not look like an empty hub.
 *
 * @throws {Error} when the SQLite file does not exist.
 */
export async function withExistingStore<T>(fn: (store: Store) => Promise<T>): Promise<T> {
  const url = loadConfig().databaseUrl
  if (!/^postgres(ql)?:/i.test(url) && url !== ':memory:' && !existsSync(url)) {
    throw new Error(`No database at ${url}; run this from the hub's folder, or pass --data-dir <dir> or --database-url <url>`)
  }
  const store = openStore(url)
  try {
    await store.migrate()
    return await fn(store)
  } finally {
    await store.close()
  }
}

/** What {@link withTenantVault} hands a command: the configuration, a migrated store, the vault and the tenant's id. */
export interface TenantVault {
  config: HubConfig
  store: Store
  /** Seals and opens with the whole key ring (PATCHBAY_MASTER_KEYS etc.), as the hubs do. */
  vault: Vault
  tenantId: string
}

/**
 * Opens what a command that seals or opens a tenant's secrets needs (`webhooks`, `oauth-app`):
 * the configuration read from `env`, the master keys, the store (migrated) and the tenant by
 * name; runs `fn` and closes the store, whatever `fn` does.
 *
 * @throws {Error} when no tenant has that name (saying how tenants are created).
 * @example
 * ```ts
 * await withTenantVault('default', async ({ store, vault, tenantId }) => {
 *   await new OAuthApps(store, vault).list(tenantId)
 * })
 * ```
 */
export async function withTenantVault<T>(tenantName: string, fn: (opened: TenantVault) => Promise<T>, env: NodeJS.ProcessEnv = process.env): Promise<T> {
  const config = loadConfig(env)
  const mk = await resolveMasterKeys(config)
  const store = openStore(config.databaseUrl)
  try {
    await store.migrate()
    const tenant = await store.findTenantByName(tenantName)
    if (!tenant) throw new Error(`No tenant "${tenantName}"; tenants are created with their first API key (patchbay keys create --name <n> --tenant ${tenantName})`)
    return await fn({ config, store, vault: new Vault(mk.keys), tenantId: tenant.id })
  } finally {
    await store.close()
  }
}
