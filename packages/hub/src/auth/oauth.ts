import type { Logger } from 'pino'
import { PatchbayError } from '@patchbay/core'
import type { Catalog, Integration } from '../catalog/catalog.js'
import { integrationLookup, type TenantIntegrationSource } from '../catalog/find-integration.js'
import type { ConnectionRow, Store } from '../store/store.js'
import type { Vault } from '../vault/vault.js'
import type { OAuthApps } from './oauth-apps.js'
import type { OAuthContext } from './oauth-context.js'
import { isOAuth1Callback, oauth1Scheme } from './oauth1/scheme.js'
import { expiring } from './oauth2/refresh.js'
import { oauth2Scheme } from './oauth2/scheme.js'
import { createAuthSchemes } from './registry.js'
import type { AuthScheme, AuthSchemes, CallbackOutcome } from './scheme.js'

export type { CallbackOutcome } from './scheme.js'

/** What {@link OAuthService} is built with. */
export interface OAuthServiceConfig {
  store: Store
  vault: Vault
  catalog: Catalog
  /** Integrations tenants registered at run time (looked up after the catalog). */
  tenantIntegrations?: TenantIntegrationSource
  apps: OAuthApps
  logger: Logger
  /** The hub's public base URL (the callback is `<base>/oauth/callback`). */
  publicUrl: () => string | undefined
  /** How long an authorization (and its PENDING connection) stays completable, ms. Default 10 min. */
  stateTtlMs?: number
  /** Refresh a token this long before it expires, ms. Default 60 s. */
  refreshMarginMs?: number
  /** Timeout of a call to a provider's token endpoint, ms. Default 15 s. */
  timeoutMs?: number
  /** `PATCHBAY_ALLOW_PRIVATE_NETWORK`: templated OAuth URLs may then be http and private. Default false. */
  allowPrivateNetwork?: boolean
  /**
   * For integrations whose endpoints a tenant controls (definitions a tenant registered): a fetch
   * that refuses private, loopback and link-local addresses. Absent when private networks are allowed.
   */
  guard?: { fetch: (url: string | URL, init?: RequestInit) => Promise<Response>; appliesTo: (integration: Integration) => boolean }
}

const CALLBACK_PATH = '/oauth/callback'

/**
 * OAuth for connections: builds the OAUTH1 and OAUTH2 schemes (auth/oauth1/, auth/oauth2/) over
 * one shared context and answers the registry of every scheme ({@link schemes}) that the runner
 * and connect look schemes up in. Also the entry points the HTTP layer needs: the provider's
 * redirect ({@link callback}), revocation on delete, and the sweep of abandoned authorizations.
 */
export class OAuthService {
  /** Every authentication scheme by name, OAuth included. */
  readonly schemes: AuthSchemes
  readonly #ctx: OAuthContext
  readonly #publicUrl: () => string | undefined

  constructor(config: OAuthServiceConfig) {
    this.#publicUrl = config.publicUrl
    const guard = config.guard
    this.#ctx = {
      store: config.store,
      vault: config.vault,
      apps: config.apps,
      log: config.logger,
      findIntegration: integrationLookup(config.catalog, config.tenantIntegrations),
      callbackUrl: () => this.callbackUrl(),
      stateTtlMs: config.stateTtlMs ?? 600_000,
      refreshMarginMs: config.refreshMarginMs ?? 60_000,
      timeoutMs: config.timeoutMs ?? 15_000,
      allowPrivateNetwork: config.allowPrivateNetwork ?? false,
      fetchFor: (integration) => (guard?.appliesTo(integration) ? (guard.fetch as typeof fetch) : fetch),
    }
    this.schemes = createAuthSchemes({ OAUTH1: oauth1Scheme(this.#ctx), OAUTH2: oauth2Scheme(this.#ctx) })
  }

  /** The redirect URI registered at providers: `<PATCHBAY_PUBLIC_URL>/oauth/callback`. */
  callbackUrl(): string {
    const base = this.#publicUrl()
    if (!base) throw new PatchbayError('INTERNAL', 'The hub does not know its public URL; set PATCHBAY_PUBLIC_URL')
    return `${base}${CALLBACK_PATH}`
  }

  /**
   * Completes an authorization from the provider's redirect: OAuth 2 (`code`/`error` + `state`)
   * or OAuth 1.0a (`oauth_token` + `oauth_verifier`, or `denied`). Never throws: every outcome is
   * a page, and a failure leaves the connection in ERROR with the reason.
   */
  async callback(query: Record<string, string | undefined>): Promise<CallbackOutcome> {
    const scheme = isOAuth1Callback(query) ? this.schemes.OAUTH1 : this.schemes.OAUTH2
    try {
      return await (scheme.complete as NonNullable<typeof scheme.complete>)(query)
    } catch (err) {
      this.#ctx.log.error({ err }, 'OAuth callback failed unexpectedly')
      return {
        ok: false,
        status: 500,
        title: 'Something went wrong',
        message: 'The hub could not complete this authorization; the hub log has the details. Start the connection again.',
      }
    }
  }

  /** Whether an OAUTH2 connection's token expires within the refresh margin. */
  expiring(row: ConnectionRow, now = Date.now()): boolean {
    return expiring(row, this.#ctx.refreshMarginMs, now)
  }

  /**
   * Revokes a connection's tokens at the provider (RFC 7009) when its scheme can and its
   * definition has a revocation endpoint. Best effort: a failure is logged, never blocks the delete.
   */
  async revoke(integration: Integration, row: ConnectionRow): Promise<boolean> {
    const scheme = (this.schemes as Record<string, AuthScheme | undefined>)[row.auth_scheme]
    return (await scheme?.revoke?.(integration, row)) ?? false
  }

  /** Deletes PENDING connections past their expiry and authorizations expired over a day ago. */
  async sweep(now = new Date()): Promise<{ connections: number; states: number }> {
    const connections = await this.#ctx.store.deleteExpiredPending(now)
    const states = await this.#ctx.store.deleteOldOAuthStates(new Date(now.getTime() - 86_400_000))
    return { connections, states }
  }
}
