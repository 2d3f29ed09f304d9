import type { TriggerInstanceTable } from './trigger-schema.js'
import type { ConnectSessionTable, TenantConnectSettingsTable } from './connect-schema.js'
import type { EventTable, WebhookAttemptTable, WebhookDeliveryTable, WebhookEndpointTable } from './event-schema.js'

export type { ConnectSessionTable, TenantConnectSettingsTable } from './connect-schema.js'
export type { EventTable, WebhookAttemptTable, WebhookDeliveryTable, WebhookEndpointTable } from './event-schema.js'
export type { TriggerInstanceTable } from './trigger-schema.js'

/** `tenants`: an isolated owner of connections. */
export interface TenantTable {
  id: string
  name: string
  created_at: string
}

/** `api_keys`: SHA-256 of each key (keys are 256-bit random, so a fast hash is enough). */
export interface ApiKeyTable {
  id: string
  tenant_id: string
  name: string
  key_hash: string
  /** The key's fingerprint (`fp_` + 12 hex digits of its hash), to recognise it in listings and logs; never part of the key. */
  prefix: string
  created_at: string
  /** Space-separated scopes (`admin`, `connect`, `run`); see tenants/key-scopes.ts. */
  scopes: string
}

/** `connections`: one configured instance of an integration. */
export interface ConnectionTable {
  id: string
  tenant_id: string
  integration_id: string
  name: string
  description: string
  auth_scheme: string
  status: string
  status_reason: string | null
  /** Non-secret inputs as JSON text. */
  config: string
  /** Secret inputs and tokens, sealed by the vault; null when there are none. */
  secrets: string | null
  /** Bumped on every change; cache entries and concurrent writers compare it. */
  version: number
  created_at: string
  updated_at: string
  /** When a PENDING connection stops being completable. */
  expires_at: string | null
  /** When the OAuth access token expires (null: unknown or never). */
  token_expires_at: string | null
  /** The app's end user this connection belongs to (Connect sessions); null for a tenant's own. */
  end_user_id?: string | null
  /** Tags (JSON object of strings) copied from the Connect session; null when none. */
  tags?: string | null
}

/** `oauth_apps`: a tenant's OAuth client for one integration; the secret is sealed. */
export interface OAuthAppTable {
  tenant_id: string
  integration_id: string
  client_id: string
  /** Sealed `{ client_secret }` (bound to tenant and `oauth-app:<integration>`). */
  secret: string
  /** Space-separated scope override, or null for the definition's defaults. */
  scopes: string | null
  created_at: string
  updated_at: string
}

/** `oauth_states`: an authorization in flight, single-use. */
export interface OAuthStateTable {
  /** SHA-256 of the state (OAuth 2) or temporary token (OAuth 1). */
  state_hash: string
  tenant_id: string
  connection_id: string
  /** Sealed flow secrets: the PKCE verifier, or the OAuth 1 temporary token secret. */
  secret: string
  expires_at: string
  used_at: string | null
  created_at: string
}

/** `runs`: asynchronous executions whose result is read through a poll URL. */
export interface RunTable {
  id: string
  tenant_id: string
  status: string
  /** The final execute body, JSON text, once completed. */
  result: string | null
  created_at: string
  completed_at: string | null
}

/** `tenant_integrations`: a definition a tenant registered at run time (visible to that tenant only). */
export interface TenantIntegrationTable {
  tenant_id: string
  /** The definition's slug id. */
  id: string
  /** Its 24-hex wire id. */
  model_id: string
  name: string
  /** The validated definition, JSON text. */
  definition: string
  created_at: string
  updated_at: string
}

/** `connection_action_scopes`: the actions of a connection agents may use. */
export interface ConnectionActionScopeTable {
  connection_id: string
  tenant_id: string
  /** JSON array of action codes. */
  actions: string
  updated_at: string
}

/** Kysely database type. */
export interface Database {
  tenants: TenantTable
  api_keys: ApiKeyTable
  connections: ConnectionTable
  runs: RunTable
  oauth_apps: OAuthAppTable
  oauth_states: OAuthStateTable
  tenant_integrations: TenantIntegrationTable
  connection_action_scopes: ConnectionActionScopeTable
  vault_check: VaultCheckTable
  key_epoch: KeyEpochTable
  run_log: RunLogTable
  tenant_settings: TenantSettingsTable
  events: EventTable
  webhook_endpoints: WebhookEndpointTable
  webhook_deliveries: WebhookDeliveryTable
  webhook_attempts: WebhookAttemptTable
  trigger_instances: TriggerInstanceTable
  connect_sessions: ConnectSessionTable
  tenant_connect_settings: TenantConnectSettingsTable
}

/** `key_epoch`: one row (`keys`) bumped on every key revocation. */
export interface KeyEpochTable {
  id: string
  value: number
}

/** `run_log`: one row per action run; never inputs or outputs unless the tenant opted in to excerpts. */
export interface RunLogTable {
  /** Time-ordered id (the cursor). */
  id: string
  tenant_id: string
  created_at: string
  connection_id: string
  /** The end user the connection belongs to (null until end users exist). */
  end_user_id: string | null
  integration_id: string
  action: string
  /** SUCCESS or FAILED. */
  status: string
  /** The service's HTTP status, when it answered. */
  http_status: number | null
  duration_ms: number
  error_code: string | null
  /** Redacted. */
  error_message: string | null
  /** The caller's API key id. */
  key_id: string | null
  /** Bounded, redacted excerpts (tenant opt-in only). */
  input_excerpt: string | null
  output_excerpt: string | null
}

/** `tenant_settings`: per-tenant switches. */
export interface TenantSettingsTable {
  tenant_id: string
  /** 1: the run log keeps bounded, redacted input/output excerpts. */
  run_log_excerpts: number
  updated_at: string
}

/** `vault_check`: a constant sealed with the master key at first start, to detect a wrong key. */
export interface VaultCheckTable {
  id: string
  secret: string
  created_at: string
}
