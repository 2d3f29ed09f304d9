import * as oauth from 'oauth4webapi'
import { ConnectionStatus, PatchbayError, type OAuth2Definition } from '@patchbay/core'
import type { Integration } from '../../catalog/catalog.js'
import { integrationLabel, metrics } from '../../metrics/metrics.js'
import { connectionEventData } from '../../store/event-store.js'
import type { ConnectionPatch, ConnectionRow } from '../../store/store.js'
import { openConnectionSecrets, sealConnectionSecrets } from '../../vault/connection-secrets.js'
import type { Vault } from '../../vault/vault.js'
import { inputsOf, type OAuthContext } from '../oauth-context.js'
import { configOf, resolveOAuth2 } from '../oauth-endpoints.js'
import { clientCredentialsRequest } from './client-credentials.js'
import { scopeParam, sendTokenRequest, tokenEndpoint, type TokenEndpoint } from './endpoint.js'
import { processTokenResponse, TokenEndpointError, type TokenSet } from './token-response.js'
import { tokenResponseConfig } from './token-values.js'

export { processTokenResponse as processRefreshResponse } from './token-response.js'

/** Secrets of an OAUTH2 connection, sealed together so a rotated refresh token lands atomically with its access token. */
export interface OAuth2Secrets {
  access_token: string
  refresh_token?: string
  raw: Record<string, unknown>
  [input: string]: unknown
}

/** Keys of {@link OAuth2Secrets} that are the protocol's, not connect inputs. */
export const OAUTH2_SECRET_KEYS = ['access_token', 'refresh_token', 'raw'] as const

/** Why a refresh is attempted: the token is about to expire, or the service answered 401. */
export type RefreshReason = 'expiry' | 'unauthorized'

/**
 * Asks for a new access token with a refresh token. Answer the Response to
 * {@link processRefreshResponse}.
 *
 * @example
 * ```ts
 * const tokens = await processRefreshResponse(await refreshTokenRequest(endpoint, refreshToken), o2)
 * ```
 *
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-6
 */
export function refreshTokenRequest(endpoint: TokenEndpoint, refreshToken: string): Promise<Response> {
  const { as, client, auth, opts } = endpoint
  return oauth.refreshTokenGrantRequest(as, client, auth, refreshToken, opts)
}

/**
 * The connection change a new token set makes: the token set sealed with the connect inputs
 * (`extra`), the refresh token kept when the provider sent no new one, and the expiry.
 */
export function tokenPatch(
  vault: Vault,
  tenantId: string,
  connectionId: string,
  o2: OAuth2Definition,
  tokens: TokenSet,
  extra: Record<string, unknown>,
  previousRefresh?: string,
): ConnectionPatch {
  const secrets: OAuth2Secrets = { ...extra, access_token: tokens.accessToken, raw: tokens.raw }
  const refresh = tokens.refreshToken ?? previousRefresh
  if (refresh) secrets.refresh_token = refresh
  const lifetime = tokens.expiresIn ?? o2.defaultExpiresIn
  return {
    secrets: sealConnectionSecrets(vault, tenantId, connectionId, secrets),
    token_expires_at: lifetime !== undefined ? new Date(Date.now() + lifetime * 1000).toISOString() : null,
  }
}

/**
 * How long before its expiry a token is refreshed: the margin, but at most half the token's
 * lifetime, so a token that lives 3 s is not "about to expire" the moment it arrives (with a 60 s
 * margin it was, and every run refreshed). The lifetime is measured from the row's last write
 * (`updated_at`, the moment the token was stored); a later write (a rename) only shortens it,
 * which refreshes later, never after the expiry.
 */
export function refreshThresholdMs(row: Pick<ConnectionRow, 'token_expires_at' | 'updated_at'>, marginMs: number): number {
  if (row.token_expires_at === null) return marginMs
  const lifetime = Date.parse(row.token_expires_at) - Date.parse(row.updated_at)
  return lifetime > 0 ? Math.min(marginMs, lifetime / 2) : marginMs
}

/**
 * Whether an OAUTH2 connection's token needs a refresh: it has expired, or less than
 * `min(margin, lifetime / 2)` of it remains ({@link refreshThresholdMs}).
 *
 * @example
 * ```ts
 * expiring({ token_expires_at: in3s, updated_at: now }, 60_000) // false: 1.5 s threshold
 * ```
 */
export function expiring(row: Pick<ConnectionRow, 'token_expires_at' | 'updated_at'>, marginMs: number, now = Date.now()): boolean {
  if (row.token_expires_at === null) return false
  const remaining = Date.parse(row.token_expires_at) - now
  return remaining <= 0 || remaining < refreshThresholdMs(row, marginMs)
}

/**
 * Refreshes a connection's token holding its row (PostgreSQL `SELECT … FOR UPDATE`) and
 * re-checking the version, so callers in other processes cause one token request. A rejected
 * refresh token (`invalid_grant`) marks the connection EXPIRED.
 *
 * @throws {PatchbayError} CONNECTION_NOT_ACTIVE (expired for good), OAUTH_APP_NOT_CONFIGURED,
 *   UPSTREAM_ERROR, UPSTREAM_UNREACHABLE.
 */
