import { ConnectionStatus } from '@patchbay/core'
import type { ConnectionRow } from '../store/store.js'
import { sealConnectionSecrets } from '../vault/connection-secrets.js'
import type { Vault } from '../vault/vault.js'

/** What a new connection row is made of; secrets are sealed here, bound to tenant and id. */
export interface NewConnection {
  id: string
  tenantId: string
  integrationId: string
  name: string
  /** The full description, scheme suffix included. */
  description: string
  schema: string
  config: Record<string, unknown>
  /** Plain secrets to seal (none: `secrets` is null), unless `sealed` is given. */
  secrets?: Record<string, unknown>
  /** Already-sealed secrets (e.g. an OAuth token set sealed with its expiry). */
  sealed?: string | null
  status?: ConnectionStatus
  statusReason?: string | null
  /** When a PENDING connection stops being completable. */
  expiresAt?: string | null
  tokenExpiresAt?: string | null
  /** The app's end user the connection belongs to (Connect sessions). */
  endUserId?: string | null
  /** Tags copied from the Connect session. */
  tags?: Record<string, string> | null
}

/** The row of a connection being created, at version 1 (ACTIVE unless said otherwise). */
export function newConnectionRow(vault: Vault, c: NewConnection): ConnectionRow {
  const now = new Date().toISOString()
  const secrets = c.sealed !== undefined ? c.sealed : sealConnectionSecrets(vault, c.tenantId, c.id, c.secrets)
  return {
    id: c.id,
    tenant_id: c.tenantId,
    integration_id: c.integrationId,
    name: c.name,
    description: c.description,
    auth_scheme: c.schema,
    status: c.status ?? ConnectionStatus.ACTIVE,
    status_reason: c.statusReason ?? null,
    config: JSON.stringify(c.config),
    secrets,
    version: 1,
    created_at: now,
    updated_at: now,
    expires_at: c.expiresAt ?? null,
    token_expires_at: c.tokenExpiresAt ?? null,
    end_user_id: c.endUserId ?? null,
    tags: c.tags ? JSON.stringify(c.tags) : null,
  }
}
