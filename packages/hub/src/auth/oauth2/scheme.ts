import { ConnectionStatus, PatchbayError } from '@patchbay/core'
import type { Integration } from '../../catalog/catalog.js'
import type { ConnectionRow } from '../../store/store.js'
import { openConnectionSecrets } from '../../vault/connection-secrets.js'
import { configOf, resolveOAuth2 } from '../oauth-endpoints.js'
import { activate, checkEndpoint, connected, fail, failed, inputsOf, markError, openAuthorization, requireApp, startAuthorization, type OAuthContext } from '../oauth-context.js'
import type { AuthScheme, CallbackOutcome } from '../scheme.js'
import { applyCredentials } from '../static.js'
import { authorizationRequest, newAuthorization } from './authorize.js'
import { processAuthorizationResponse } from './callback.js'
import { clientCredentialsRequest } from './client-credentials.js'
import { codeExchangeRequest } from './code-exchange.js'
import { scopeParam, sendTokenRequest, tokenEndpoint } from './endpoint.js'
import { expiring, OAUTH2_SECRET_KEYS, refreshConnection, tokenPatch, type OAuth2Secrets, type RefreshReason } from './refresh.js'
import { processRevocationResponse, revocationRequest, tokenToRevoke } from './revoke.js'
import { processTokenResponse, TokenEndpointError } from './token-response.js'
import { tokenResponseConfig } from './token-values.js'

/**
 * The answer to a client-credentials connect the token endpoint refused: 400 when the provider
 * refused the app's credentials or scopes (an OAuth error with a 4xx), else 502 (its 5xx, a
 * redirect, an answer without a token), with the provider's error either way.
 */
function clientCredentialsRefused(name: string, err: TokenEndpointError): PatchbayError {
  const details = { upstreamStatus: err.httpStatus, providerError: err.code }
  if (err.httpStatus >= 400 && err.httpStatus < 500 && !err.code.startsWith('http_')) {
    return new PatchbayError('VALIDATION', `${name}'s token endpoint refused the client credentials grant (${err.message}); check the OAuth app's client id, secret and scopes`, {
      supplierError: err.message,
      details,
    })
  }
  return new PatchbayError(
    'UPSTREAM_ERROR',
    `${name}'s token endpoint failed the client credentials grant (HTTP ${err.httpStatus}: ${err.message}); try again later, or check the token URL`,
    {
      status: 502,
      supplierError: err.message,
      details,
    },
  )
}

/** Without an `apply` in the definition, an OAuth 2 token goes in `Authorization: Bearer`. */
const DEFAULT_APPLY = { headers: { Authorization: 'Bearer {access_token}' } }

/** The `Authorization: Bearer` decoration of an OAUTH2 connection (the definition's `apply` when it has one). */
export const decorateOAuth2: AuthScheme['decorate'] = (request, credentials, { apply }) => applyCredentials(apply ?? DEFAULT_APPLY, request, credentials)

/**
 * OAuth 2.0: authorization code with PKCE, client credentials, refresh, revocation. Each
 * protocol step is a request/process pair in its own file; this object strings them together.
 *
 * Refresh never races: concurrent runs in one process share one refresh (an in-memory promise per
 * connection); across processes the refresh holds the connection row and re-checks the version
 * (refresh.ts), so N callers anywhere cause one token request.
 *
 * @example
 * ```ts
 * const OAUTH2 = oauth2Scheme(ctx)
 * const row = await OAUTH2.prepare?.(integration, connection)
 * ```
 */
