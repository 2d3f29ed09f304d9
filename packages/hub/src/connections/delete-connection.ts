import type { ActionRunner } from '../actions/run-action.js'
import type { OAuthService } from '../auth/oauth.js'
import type { Integration } from '../catalog/catalog.js'
import type { ConnectionRow, Store } from '../store/store.js'
import type { McpSessions } from './mcp.js'

/** What {@link deleteConnection} needs: the store, and whatever holds state for a connection. */
export interface DeleteConnectionDeps {
  store: Store
  runner: ActionRunner
  oauth: OAuthService
  mcpClients?: McpSessions | undefined
}

/** The answer of a delete: the id, and `revoked` when the provider was told to revoke the tokens. */
export interface DeletedConnection {
  id: string
  deleted: true
  revoked?: true
}

/**
 * Deletes a connection and forgets what the hub holds for it (the runner's state, the MCP
 * session, the OAuth tokens at the provider), for both wire versions' delete endpoints. The row
 * goes first, so a failing provider never keeps a connection alive.
 *
 * @example
 * ```ts
 * await deleteConnection(deps, tenantId, target.integration, target.connection) // { id, deleted: true }
 * ```
 */
export async function deleteConnection(deps: DeleteConnectionDeps, tenantId: string, integration: Integration, connection: ConnectionRow): Promise<DeletedConnection> {
  await deps.store.deleteConnection(tenantId, connection.id)
  deps.runner.forget(connection.id)
  void deps.mcpClients?.forget(connection.id)
  const revoked = await deps.oauth.revoke(integration, connection)
  return { id: connection.id, deleted: true, ...(revoked ? { revoked } : {}) }
}
