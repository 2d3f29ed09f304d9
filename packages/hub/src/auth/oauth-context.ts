import { createHash } from 'node:crypto'
import type { Logger } from 'pino'
import { ConnectionStatus, PatchbayError } from '@patchbay/core'
import type { Integration } from '../catalog/catalog.js'
import type { IntegrationLookup } from '../catalog/find-integration.js'
import type { ConnectionPatch, ConnectionRow, Store } from '../store/store.js'
import { oauthStateBinding } from '../vault/sealed-columns.js'
import type { Vault } from '../vault/vault.js'
import type { OAuthApp, OAuthApps } from './oauth-apps.js'
import type { CallbackOutcome, ConnectContext } from './scheme.js'

/** What the OAuth schemes share: built once by `OAuthService`. */
export interface OAuthContext {
  store: Store
  vault: Vault
  apps: OAuthApps
  log: Logger
  /** The catalog, then the tenant's registered integrations. */
  findIntegration: IntegrationLookup
  /** The redirect URI registered at providers: `<PATCHBAY_PUBLIC_URL>/oauth/callback`. */
  callbackUrl(): string
  /** How long an authorization (and its PENDING connection) stays completable, ms. */
  stateTtlMs: number
  /** Refresh a token this long before it expires, ms. */
  refreshMarginMs: number
  /** Timeout of a call to a provider's token endpoint, ms. */
  timeoutMs: number
  /** `PATCHBAY_ALLOW_PRIVATE_NETWORK`: templated (tenant-controlled) OAuth URLs may be http and private. */
  allowPrivateNetwork: boolean
  /** The fetch for calls to this integration's provider: guarded when a tenant controls its endpoints. */
  fetchFor(integration: Integration): typeof fetch
}

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]', '::1'])

/** SHA-256 hex: authorizations in flight are stored by the hash of their state, never the state. */
export function sha256(value: string): string {
  return createHash('sha256').update(value).digest('hex')
}

/**
 * Refuses an OAuth endpoint that is not https, except on this machine (tests, local development).
 *
 * @throws {PatchbayError} VALIDATION naming the field of the definition.
 */
export function checkEndpoint(url: string, what: string, integration: Integration): void {
  const ok = URL.canParse(url) && (new URL(url).protocol === 'https:' || LOOPBACK_HOSTS.has(new URL(url).hostname))
  if (!ok) throw new PatchbayError('VALIDATION', `${integration.definition.name}'s ${what} must be an https URL; got ${url}`)
}

/**
 * The tenant's OAuth app of an integration.
 *
 * @throws {PatchbayError} OAUTH_APP_NOT_CONFIGURED saying how to set it; `what` names its credentials.
 */
export async function requireApp(ctx: OAuthContext, tenantId: string, integration: Integration, schema: string, what: string): Promise<OAuthApp> {
  const app = await ctx.apps.get(tenantId, integration.modelId)
  if (app) return app
  const id = integration.definition.id
  throw new PatchbayError(
    'OAUTH_APP_NOT_CONFIGURED',
    `${schema} for ${integration.definition.name} needs your OAuth app's ${what} first. Register an app at the provider with the redirect URL ${ctx.callbackUrl()}, then run \`patchbay oauth-app set ${id} --client-id <id> --client-secret <secret>\` (or PUT /admin/oauth-apps/${id} with {"clientId", "clientSecret"})`,
  )
}

/**
 * Saves a connection waiting for the user and the authorization in flight (`handle` hashed, the
 * flow secrets sealed). A new connection waits PENDING (and is swept if never completed);
 * re-authorizing an existing one leaves its state and tokens alone until the callback succeeds:
 * an abandoned re-authorization must never cost the user the connection.
 */
export async function startAuthorization(ctx: OAuthContext, connect: ConnectContext, handle: string, flow: Record<string, unknown>): Promise<string> {
  const expiresAt = new Date(Date.now() + ctx.stateTtlMs).toISOString()
  const id = await connect.save(
    connect.assetId === undefined
      ? { status: ConnectionStatus.PENDING, statusReason: 'waiting for the user to grant access at the provider', expiresAt }
      : { status: ConnectionStatus.PENDING, keepState: true },
  )
  const stateHash = sha256(handle)
  await ctx.store.insertOAuthState({
    state_hash: stateHash,
    tenant_id: connect.tenantId,
    connection_id: id,
    secret: ctx.vault.seal(flow, oauthStateBinding(connect.tenantId, id, stateHash)),
    expires_at: expiresAt,
    used_at: null,
    created_at: new Date().toISOString(),
  })
  return id
}

/** An authorization found from the callback: its connection, integration and opened flow secrets. */
export interface OpenedAuthorization {
  connection: ConnectionRow
  integration: Integration
  flow: Record<string, string | null>
}

/**
 * The common start of every callback: consumes the authorization in flight (single use), refuses
 * a replay, an expired one, or one whose connection or integration is gone (as a page).
 */