export function oauth2Scheme(ctx: OAuthContext): AuthScheme {
  const inflight = new Map<string, Promise<ConnectionRow | undefined>>()
  const refreshShared = (integration: Integration, row: ConnectionRow, reason: RefreshReason): Promise<ConnectionRow | undefined> => {
    let p = inflight.get(row.id)
    if (!p) {
      p = refreshConnection(ctx, integration, row, reason).finally(() => inflight.delete(row.id))
      inflight.set(row.id, p)
    }
    return p
  }

  return {
    redirects: true,

    async connect(c) {
      const { integration, tenantId } = c
      const app = await requireApp(ctx, tenantId, integration, c.schema, 'client id and secret')
      const declared = integration.definition.auth.OAUTH2?.oauth2
      if (!declared) throw new PatchbayError('UNSUPPORTED_SCHEME', `${integration.definition.name} declares ${c.schema} without its provider endpoints`)
      const o2 = resolveOAuth2(integration.definition.name, declared, c.config, ctx)
      if (o2.grant === 'client_credentials') {
        const endpoint = tokenEndpoint(integration, o2, app, { fetch: ctx.fetchFor(integration), timeoutMs: ctx.timeoutMs })
        const res = await sendTokenRequest(integration, o2, 'client_credentials', () => clientCredentialsRequest(endpoint, scopeParam(o2, app)), ctx.timeoutMs)
        const tokens = await processTokenResponse(res, o2).catch((err: unknown) => {
          throw err instanceof TokenEndpointError ? clientCredentialsRefused(integration.definition.name, err) : err
        })
        let config: Record<string, unknown> | undefined
        try {
          config = tokenResponseConfig(integration, o2, tokens, c.config, ctx)
        } catch (err) {
          throw clientCredentialsRefused(integration.definition.name, err as TokenEndpointError)
        }
        const patch = tokenPatch(ctx.vault, tenantId, c.connectionId, o2, tokens, c.secrets)
        return {
          id: await c.save({
            status: ConnectionStatus.ACTIVE,
            statusReason: null,
            expiresAt: null,
            sealed: patch.secrets ?? null,
            tokenExpiresAt: patch.token_expires_at ?? null,
            ...(config ? { config } : {}),
          }),
        }
      }
      checkEndpoint(o2.authorizationUrl ?? '', 'authorizationUrl', integration)
      const params = newAuthorization(o2, ctx.callbackUrl())
      const id = await startAuthorization(ctx, c, params.state, { verifier: params.verifier ?? null, redirectUri: params.redirectUri })
      return { id, redirectURL: (await authorizationRequest(o2, app, params)).toString() }
    },

    async complete(q): Promise<CallbackOutcome> {
      if (!q['state']) {
        return fail(400, 'Invalid authorization response', 'This page was opened without the state the hub gave the provider. Start the connection again from your app.')
      }
      const opened = await openAuthorization(ctx, q['state'])
      if (!('flow' in opened)) return opened
      const { connection, integration, flow } = opened
      const name = integration.definition.name
      let o2 = integration.definition.auth.OAUTH2?.oauth2
      try {
        if (o2) o2 = resolveOAuth2(name, o2, configOf(connection), ctx)
      } catch (err) {
        return failed(ctx, connection, name, (err as Error).message)
      }
      const response = processAuthorizationResponse(q, o2 ?? {})
      if (!response.ok && response.kind === 'error') {
        await markError(ctx, connection, `${name} refused the authorization (${response.reason})`)
        return fail(
          400,
          response.denied ? 'Access denied' : 'Authorization failed',
          response.denied ? `Access was not granted at ${name}. Nothing was connected; you can start again.` : `${name} answered: ${response.reason}. Start the connection again.`,
          connection.id,
        )
      }
      if (!response.ok && !q['code']) return failed(ctx, connection, name, response.reason)
      if (!o2) return failed(ctx, connection, name, 'the integration no longer declares OAUTH2')
      if (!response.ok) return failed(ctx, connection, name, response.reason)
      const app = await ctx.apps.get(connection.tenant_id, integration.modelId)
      if (!app) return failed(ctx, connection, name, 'its OAuth app was removed')
      let patch
      try {
        const endpoint = tokenEndpoint(integration, o2, app, { fetch: ctx.fetchFor(integration), timeoutMs: ctx.timeoutMs })
        const res = await sendTokenRequest(
          integration,
          o2,
          'authorization_code',
          () => codeExchangeRequest(endpoint, response.code, response.state, flow['redirectUri'] as string, flow['verifier'], response.iss),
          ctx.timeoutMs,
        )
        const tokens = await processTokenResponse(res, o2)
        const inputs = inputsOf(openConnectionSecrets(ctx.vault, connection), OAUTH2_SECRET_KEYS)
        const config = tokenResponseConfig(integration, o2, tokens, configOf(connection), ctx)
        patch = { ...tokenPatch(ctx.vault, connection.tenant_id, connection.id, o2, tokens, inputs), ...(config ? { config: JSON.stringify(config) } : {}) }
      } catch (err) {
        const why = err instanceof TokenEndpointError ? err.message : (err as Error).message
        return failed(ctx, connection, name, `the code exchange failed (${why})`)
      }
      await activate(ctx, connection, patch)
      return connected(name, connection.id)
    },

    async prepare(integration, row) {
      if (!expiring(row, ctx.refreshMarginMs)) return row
      return (await refreshShared(integration, row, 'expiry')) ?? row
    },

    decorate: decorateOAuth2,

    onUnauthorized: (integration, row) => refreshShared(integration, row, 'unauthorized'),

    async revoke(integration, row) {
      const declared = integration.definition.auth.OAUTH2?.oauth2
      if (!declared?.revocationUrl || !row.secrets) return false
      try {
        const o2 = resolveOAuth2(integration.definition.name, declared, configOf(row), ctx)
        if (!o2.revocationUrl) return false
        const app = await ctx.apps.get(row.tenant_id, integration.modelId)
        if (!app) return false
        const which = tokenToRevoke(openConnectionSecrets<OAuth2Secrets>(ctx.vault, row))
        if (!which) return false
        const endpoint = tokenEndpoint(integration, o2, app, { fetch: ctx.fetchFor(integration), timeoutMs: ctx.timeoutMs })
        const res = await processRevocationResponse(await revocationRequest(endpoint, which.token, which.hint))
        if (!res.ok) {
          ctx.log.warn({ connectionId: row.id, status: res.status }, `token revocation at ${integration.definition.name} failed`)
          return false
        }
        return true
      } catch (err) {
        ctx.log.warn({ connectionId: row.id, err: (err as Error).message }, `token revocation at ${integration.definition.name} failed`)
        return false
      }
    },
  }
}
