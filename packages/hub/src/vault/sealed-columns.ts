import type { SecretBinding } from './vault.js'

/**
 * The binding of an OAuth app's sealed client secret (`oauth_apps.secret`): the tenant, and
 * `oauth-app:<integration id>` in place of a connection id.
 */
export function oauthAppBinding(tenantId: string, integrationId: string): SecretBinding {
  return { tenantId, connectionId: `oauth-app:${integrationId}` }
}

/**
 * The binding of an authorization in flight's sealed flow secrets (`oauth_states.secret`): the
 * tenant, and `oauth-state:<connection id>:<state hash>` in place of a connection id. Its own
 * purpose prefix keeps it apart from the connection's secrets (issue 11 item 12: with the bare
 * connection id, one ciphertext could be swapped for the other by someone who can write the
 * database), and the state hash (the row's key) from another authorization of the same connection.
 *
 * States sealed before this binding (bare connection id) no longer open: they live 10 minutes,
 * so an authorization in flight across the upgrade ends on a "start again" page, and no fallback
 * to the old binding is kept (a fallback would keep the swap open).
 */
export function oauthStateBinding(tenantId: string, connectionId: string, stateHash: string): SecretBinding {
  return { tenantId, connectionId: `oauth-state:${connectionId}:${stateHash}` }
}

/** The binding of a webhook endpoint's sealed signing secret: the tenant, and `webhook:<endpoint id>`. */
export function webhookSecretBinding(tenantId: string, endpointId: string): SecretBinding {
  return { tenantId, connectionId: `webhook:${endpointId}` }
}

/** The binding of a trigger instance's sealed secrets (`trigger_instances.secret`): the tenant, and `trigger:<instance id>`. */
export function triggerSecretBinding(tenantId: string, triggerId: string): SecretBinding {
  return { tenantId, connectionId: `trigger:${triggerId}` }
}

/** A column holding values sealed by the vault, and how to rebuild each value's binding from its row. */
export interface SealedColumn {
  readonly table: 'connections' | 'oauth_apps' | 'oauth_states' | 'vault_check' | 'webhook_endpoints' | 'trigger_instances'
  readonly column: 'secrets' | 'secret'
  /** The primary key, in order (rows are visited in this order). */
  readonly keyColumns: readonly string[]
  /** Other columns {@link binding} needs. */
  readonly bindingColumns: readonly string[]
  binding(row: Record<string, string>): SecretBinding
}

/**
 * Every place the hub stores sealed values. Master key rotation re-encrypts exactly these, so a
 * new sealed column must be added here (and sealed with the binding given here), or rotation
 * would leave it readable only with the old key.
 */
export const SEALED_COLUMNS: readonly SealedColumn[] = [
  {
    table: 'connections',
    column: 'secrets',
    keyColumns: ['id'],
    bindingColumns: ['tenant_id'],
    binding: (r) => ({ tenantId: r['tenant_id'] as string, connectionId: r['id'] as string }),
  },
  {
    table: 'oauth_apps',
    column: 'secret',
    keyColumns: ['tenant_id', 'integration_id'],
    bindingColumns: [],
    binding: (r) => oauthAppBinding(r['tenant_id'] as string, r['integration_id'] as string),
  },
  {
    table: 'oauth_states',
    column: 'secret',
    keyColumns: ['state_hash'],
    bindingColumns: ['tenant_id', 'connection_id'],
    binding: (r) => oauthStateBinding(r['tenant_id'] as string, r['connection_id'] as string, r['state_hash'] as string),
  },
  {
    table: 'webhook_endpoints',
    column: 'secret',
    keyColumns: ['id'],
    bindingColumns: ['tenant_id'],
    binding: (r) => webhookSecretBinding(r['tenant_id'] as string, r['id'] as string),
  },
  {
    table: 'trigger_instances',
    column: 'secret',
    keyColumns: ['id'],
    bindingColumns: ['tenant_id'],
    binding: (r) => triggerSecretBinding(r['tenant_id'] as string, r['id'] as string),
  },
  {
    // The master-key check value (vault/master-key-check.ts VAULT_CHECK_BINDING).
    table: 'vault_check',
    column: 'secret',
    keyColumns: ['id'],
    bindingColumns: [],
    binding: (r) => ({ tenantId: '-', connectionId: `vault-check:${r['id'] as string}` }),
  },
]
