import type { HubLimits } from '../limits.js'
import type { Logger } from 'pino'
import type { ActionRunner } from '../actions/run-action.js'
import type { OAuthApps } from '../auth/oauth-apps.js'
import type { OAuthService } from '../auth/oauth.js'
import type { Catalog } from '../catalog/catalog.js'
import type { EventServices } from '../events/event-services.js'
import type { TriggerServices } from '../events/triggers/trigger-services.js'
import type { TenantIntegrations } from '../catalog/tenant-integrations.js'
import type { RemoteMcpClients } from '../mcp/remote-client.js'
import type { Store } from '../store/store.js'
import type { ApiKeyResolver } from '../tenants/api-keys.js'
import type { Vault } from '../vault/vault.js'
import type { RunLog } from '../connections/run-log.js'
import type { ConnectSessions } from '../connections/connect-sessions.js'
import type { Branding } from '../config.js'

/**
 * What `buildServer` and every route group are built with: the hub's services, each built once in
 * hub.ts, and the three settings the server itself uses. Nothing here is carried only to be
 * passed on.
 */
export interface ServerDeps {
  store: Store
  vault: Vault
  catalog: Catalog
  runner: ActionRunner
  keys: ApiKeyResolver
  logger: Logger
  oauth: OAuthService
  oauthApps: OAuthApps
  /** Integrations tenants registered at run time. */
  tenantIntegrations: TenantIntegrations
  /** Clients of remote MCP servers (the MCP Server integration); closed with the server. */
  mcpClients: RemoteMcpClients
  /** Asynchronous runs still working, so a graceful stop can wait for them. */
  backgroundRuns: Set<Promise<void>>
  /** Largest accepted body, bytes. */
  maxBodyBytes: number
  /** Base of absolute URLs the hub hands out (poll URLs); resolved per request when undefined. */
  publicUrl: () => string | undefined
  /** How long a graceful stop waits for asynchronous runs, beyond a 5 s margin, ms. */
  upstreamTimeoutMs: number
  /** Timeouts, admin body and registration limits, failed-key throttling. */
  limits: HubLimits
  /** The log of every action run; undefined when off. */
  runLog?: RunLog | undefined
  /** Bearer token of `GET /metrics` (`PATCHBAY_METRICS_TOKEN`); the route is off without it. */
  metricsToken?: string | undefined
  /** Webhook endpoints, the events feed and the delivery worker (events/). */
  events: EventServices
  /** Trigger instances, inbound webhooks and aiXplain's v1 triggers (events/triggers/). */
  triggers: TriggerServices
  /** Connect sessions (connections/connect-sessions.ts). */
  connectSessions: ConnectSessions
  /** The dashboard's product name and accent colour; default Patchbay's. */
  branding?: Branding | undefined
}
