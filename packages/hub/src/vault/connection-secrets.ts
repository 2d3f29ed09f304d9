import { PatchbayError } from '@patchbay/core'
import type { ConnectionRow } from '../store/store.js'
import { SealedValueRejected, type Vault } from './vault.js'

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
 * @throws {PatchbayError} CONNECTION_NOT_ACTIVE (409, a FAILED run) saying to reconnect when the
 *   sealed value does not open under this row's binding (tampered with, or another row's or
 *   purpose's ciphertext, such as an OAuth state's); INTERNAL when the master key is missing.
 */
export function openConnectionSecrets<T extends object = Record<string, unknown>>(vault: Vault, row: Pick<ConnectionRow, 'secrets' | 'tenant_id' | 'id'>): Partial<T> {
  if (!row.secrets) return {}
  try {
    return vault.open<T>(row.secrets, { tenantId: row.tenant_id, connectionId: row.id })
  } catch (err) {
    if (!(err instanceof SealedValueRejected)) throw err
    throw new PatchbayError(
      'CONNECTION_NOT_ACTIVE',
      `The stored credentials of connection ${row.id} do not open (tampered with, or sealed for another row or purpose); reconnect it with its credentials`,
      { cause: err },
    )
  }
}