export async function openAuthorization(ctx: OAuthContext, handle: string): Promise<OpenedAuthorization | CallbackOutcome> {
  const consumed = await ctx.store.consumeOAuthState(sha256(handle), new Date())
  if (!consumed) {
    return fail(400, 'Unknown authorization', 'The hub has no authorization in flight for this link (it may be forged, or from another hub). Start the connection again.')
  }
  const { row: state, firstUse } = consumed
  const tenantId = state.tenant_id
  const connection = await ctx.store.getConnection(tenantId, state.connection_id)
  if (!firstUse) {
    // A replay never downgrades a connection that completed: anyone holding an old callback URL
    // could otherwise break it. A connection still waiting is closed, since its link leaked.
    if (connection && connection.status === ConnectionStatus.PENDING) {
      await markError(ctx, connection, 'the authorization link was used twice (replayed state); connect again')
    }
    return fail(400, 'Link already used', 'This authorization link was already used. If the connection is not active, start it again.', state.connection_id)
  }
  if (!connection) {
    return fail(410, 'Connection no longer exists', 'The connection this authorization was for was deleted or expired. Start the connection again.')
  }
  if (Date.parse(state.expires_at) <= Date.now()) {
    await markError(ctx, connection, `the authorization was not completed within ${Math.round(ctx.stateTtlMs / 60_000)} minutes; connect again`)
    return fail(400, 'Authorization expired', 'This authorization took too long and expired. Start the connection again.', connection.id)
  }
  const integration = await ctx.findIntegration(tenantId, connection.integration_id)
  if (!integration) {
    await markError(ctx, connection, 'its integration is no longer in the catalog')
    return fail(400, 'Integration unavailable', 'The integration of this connection is no longer in the hub catalog.', connection.id)
  }
  let flow: Record<string, string | null>
  try {
    flow = ctx.vault.open<Record<string, string | null>>(state.secret, oauthStateBinding(tenantId, connection.id, state.state_hash))
  } catch (err) {
    // Tampered with, swapped for another sealed value, or sealed before the state had its own
    // binding (an authorization in flight across the upgrade): a page, never a 500.
    ctx.log.warn({ connectionId: connection.id, err: (err as Error).message }, 'an OAuth authorization in flight does not open; the user must start again')
    await markError(ctx, connection, 'the stored authorization does not open (tampered with, or started before an upgrade); connect again')
    return fail(400, 'Authorization unreadable', 'The hub cannot read the authorization this link belongs to. Start the connection again.', connection.id)
  }
  return { connection, integration, flow }
}

/** A failed callback page (no connection change). */
export function fail(status: number, title: string, message: string, connectionId?: string): CallbackOutcome {
  return { ok: false, status, title, message, ...(connectionId ? { connectionId } : {}) }
}

/** The page of a connected callback. */
export function connected(name: string, connectionId: string): CallbackOutcome {
  return { ok: true, status: 200, title: 'Connected', message: `Connected to ${name}: you can close this window.`, connectionId }
}

/** Marks the connection failed with `reason` and answers the page saying so. */
export async function failed(ctx: OAuthContext, connection: ConnectionRow, name: string, reason: string): Promise<CallbackOutcome> {
  await markError(ctx, connection, reason)
  return fail(400, 'Connection failed', `Connecting to ${name} failed: ${reason}. Start the connection again.`, connection.id)
}

/** A failed authorization puts the connection in ERROR, except one still ACTIVE (a re-authorization), which keeps working. */
export async function markError(ctx: OAuthContext, connection: ConnectionRow, reason: string): Promise<void> {
  if (connection.status === ConnectionStatus.ACTIVE) {
    ctx.log.info({ connectionId: connection.id, reason }, 'OAuth re-authorization failed; the connection keeps its current tokens')
    return
  }
  await ctx.store.updateConnection(connection.tenant_id, connection.id, { status: ConnectionStatus.ERROR, status_reason: reason, expires_at: null })
}

/**
 * Completes a connection with its new secrets: ACTIVE, no expiry of the authorization. Reports
 * `connection.created` (it was PENDING) or `connection.reauthorized` in the same transaction.
 */
export async function activate(ctx: OAuthContext, connection: ConnectionRow, patch: ConnectionPatch): Promise<void> {
  const type = connection.status === ConnectionStatus.PENDING ? 'connection.created' : 'connection.reauthorized'
  await ctx.store.updateConnection(connection.tenant_id, connection.id, { ...patch, status: ConnectionStatus.ACTIVE, status_reason: null, expires_at: null }, undefined, { type })
}

/** The connect inputs kept among a connection's secrets, without the protocol's own keys. */
export function inputsOf(secrets: Record<string, unknown>, protocolKeys: readonly string[]): Record<string, unknown> {
  return Object.fromEntries(Object.entries(secrets).filter(([k]) => !protocolKeys.includes(k)))
}