export async function refreshConnection(ctx: OAuthContext, integration: Integration, seen: ConnectionRow, reason: RefreshReason): Promise<ConnectionRow | undefined> {
  const name = integration.definition.name
  const declared = integration.definition.auth.OAUTH2?.oauth2
  if (!declared) return undefined
  const o2 = resolveOAuth2(name, declared, configOf(seen), ctx)
  // The lock's callback answers rather than throws where it wrote: on PostgreSQL a throw would roll
  // the EXPIRED mark back with the transaction.
  const out = await ctx.store.withConnectionLock(seen.tenant_id, seen.id, async (cur, update): Promise<{ row: ConnectionRow | undefined } | { error: PatchbayError }> => {
    if (!cur) throw new PatchbayError('NOT_FOUND', `Connection ${seen.id} was deleted`)
    if (cur.status !== ConnectionStatus.ACTIVE) {
      throw new PatchbayError('CONNECTION_NOT_ACTIVE', `Connection ${cur.id} is ${cur.status}${cur.status_reason ? ` (${cur.status_reason})` : ''}: reconnect it`)
    }
    // Someone (this process or another) refreshed since this row was read: use their token.
    if (cur.version !== seen.version && (reason === 'unauthorized' || !expiring(cur, ctx.refreshMarginMs))) return { row: cur }
    if (reason === 'expiry' && !expiring(cur, ctx.refreshMarginMs)) return { row: cur }
    const secrets = openConnectionSecrets<OAuth2Secrets>(ctx.vault, cur)
    const app = await ctx.apps.get(cur.tenant_id, integration.modelId)
    if (!app) {
      throw new PatchbayError(
        'OAUTH_APP_NOT_CONFIGURED',
        `The OAuth app of ${name} was removed, so the token of connection ${cur.id} cannot be refreshed; set it again with \`patchbay oauth-app set ${integration.definition.id}\``,
      )
    }
    const clientCredentials = o2.grant === 'client_credentials'
    if (!clientCredentials && !secrets.refresh_token) {
      if (reason === 'unauthorized') return { row: undefined }
      const expired = `the access token expired and ${name} gave no refresh token; reconnect`
      await update({ status: ConnectionStatus.EXPIRED, status_reason: expired }, cur.version, { type: 'connection.expired', reason: expired })
      return {
        error: new PatchbayError(
          'CONNECTION_NOT_ACTIVE',
          `Connection ${cur.id} has expired: ${name} gave no refresh token. Reconnect it (connect again with data.assetId set to this id)`,
        ),
      }
    }
    let tokens: TokenSet
    let config: Record<string, unknown> | undefined
    try {
      const endpoint = tokenEndpoint(integration, o2, app, { fetch: ctx.fetchFor(integration), timeoutMs: ctx.timeoutMs })
      const res = clientCredentials
        ? await sendTokenRequest(integration, o2, 'client_credentials', () => clientCredentialsRequest(endpoint, scopeParam(o2, app)), ctx.timeoutMs)
        : await sendTokenRequest(integration, o2, 'refresh_token', () => refreshTokenRequest(endpoint, secrets.refresh_token as string), ctx.timeoutMs)
      tokens = await processTokenResponse(res, o2)
      config = tokenResponseConfig(integration, o2, tokens, configOf(cur), ctx)
    } catch (err) {
      const label = integrationLabel(integration)
      metrics.tokenEndpointErrors.inc({ integration: label, grant: clientCredentials ? 'client_credentials' : 'refresh_token' })
      const expired = err instanceof TokenEndpointError && (err.code === 'invalid_grant' || err.code === 'invalid_token')
      metrics.oauthRefreshes.inc({ integration: label, result: expired ? 'expired' : 'error' })
      if (err instanceof TokenEndpointError && (err.code === 'invalid_grant' || err.code === 'invalid_token')) {
        const why = `${name} rejected the refresh token (${err.message})`
        await update({ status: ConnectionStatus.EXPIRED, status_reason: `${why}; reconnect` }, cur.version, { type: 'connection.expired', reason: `${why}; reconnect` })
        ctx.log.warn({ connectionId: cur.id, code: err.code }, 'OAuth refresh rejected; connection expired')
        return { error: new PatchbayError('CONNECTION_NOT_ACTIVE', `Connection ${cur.id} has expired: ${why}. Reconnect it (connect again with data.assetId set to this id)`) }
      }
      if (err instanceof TokenEndpointError) {
        // Nothing changed (the connection stays ACTIVE), so the event is recorded on its own.
        await reportRefreshFailed(ctx, cur, `${name} answered the refresh with an error (${err.message})`)
        throw new PatchbayError('UPSTREAM_ERROR', `Refreshing the token of connection ${cur.id} at ${name} failed: ${err.message}`, {
          supplierError: err.message,
          details: { upstreamStatus: err.httpStatus },
        })
      }
      throw err
    }
    const patch = tokenPatch(ctx.vault, cur.tenant_id, cur.id, o2, tokens, inputsOf(secrets, OAUTH2_SECRET_KEYS), secrets.refresh_token)
    if (config) patch.config = JSON.stringify(config)
    const next = await update(patch, cur.version)
    metrics.oauthRefreshes.inc({ integration: integrationLabel(integration), result: 'ok' })
    ctx.log.debug({ connectionId: cur.id, reason }, 'OAuth token refreshed')
    // Lost a race with a concurrent reconnect (SQLite path): the other write wins.
    return { row: next ?? (await ctx.store.getConnection(cur.tenant_id, cur.id)) }
  })
  if ('error' in out) throw out.error
  return out.row
}

async function reportRefreshFailed(ctx: OAuthContext, row: ConnectionRow, reason: string): Promise<void> {
  try {
    await ctx.store.events.record({ tenantId: row.tenant_id, type: 'connection.refresh_failed', data: connectionEventData(row, reason) })
  } catch (err) {
    ctx.log.warn({ connectionId: row.id, err: (err as Error).message }, 'recording connection.refresh_failed failed')
  }
}
