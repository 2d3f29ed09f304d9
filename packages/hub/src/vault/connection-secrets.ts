import type { ConnectionRow } from '../store/store.js'
import type { Vault } from './vault.js'

/*
 * The one place a connection's secrets are sealed and opened. It sits in vault/, not
 * connections/, because auth/ (OAuth refresh rewrites tokens), actions/ (the runner opens them)
 * and connections/ all need it, and the first two may not import connections/.
 */

/**
 * Seals a connection's secrets bound to its tenant and id; `null` (the column's "none") when there
 * are no secrets.
 *
 * @example
 * ```ts
 * const sealed = sealConnectionSecrets(vault, tenantId, id, { token })
 * ```
 */
export function sealConnectionSecrets(vault: Vault, tenantId: string, connectionId: string, secrets: Record<string, unknown> | undefined): string | null {
  return secrets && Object.keys(secrets).length ? vault.seal(secrets, { tenantId, connectionId }) : null
}

/**
 * Opens the secrets of a connection row (an empty object when it has none).
 *
 * @throws {Error} when the sealed value does not open under this row's binding (tampered or moved).
 */
export function openConnectionSecrets<T extends object = Record<string, unknown>>(vault: Vault, row: Pick<ConnectionRow, 'secrets' | 'tenant_id' | 'id'>): Partial<T> {
  return row.secrets ? vault.open<T>(row.secrets, { tenantId: row.tenant_id, connectionId: row.id }) : {}
}
