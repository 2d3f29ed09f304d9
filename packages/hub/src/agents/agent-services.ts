/**
 * Wiring of the features for agents (remote MCP connections, the hub's MCP server, tool-schema
 * export, runtime integrations) into the HTTP server, kept here so the server file only gains
 * two call sites.
 */
import type { FastifyInstance } from 'fastify'
import type { Catalog } from '../catalog/catalog.js'
import { TenantIntegrations } from '../catalog/tenant-integrations.js'
import type { ExecuteDeps } from '../connections/execute.js'
import { registerMcpServerRoute } from '../mcp/mcp-server-route.js'
import { RemoteMcpClients } from '../mcp/remote-client.js'
import type { Store } from '../store/store.js'
import { registerToolRoutes } from '../tools/tool-routes.js'
import { registerIntegrationRoutes } from './integration-routes.js'
import type { HubLimits } from '../limits.js'

/** What {@link createAgentServices} needs. */
export interface AgentServicesDeps {
  store: Store
  catalog: Catalog
  /** `PATCHBAY_ALLOW_PRIVATE_NETWORK`: let tenant-supplied URLs reach private addresses. Default false. */
  allowPrivateNetwork?: boolean | undefined
  upstreamConnectTimeoutMs?: number | undefined
  upstreamTimeoutMs?: number | undefined
  /** Already-built services (tests); built here when absent. */
  mcpClients?: RemoteMcpClients | undefined
  tenantIntegrations?: TenantIntegrations | undefined
}

/** The services the agent features share with the execute endpoint. */
export interface AgentServices {
  mcpClients: RemoteMcpClients
  tenantIntegrations: TenantIntegrations
}

/**
 * Builds the agent services of a hub.
 *
 * @example
 * ```ts
 * const agents = createAgentServices({ store, catalog, allowPrivateNetwork: false })
 * ```
 */
export function createAgentServices(deps: AgentServicesDeps): AgentServices {
  return {
    mcpClients:
      deps.mcpClients ??
      new RemoteMcpClients({
        allowPrivateNetwork: deps.allowPrivateNetwork ?? false,
        ...(deps.upstreamConnectTimeoutMs !== undefined ? { connectTimeoutMs: deps.upstreamConnectTimeoutMs } : {}),
        ...(deps.upstreamTimeoutMs !== undefined ? { requestTimeoutMs: deps.upstreamTimeoutMs } : {}),
      }),
    tenantIntegrations: deps.tenantIntegrations ?? new TenantIntegrations(deps.store, deps.catalog),
  }
}

/**
 * Registers `/mcp`, the tool-schema and action-scope endpoints and the runtime-integration
 * admin endpoints, and closes the MCP client sessions when the server closes.
 */
export function registerAgentRoutes(app: FastifyInstance, deps: ExecuteDeps & { maxBodyBytes: number; limits?: HubLimits | undefined }): void {
  registerMcpServerRoute(app, deps)
  registerToolRoutes(app, deps)
  registerIntegrationRoutes(app, deps)
  app.addHook('onClose', async () => {
    await deps.mcpClients?.close()
  })
}
