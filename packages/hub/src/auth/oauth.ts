import { createHash } from 'node:crypto'
import * as oauth from 'oauth4webapi'
import type { Logger } from 'pino'
import {
  ConnectionStatus,
  PatchbayError,
  type AuthenticationSchema,
  type OAuth1Definition,
  type OAuth2Definition,
} from '@patchbay/core'
import type { Catalog, Integration } from '../catalog/catalog.js'
import { newConnectionRow } from '../connections/connection-row.js'
import { newId } from '../ids.js'
import { findPatchbayError } from '../net/ssrf-guard.js'
import type { ConnectionPatch, ConnectionRow, Store } from '../store/store.js'
import type { Vault } from '../vault/vault.js'
import { signOAuth1, type OAuth1SignatureMethod } from './oauth1-sign.js'
import type { OAuthApp, OAuthApps } from './oauth-apps.js'

/** What {@link OAuthService} is built with. */
export interface OAuthServiceConfig {
  store: Store
  vault: Vault
  catalog: Catalog
  /** Integrations tenants registered at run time (looked up after the catalog). */
  tenantIntegrations?: { get(tenantId: string, id: string): Promise<Integration | undefined> }
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
  /**
   * For integrations whose endpoints a tenant controls (definitions a tenant registered): a fetch
   * that refuses private, loopback and link-local addresses. Absent when private networks are allowed.
   */
  guard?: { fetch: (url: string | URL, init?: RequestInit) => Promise<Response>; appliesTo: (integration: Integration) => boolean }
}

/** What the connect of an OAuth scheme was given, after the common checks. */
export interface OAuthConnectRequest {
  schema: AuthenticationSchema
  name: string
  description: string
  /** Non-secret and secret inputs of the scheme (if the definition declares any). */
  config: Record<string, unknown>
  secrets: Record<string, unknown>
  /** Reconnect this existing connection instead of creating one. */
  assetId?: string
}

/** The outcome of a callback, rendered as a page by the HTTP layer. */
export interface CallbackOutcome {
  ok: boolean
  /** HTTP status of the page. */
  status: number
  title: string
  message: string
  connectionId?: string
}

/** A token set parsed from a token endpoint response. */
interface TokenSet {
  accessToken: string
  refreshToken: string | undefined
  expiresIn: number | undefined
  tokenType: string | undefined
  scope: string | undefined
  raw: Record<string, unknown>
}

/** Secrets of an OAUTH2 connection, sealed together so a rotated refresh token lands atomically with its access token. */
interface OAuth2Secrets {
  access_token: string
  refresh_token?: string
  raw: Record<string, unknown>
  [input: string]: unknown
}

/** The token endpoint said no. `code` is the OAuth error code (`invalid_grant`…) or `http_<status>`. */
class TokenEndpointError extends Error {
  constructor(
    readonly code: string,
    readonly description: string,
    readonly httpStatus: number,
  ) {
    super(description ? `${code}: ${description}` : code)
  }
}

const CALLBACK_PATH = '/oauth/callback'
const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]', '::1'])

function sha256(value: string): string {
  return createHash('sha256').update(value).digest('hex')
}

function dig(obj: unknown, path: string): unknown {
  let cur = obj
  for (const part of path.split('.')) {
    if (typeof cur !== 'object' || cur === null) return undefined
    cur = (cur as Record<string, unknown>)[part]
  }
  return cur
}

/** Plain-HTTP OAuth endpoints are refused except on this machine (tests, local development). */
function insecureAllowed(url: string): boolean {
  const u = new URL(url)
  return u.protocol === 'https:' || LOOPBACK_HOSTS.has(u.hostname)
}

function checkEndpoint(url: string, what: string, integration: Integration): void {
  if (!URL.canParse(url) || !insecureAllowed(url)) {
    throw new PatchbayError('VALIDATION', `${integration.definition.name}'s ${what} must be an https URL; got ${url}`)
  }
}

/**
 * OAuth 2.0 (authorization code with PKCE, client credentials, refresh, revocation) and OAuth 1.0a
 * (three-legged flow, request signing) for connections.
 *
 * Requests to providers, PKCE and client authentication come from `oauth4webapi`. Token
 * *responses* are parsed here: the library's processors (rightly, for standard servers) reject
 * what real providers answer — Slack's `token_type: "bot"`, tokens nested under `authed_user`,
 * GitHub's HTTP 200 carrying `{"error": …}`, a missing `token_type` — and Patchbay must take them.
 *
 * Refresh never races: concurrent runs in one process share one refresh (an in-memory promise per
 * connection); across processes the refresh holds the connection row (PostgreSQL
 * `SELECT … FOR UPDATE`) and re-checks the version, so N callers anywhere cause one token request.
 */
export class OAuthService {
  readonly #store: Store
  readonly #vault: Vault
  readonly #catalog: Catalog
  readonly #tenantIntegrations: OAuthServiceConfig['tenantIntegrations']
  readonly #apps: OAuthApps
  readonly #log: Logger
  readonly #publicUrl: () => string | undefined
  readonly #stateTtlMs: number
  readonly #refreshMarginMs: number
  readonly #timeoutMs: number
  readonly #inflight = new Map<string, Promise<ConnectionRow | undefined>>()
  readonly #guard: OAuthServiceConfig['guard']

  constructor(config: OAuthServiceConfig) {
    this.#store = config.store
    this.#vault = config.vault
    this.#catalog = config.catalog
    this.#tenantIntegrations = config.tenantIntegrations
    this.#apps = config.apps
    this.#log = config.logger
    this.#publicUrl = config.publicUrl
    this.#stateTtlMs = config.stateTtlMs ?? 600_000
    this.#refreshMarginMs = config.refreshMarginMs ?? 60_000
    this.#timeoutMs = config.timeoutMs ?? 15_000
    this.#guard = config.guard
  }

  /** The fetch for calls to this integration's provider: guarded when a tenant controls its endpoints. */
  #fetchFor(integration: Integration): typeof fetch {
    return this.#guard?.appliesTo(integration) ? (this.#guard.fetch as typeof fetch) : fetch
  }

  /** The redirect URI registered at providers: `<PATCHBAY_PUBLIC_URL>/oauth/callback`. */
  callbackUrl(): string {
    const base = this.#publicUrl()
    if (!base) throw new PatchbayError('INTERNAL', 'The hub does not know its public URL; set PATCHBAY_PUBLIC_URL')
    return `${base}${CALLBACK_PATH}`
  }

  // --- connect ---------------------------------------------------------------------------------

  /**
   * Starts an OAuth connection: a PENDING connection plus an authorization in flight, answering
   * the provider URL the user must open. For the client credentials grant the token is fetched at
   * once and the connection is ACTIVE with no redirect.
   *
   * @throws {PatchbayError} OAUTH_APP_NOT_CONFIGURED, NAME_EXISTS, NOT_FOUND, UPSTREAM_*.
   */
  async connect(tenantId: string, integration: Integration, req: OAuthConnectRequest): Promise<{ id: string; redirectURL?: string }> {
    const app = await this.#requireApp(tenantId, integration, req.schema)
    const def = integration.definition.auth[req.schema]
    const connectionId = req.assetId ?? newId()
    const o2 = def?.oauth2
    if (req.schema === 'OAUTH2' && o2?.grant === 'client_credentials') {
      const tokens = await this.#tokenCall(integration, o2, app, 'client_credentials', async (as, client, auth, opts) =>
        oauth.clientCredentialsGrantRequest(as, client, auth, new URLSearchParams(this.#scopeParam(o2, app)), opts),
      )
      const id = await this.#saveConnection(tenantId, integration, req, connectionId, {
        status: ConnectionStatus.ACTIVE,
        status_reason: null,
        expires_at: null,
        ...this.#tokenPatch(tenantId, connectionId, o2, tokens, req.secrets),
      })
      return { id }
    }

    const expiresAt = new Date(Date.now() + this.#stateTtlMs).toISOString()
    // A new connection waits PENDING (and is swept if never completed). Re-authorizing an
    // existing one (data.assetId) leaves its state and tokens alone until the callback succeeds:
    // an abandoned re-authorization must never cost the user the connection.
    const pending: ConnectionPatch =
      req.assetId === undefined
        ? { status: ConnectionStatus.PENDING, status_reason: 'waiting for the user to grant access at the provider', expires_at: expiresAt }
        : {}
    if (req.schema === 'OAUTH2' && o2) {
      checkEndpoint(o2.authorizationUrl ?? '', 'authorizationUrl', integration)
      const id = await this.#saveConnection(tenantId, integration, req, connectionId, pending)
      const state = oauth.generateRandomState() // 32 random bytes, base64url
      const pkce = o2.pkce !== false
      const verifier = pkce ? oauth.generateRandomCodeVerifier() : undefined
      await this.#store.insertOAuthState({
        state_hash: sha256(state),
        tenant_id: tenantId,
        connection_id: id,
        secret: this.#vault.seal({ verifier: verifier ?? null, redirectUri: this.callbackUrl() }, { tenantId, connectionId: id }),
        expires_at: expiresAt,
        used_at: null,
        created_at: new Date().toISOString(),
      })
      const url = new URL(o2.authorizationUrl as string)
      url.searchParams.set('response_type', 'code')
      url.searchParams.set('client_id', app.clientId)
      url.searchParams.set('redirect_uri', this.callbackUrl())
      const scope = this.#scopeParam(o2, app)['scope']
      if (scope) url.searchParams.set('scope', scope)
      url.searchParams.set('state', state)
      if (verifier) {
        url.searchParams.set('code_challenge', await oauth.calculatePKCECodeChallenge(verifier))
        url.searchParams.set('code_challenge_method', 'S256')
      }
      for (const [k, v] of Object.entries(o2.authorizationParams ?? {})) url.searchParams.set(k, v)
      return { id, redirectURL: url.toString() }
    }

    const o1 = def?.oauth1
    if (req.schema === 'OAUTH1' && o1) {
      checkEndpoint(o1.requestTokenUrl, 'requestTokenUrl', integration)
      checkEndpoint(o1.authorizationUrl, 'authorizationUrl', integration)
      const temp = await this.#oauth1Call(integration, o1, app, o1.requestTokenUrl, undefined, { oauth_callback: this.callbackUrl() })
      const token = temp.get('oauth_token')
      const tokenSecret = temp.get('oauth_token_secret')
      if (!token || !tokenSecret) {
        throw new PatchbayError('UPSTREAM_ERROR', `${integration.definition.name} answered the temporary credentials request without oauth_token and oauth_token_secret`)
      }
      if (temp.get('oauth_callback_confirmed') !== 'true') {
        throw new PatchbayError('UPSTREAM_ERROR', `${integration.definition.name} did not confirm the callback (oauth_callback_confirmed); it may not support OAuth 1.0a`)
      }
      const id = await this.#saveConnection(tenantId, integration, req, connectionId, pending)
      await this.#store.insertOAuthState({
        state_hash: sha256(`oauth1:${token}`),
        tenant_id: tenantId,
        connection_id: id,
        secret: this.#vault.seal({ token, tokenSecret }, { tenantId, connectionId: id }),
        expires_at: expiresAt,
        used_at: null,
        created_at: new Date().toISOString(),
      })
      const url = new URL(o1.authorizationUrl)
      url.searchParams.set('oauth_token', token)
      for (const [k, v] of Object.entries(o1.authorizationParams ?? {})) url.searchParams.set(k, v)
      return { id, redirectURL: url.toString() }
    }
    throw new PatchbayError('UNSUPPORTED_SCHEME', `${integration.definition.name} declares ${req.schema} without its provider endpoints`)
  }

  /** Inserts a new connection, or (reconnect) updates the existing one; returns its id. */
  async #saveConnection(tenantId: string, integration: Integration, req: OAuthConnectRequest, id: string, patch: ConnectionPatch): Promise<string> {
    const base = {
      name: req.name,
      description: req.description,
      auth_scheme: req.schema,
      config: JSON.stringify(req.config),
    }
    if (req.assetId !== undefined) {
      const existing = await this.#store.getConnection(tenantId, req.assetId)
      if (!existing) throw new PatchbayError('NOT_FOUND', `No connection with id ${req.assetId} to update (data.assetId)`)
      if (existing.integration_id !== integration.modelId) {
        throw new PatchbayError('VALIDATION', `Connection ${req.assetId} belongs to another integration; reconnect it through its own integration`)
      }
      // Until the user completes the new authorization the old tokens (and state) stay in the
      // row; the callback replaces them.
      const updated = await this.#store.updateConnection(tenantId, req.assetId, { ...base, ...patch })
      if (!updated) throw new PatchbayError('NOT_FOUND', `No connection with id ${req.assetId} to update (data.assetId)`)
      return req.assetId
    }
    await this.#store.insertConnection(
      newConnectionRow(this.#vault, {
        id,
        tenantId,
        integrationId: integration.modelId,
        name: req.name,
        description: req.description,
        schema: req.schema,
        config: req.config,
        ...(patch.secrets !== undefined ? { sealed: patch.secrets } : { secrets: req.secrets }),
        status: (patch.status ?? ConnectionStatus.PENDING) as ConnectionStatus,
        statusReason: patch.status_reason ?? null,
        expiresAt: patch.expires_at ?? null,
        tokenExpiresAt: patch.token_expires_at ?? null,
      }),
    )
    return id
  }

  // --- callback ------------------------------------------------------------------------------

  /**
   * Completes an authorization from the provider's redirect: OAuth 2 (`code`/`error` + `state`)
   * or OAuth 1.0a (`oauth_token` + `oauth_verifier`, or `denied`). Never throws: every outcome is
   * a page, and a failure leaves the connection in ERROR with the reason.
   */
  async callback(query: Record<string, string | undefined>): Promise<CallbackOutcome> {
    try {
      return await this.#callback(query)
    } catch (err) {
      this.#log.error({ err }, 'OAuth callback failed unexpectedly')
      return fail(500, 'Something went wrong', 'The hub could not complete this authorization; the hub log has the details. Start the connection again.')
    }
  }

  async #callback(q: Record<string, string | undefined>): Promise<CallbackOutcome> {
    const isOAuth1 = q['oauth_token'] !== undefined || q['denied'] !== undefined
    const handle = isOAuth1 ? (q['oauth_token'] ?? q['denied']) : q['state']
    if (!handle) {
      return fail(400, 'Invalid authorization response', 'This page was opened without the state the hub gave the provider. Start the connection again from your app.')
    }
    const consumed = await this.#store.consumeOAuthState(sha256(isOAuth1 ? `oauth1:${handle}` : handle), new Date())
    if (!consumed) {
      return fail(400, 'Unknown authorization', 'The hub has no authorization in flight for this link (it may be forged, or from another hub). Start the connection again.')
    }
    const { row: state, firstUse } = consumed
    const tenantId = state.tenant_id
    const connection = await this.#store.getConnection(tenantId, state.connection_id)
    if (!firstUse) {
      // A replay never downgrades a connection that completed: anyone holding an old callback URL
      // could otherwise break it. A connection still waiting is closed, since its link leaked.
      if (connection && connection.status === ConnectionStatus.PENDING) {
        await this.#markError(connection, 'the authorization link was used twice (replayed state); connect again')
      }
      return fail(400, 'Link already used', 'This authorization link was already used. If the connection is not active, start it again.', state.connection_id)
    }
    if (!connection) {
      return fail(410, 'Connection no longer exists', 'The connection this authorization was for was deleted or expired. Start the connection again.')
    }
    if (Date.parse(state.expires_at) <= Date.now()) {
      await this.#markError(connection, `the authorization was not completed within ${Math.round(this.#stateTtlMs / 60_000)} minutes; connect again`)
      return fail(400, 'Authorization expired', 'This authorization took too long and expired. Start the connection again.', connection.id)
    }
    const integration = this.#catalog.get(connection.integration_id) ?? (await this.#tenantIntegrations?.get(tenantId, connection.integration_id))
    if (!integration) {
      await this.#markError(connection, 'its integration is no longer in the catalog')
      return fail(400, 'Integration unavailable', 'The integration of this connection is no longer in the hub catalog.', connection.id)
    }
    const name = integration.definition.name
    const flow = this.#vault.open<Record<string, string | null>>(state.secret, { tenantId, connectionId: connection.id })

    if (isOAuth1) {
      const o1 = integration.definition.auth.OAUTH1?.oauth1
      if (q['denied'] !== undefined || !q['oauth_verifier']) {
        await this.#markError(connection, `access was denied at ${name}`)
        return fail(400, 'Access denied', `Access was not granted at ${name}. Nothing was connected; you can start again.`, connection.id)
      }
      if (!o1) return this.#failed(connection, name, 'the integration no longer declares OAUTH1')
      const app = await this.#apps.get(tenantId, integration.modelId)
      if (!app) return this.#failed(connection, name, 'its OAuth app was removed')
      let res: URLSearchParams
      try {
        res = await this.#oauth1Call(integration, o1, app, o1.accessTokenUrl, { token: flow['token'] as string, secret: flow['tokenSecret'] as string }, {
          oauth_verifier: q['oauth_verifier'],
        })
      } catch (err) {
        return this.#failed(connection, name, `the token exchange failed (${(err as Error).message})`)
      }
      const token = res.get('oauth_token')
      const tokenSecret = res.get('oauth_token_secret')
      if (!token || !tokenSecret) return this.#failed(connection, name, 'the token response had no oauth_token and oauth_token_secret')
      const raw = Object.fromEntries([...res.entries()].filter(([k]) => k !== 'oauth_token' && k !== 'oauth_token_secret'))
      const previous = this.#openSecrets(connection)
      const inputs = Object.fromEntries(Object.entries(previous).filter(([k]) => !['oauth_token', 'oauth_token_secret', 'raw'].includes(k)))
      await this.#activate(connection, {
        secrets: this.#vault.seal({ ...inputs, oauth_token: token, oauth_token_secret: tokenSecret, raw }, { tenantId, connectionId: connection.id }),
        token_expires_at: null,
      })
      return { ok: true, status: 200, title: 'Connected', message: `Connected to ${name}: you can close this window.`, connectionId: connection.id }
    }

    const o2 = integration.definition.auth.OAUTH2?.oauth2
    if (q['error'] !== undefined) {
      const reason = `${q['error']}${q['error_description'] ? `: ${q['error_description']}` : ''}`
      await this.#markError(connection, `${name} refused the authorization (${reason})`)
      const denied = q['error'] === 'access_denied'
      return fail(
        400,
        denied ? 'Access denied' : 'Authorization failed',
        denied ? `Access was not granted at ${name}. Nothing was connected; you can start again.` : `${name} answered: ${reason}. Start the connection again.`,
        connection.id,
      )
    }
    if (!q['code']) return this.#failed(connection, name, 'the provider redirected without a code')
    if (!o2) return this.#failed(connection, name, 'the integration no longer declares OAUTH2')
    if (o2.issuer && q['iss'] !== undefined && q['iss'] !== o2.issuer) {
      return this.#failed(connection, name, `the response came from issuer ${q['iss']}, not ${o2.issuer} (mix-up attack?)`)
    }
    const app = await this.#apps.get(tenantId, integration.modelId)
    if (!app) return this.#failed(connection, name, 'its OAuth app was removed')
    let tokens: TokenSet
    try {
      tokens = await this.#tokenCall(integration, o2, app, 'authorization_code', async (as, client, auth, opts) => {
        const params = new URLSearchParams({ code: q['code'] as string, state: q['state'] as string })
        // State and issuer were checked above; the library still brands the parameters it accepts.
        const checked = oauth.validateAuthResponse(as, client, params, oauth.skipStateCheck)
        return oauth.authorizationCodeGrantRequest(as, client, auth, checked, flow['redirectUri'] as string, flow['verifier'] ?? oauth.nopkce, opts)
      })
    } catch (err) {
      const why = err instanceof TokenEndpointError ? err.message : (err as Error).message
      return this.#failed(connection, name, `the code exchange failed (${why})`)
    }
    const previous = this.#openSecrets(connection)
    const inputs = Object.fromEntries(Object.entries(previous).filter(([k]) => !['access_token', 'refresh_token', 'raw'].includes(k)))
    await this.#activate(connection, this.#tokenPatch(tenantId, connection.id, o2, tokens, inputs))
    return { ok: true, status: 200, title: 'Connected', message: `Connected to ${name}: you can close this window.`, connectionId: connection.id }
  }

  async #failed(connection: ConnectionRow, name: string, reason: string): Promise<CallbackOutcome> {
    await this.#markError(connection, reason)
    return fail(400, 'Connection failed', `Connecting to ${name} failed: ${reason}. Start the connection again.`, connection.id)
  }

  /** A failed authorization puts the connection in ERROR, except one still ACTIVE (a re-authorization), which keeps working. */
  async #markError(connection: ConnectionRow, reason: string): Promise<void> {
    if (connection.status === ConnectionStatus.ACTIVE) {
      this.#log.info({ connectionId: connection.id, reason }, 'OAuth re-authorization failed; the connection keeps its current tokens')
      return
    }
    await this.#store.updateConnection(connection.tenant_id, connection.id, { status: ConnectionStatus.ERROR, status_reason: reason, expires_at: null })
  }

  async #activate(connection: ConnectionRow, patch: ConnectionPatch): Promise<void> {
    await this.#store.updateConnection(connection.tenant_id, connection.id, {
      ...patch,
      status: ConnectionStatus.ACTIVE,
      status_reason: null,
      expires_at: null,
    })
  }

  #openSecrets(row: ConnectionRow): Record<string, unknown> {
    return row.secrets ? this.#vault.open<Record<string, unknown>>(row.secrets, { tenantId: row.tenant_id, connectionId: row.id }) : {}
  }

  #tokenPatch(
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
      secrets: this.#vault.seal(secrets, { tenantId, connectionId }),
      token_expires_at: lifetime !== undefined ? new Date(Date.now() + lifetime * 1000).toISOString() : null,
    }
  }

  // --- running: refresh and signing ------------------------------------------------------------

  /** Whether an OAUTH2 connection's token expires within the refresh margin. */
  expiring(row: ConnectionRow, now = Date.now()): boolean {
    return row.token_expires_at !== null && Date.parse(row.token_expires_at) - this.#refreshMarginMs <= now
  }

  /**
   * The row to run an action with: refreshed first when its OAuth 2 token expires within the
   * margin. Other schemes pass through.
   *
   * @throws {PatchbayError} CONNECTION_NOT_ACTIVE when the refresh failed for good (EXPIRED).
   */
  async ready(integration: Integration, row: ConnectionRow): Promise<ConnectionRow> {
    if (row.auth_scheme !== 'OAUTH2' || !this.expiring(row)) return row
    return (await this.#refreshShared(integration, row, 'expiry')) ?? row
  }

  /**
   * After the service answered 401 with this row's token: a refreshed row to retry once with, or
   * undefined when there is nothing better to try.
   */
  async unauthorized(integration: Integration, row: ConnectionRow): Promise<ConnectionRow | undefined> {
    if (row.auth_scheme !== 'OAUTH2') return undefined
    return this.#refreshShared(integration, row, 'unauthorized')
  }

  #refreshShared(integration: Integration, row: ConnectionRow, reason: 'expiry' | 'unauthorized'): Promise<ConnectionRow | undefined> {
    const key = `${row.id}`
    let p = this.#inflight.get(key)
    if (!p) {
      p = this.#refresh(integration, row, reason).finally(() => this.#inflight.delete(key))
      this.#inflight.set(key, p)
    }
    return p
  }

  async #refresh(integration: Integration, seen: ConnectionRow, reason: 'expiry' | 'unauthorized'): Promise<ConnectionRow | undefined> {
    const name = integration.definition.name
    const o2 = integration.definition.auth.OAUTH2?.oauth2
    if (!o2) return undefined
    // The lock's callback answers rather than throws where it wrote: on PostgreSQL a throw would roll
    // the EXPIRED mark back with the transaction.
    const out = await this.#store.withConnectionLock(seen.tenant_id, seen.id, async (cur, update): Promise<{ row: ConnectionRow | undefined } | { error: PatchbayError }> => {
      if (!cur) throw new PatchbayError('NOT_FOUND', `Connection ${seen.id} was deleted`)
      if (cur.status !== ConnectionStatus.ACTIVE) {
        throw new PatchbayError('CONNECTION_NOT_ACTIVE', `Connection ${cur.id} is ${cur.status}${cur.status_reason ? ` (${cur.status_reason})` : ''}: reconnect it`)
      }
      // Someone (this process or another) refreshed since this row was read: use their token.
      if (cur.version !== seen.version && (reason === 'unauthorized' || !this.expiring(cur))) return { row: cur }
      if (reason === 'expiry' && !this.expiring(cur)) return { row: cur }
      const secrets = this.#openSecrets(cur) as Partial<OAuth2Secrets>
      const app = await this.#apps.get(cur.tenant_id, integration.modelId)
      if (!app) {
        throw new PatchbayError('OAUTH_APP_NOT_CONFIGURED', `The OAuth app of ${name} was removed, so the token of connection ${cur.id} cannot be refreshed; set it again with \`patchbay oauth-app set ${integration.definition.id}\``)
      }
      const clientCredentials = o2.grant === 'client_credentials'
      if (!clientCredentials && !secrets.refresh_token) {
        if (reason === 'unauthorized') return { row: undefined }
        await update({ status: ConnectionStatus.EXPIRED, status_reason: `the access token expired and ${name} gave no refresh token; reconnect` }, cur.version)
        return { error: new PatchbayError('CONNECTION_NOT_ACTIVE', `Connection ${cur.id} has expired: ${name} gave no refresh token. Reconnect it (connect again with data.assetId set to this id)`) }
      }
      let tokens: TokenSet
      try {
        tokens = clientCredentials
          ? await this.#tokenCall(integration, o2, app, 'client_credentials', (as, client, auth, opts) =>
              oauth.clientCredentialsGrantRequest(as, client, auth, new URLSearchParams(this.#scopeParam(o2, app)), opts),
            )
          : await this.#tokenCall(integration, o2, app, 'refresh_token', (as, client, auth, opts) =>
              oauth.refreshTokenGrantRequest(as, client, auth, secrets.refresh_token as string, opts),
            )
      } catch (err) {
        if (err instanceof TokenEndpointError && (err.code === 'invalid_grant' || err.code === 'invalid_token')) {
          const why = `${name} rejected the refresh token (${err.message})`
          await update({ status: ConnectionStatus.EXPIRED, status_reason: `${why}; reconnect` }, cur.version)
          this.#log.warn({ connectionId: cur.id, code: err.code }, 'OAuth refresh rejected; connection expired')
          return { error: new PatchbayError('CONNECTION_NOT_ACTIVE', `Connection ${cur.id} has expired: ${why}. Reconnect it (connect again with data.assetId set to this id)`) }
        }
        if (err instanceof TokenEndpointError) {
          throw new PatchbayError('UPSTREAM_ERROR', `Refreshing the token of connection ${cur.id} at ${name} failed: ${err.message}`, {
            supplierError: err.message,
            details: { upstreamStatus: err.httpStatus },
          })
        }
        throw err
      }
      const inputs = Object.fromEntries(Object.entries(secrets).filter(([k]) => !['access_token', 'refresh_token', 'raw'].includes(k)))
      const patch = this.#tokenPatch(cur.tenant_id, cur.id, o2, tokens, inputs, secrets.refresh_token)
      const next = await update(patch, cur.version)
      this.#log.debug({ connectionId: cur.id, reason }, 'OAuth token refreshed')
      // Lost a race with a concurrent reconnect (SQLite path): the other write wins.
      return { row: next ?? (await this.#store.getConnection(cur.tenant_id, cur.id)) }
    })
    if ('error' in out) throw out.error
    return out.row
  }

  /**
   * The `Authorization` header of an OAuth 1.0a signed action request (RFC 5849), covering the
   * query and any form-encoded body.
   */
  async signRequest(
    integration: Integration,
    row: ConnectionRow,
    secrets: Record<string, unknown>,
    req: { method: string; url: string; headers: Record<string, string>; body: string | undefined },
  ): Promise<string> {
    const o1 = integration.definition.auth.OAUTH1?.oauth1
    const app = await this.#apps.get(row.tenant_id, integration.modelId)
    if (!o1 || !app) {
      throw new PatchbayError(
        'OAUTH_APP_NOT_CONFIGURED',
        `Connection ${row.id} needs the OAuth 1.0a consumer key and secret of ${integration.definition.name}: set them with \`patchbay oauth-app set ${integration.definition.id} --client-id <key> --client-secret <secret>\``,
      )
    }
    const contentType = Object.entries(req.headers).find(([k]) => k.toLowerCase() === 'content-type')?.[1] ?? ''
    const form = req.body !== undefined && contentType.startsWith('application/x-www-form-urlencoded') ? new URLSearchParams(req.body) : undefined
    return signOAuth1(
      (o1.signatureMethod ?? 'HMAC-SHA1') as OAuth1SignatureMethod,
      { consumerKey: app.clientId, consumerSecret: app.clientSecret, token: String(secrets['oauth_token']), tokenSecret: String(secrets['oauth_token_secret']) },
      { method: req.method, url: req.url, ...(form ? { form } : {}) },
    )
  }

  // --- disconnect ------------------------------------------------------------------------------

  /**
   * Revokes a connection's tokens at the provider (RFC 7009) when its definition has a revocation
   * endpoint. Best effort: a failure is logged, never blocks the delete.
   */
  async revoke(integration: Integration, row: ConnectionRow): Promise<boolean> {
    const o2 = integration.definition.auth.OAUTH2?.oauth2
    if (row.auth_scheme !== 'OAUTH2' || !o2?.revocationUrl || !row.secrets) return false
    try {
      const app = await this.#apps.get(row.tenant_id, integration.modelId)
      if (!app) return false
      const secrets = this.#openSecrets(row) as Partial<OAuth2Secrets>
      const token = secrets.refresh_token ?? secrets.access_token
      if (!token) return false
      const hint = secrets.refresh_token ? 'refresh_token' : 'access_token'
      const { as, client, auth, opts } = this.#client(integration, o2, app)
      const res = await oauth.revocationRequest(as, client, auth, token, { ...opts, additionalParameters: { token_type_hint: hint } })
      if (!res.ok) {
        this.#log.warn({ connectionId: row.id, status: res.status }, `token revocation at ${integration.definition.name} failed`)
        return false
      }
      return true
    } catch (err) {
      this.#log.warn({ connectionId: row.id, err: (err as Error).message }, `token revocation at ${integration.definition.name} failed`)
      return false
    }
  }

  // --- housekeeping -------------------------------------------------------------------------

  /** Deletes PENDING connections past their expiry and authorizations expired over a day ago. */
  async sweep(now = new Date()): Promise<{ connections: number; states: number }> {
    const connections = await this.#store.deleteExpiredPending(now)
    const states = await this.#store.deleteOldOAuthStates(new Date(now.getTime() - 86_400_000))
    return { connections, states }
  }

  // --- provider calls -------------------------------------------------------------------------

  async #requireApp(tenantId: string, integration: Integration, schema: AuthenticationSchema): Promise<OAuthApp> {
    const app = await this.#apps.get(tenantId, integration.modelId)
    if (app) return app
    const id = integration.definition.id
    const what = schema === 'OAUTH1' ? 'consumer key and secret' : 'client id and secret'
    throw new PatchbayError(
      'OAUTH_APP_NOT_CONFIGURED',
      `${schema} for ${integration.definition.name} needs your OAuth app's ${what} first. Register an app at the provider with the redirect URL ${this.callbackUrl()}, then run \`patchbay oauth-app set ${id} --client-id <id> --client-secret <secret>\` (or PUT /admin/oauth-apps/${id} with {"clientId", "clientSecret"})`,
    )
  }

  #scopeParam(o2: OAuth2Definition, app: OAuthApp): Record<string, string> {
    const scopes = app.scopes ?? o2.scopes ?? []
    return scopes.length ? { scope: scopes.join(o2.scopeSeparator ?? ' ') } : {}
  }

  #client(integration: Integration, o2: OAuth2Definition, app: OAuthApp) {
    checkEndpoint(o2.tokenUrl, 'tokenUrl', integration)
    const as: oauth.AuthorizationServer = {
      issuer: o2.issuer ?? new URL(o2.tokenUrl).origin,
      token_endpoint: o2.tokenUrl,
      ...(o2.authorizationUrl ? { authorization_endpoint: o2.authorizationUrl } : {}),
      ...(o2.revocationUrl ? { revocation_endpoint: o2.revocationUrl } : {}),
    }
    const client: oauth.Client = { client_id: app.clientId }
    const auth = o2.clientAuth === 'client_secret_post' ? oauth.ClientSecretPost(app.clientSecret) : clientSecretBasic(app.clientSecret)
    const opts = {
      [oauth.allowInsecureRequests]: new URL(o2.tokenUrl).protocol === 'http:',
      [oauth.customFetch]: this.#fetchFor(integration),
      signal: AbortSignal.timeout(this.#timeoutMs),
      ...(o2.tokenParams ? { additionalParameters: o2.tokenParams } : {}),
    }
    return { as, client, auth, opts }
  }

  async #tokenCall(
    integration: Integration,
    o2: OAuth2Definition,
    app: OAuthApp,
    grant: string,
    send: (
      as: oauth.AuthorizationServer,
      client: oauth.Client,
      auth: oauth.ClientAuth,
      opts: oauth.TokenEndpointRequestOptions,
    ) => Promise<Response>,
  ): Promise<TokenSet> {
    const { as, client, auth, opts } = this.#client(integration, o2, app)
    let res: Response
    try {
      res = await send(as, client, auth, opts)
    } catch (err) {
      if (err instanceof TokenEndpointError) throw err
      const refused = findPatchbayError(err)
      if (refused) throw refused
      const origin = new URL(o2.tokenUrl).origin
      throw new PatchbayError('UPSTREAM_UNREACHABLE', `Could not reach ${integration.definition.name}'s token endpoint at ${origin} (${grant}): ${(err as { code?: string; name?: string }).code ?? (err as Error).name}`, { cause: err })
    }
    return parseTokenResponse(res, o2)
  }

  async #oauth1Call(
    integration: Integration,
    o1: OAuth1Definition,
    app: OAuthApp,
    url: string,
    token: { token: string; secret: string } | undefined,
    extra: Record<string, string>,
  ): Promise<URLSearchParams> {
    checkEndpoint(url, 'OAuth 1.0a endpoint', integration)
    const authorization = signOAuth1((o1.signatureMethod ?? 'HMAC-SHA1') as OAuth1SignatureMethod, {
      consumerKey: app.clientId,
      consumerSecret: app.clientSecret,
      ...(token ? { token: token.token, tokenSecret: token.secret } : {}),
    }, { method: 'POST', url, extra })
    let res: Response
    try {
      res = await this.#fetchFor(integration)(url, { method: 'POST', headers: { authorization, accept: 'application/x-www-form-urlencoded, */*' }, signal: AbortSignal.timeout(this.#timeoutMs) })
    } catch (err) {
      const refused = findPatchbayError(err)
      if (refused) throw refused
      throw new PatchbayError('UPSTREAM_UNREACHABLE', `Could not reach ${integration.definition.name} at ${new URL(url).origin}: ${(err as { code?: string; name?: string }).code ?? (err as Error).name}`, { cause: err })
    }
    const text = await res.text()
    if (!res.ok) {
      throw new PatchbayError('UPSTREAM_ERROR', `${integration.definition.name} answered HTTP ${res.status} at ${new URL(url).pathname}: ${text.slice(0, 300)}`, {
        details: { upstreamStatus: res.status },
      })
    }
    return new URLSearchParams(text)
  }
}

/**
 * HTTP Basic client authentication (RFC 6749 §2.3.1) with the id and secret serialised as
 * application/x-www-form-urlencoded, as the RFC says. oauth4webapi's `ClientSecretBasic` also
 * escapes `-`, `.`, `_` and `*` (e.g. `cid%2D1`), which providers that do not decode the Basic
 * credentials (Slack-style ids such as `1234.5678`) then reject.
 */
function clientSecretBasic(clientSecret: string): oauth.ClientAuth {
  const encode = (v: string) => new URLSearchParams({ v }).toString().slice(2)
  return (_as, client, _body, headers) => {
    headers.set('authorization', `Basic ${Buffer.from(`${encode(client.client_id)}:${encode(clientSecret)}`).toString('base64')}`)
  }
}

/** Tolerant token response parsing (see the class comment for why it is not the library's). */
async function parseTokenResponse(res: Response, o2: OAuth2Definition): Promise<TokenSet> {
  const text = await res.text()
  let body: Record<string, unknown>
  try {
    const parsed = JSON.parse(text) as unknown
    body = typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : {}
  } catch {
    // Some providers (GitHub without Accept: application/json) answer form-encoded.
    body = Object.fromEntries(new URLSearchParams(text))
  }
  const error = typeof body['error'] === 'string' ? body['error'] : body['ok'] === false ? 'provider_error' : undefined
  if (!res.ok || error) {
    const description = typeof body['error_description'] === 'string' ? body['error_description'] : typeof body['error'] === 'string' && body['ok'] === false ? body['error'] : ''
    throw new TokenEndpointError(error ?? `http_${res.status}`, description, res.status)
  }
  const accessToken = dig(body, o2.accessTokenPath ?? 'access_token')
  if (typeof accessToken !== 'string' || !accessToken) {
    throw new TokenEndpointError('invalid_response', `no access token at "${o2.accessTokenPath ?? 'access_token'}" in the token response`, res.status)
  }
  const prefix = o2.accessTokenPath?.includes('.') ? o2.accessTokenPath.slice(0, o2.accessTokenPath.lastIndexOf('.') + 1) : ''
  const pick = (field: string) => dig(body, prefix + field) ?? body[field]
  const rawExpires = pick('expires_in')
  const expiresIn = typeof rawExpires === 'number' ? rawExpires : typeof rawExpires === 'string' && rawExpires.trim() !== '' ? Number(rawExpires) : undefined
  const refresh = pick('refresh_token')
  const scope = pick('scope')
  const tokenType = pick('token_type')
  return {
    accessToken,
    refreshToken: typeof refresh === 'string' && refresh ? refresh : undefined,
    expiresIn: expiresIn !== undefined && Number.isFinite(expiresIn) && expiresIn > 0 ? expiresIn : undefined,
    tokenType: typeof tokenType === 'string' ? tokenType : undefined,
    scope: typeof scope === 'string' ? scope : Array.isArray(scope) ? scope.join(' ') : undefined,
    raw: body,
  }
}

function fail(status: number, title: string, message: string, connectionId?: string): CallbackOutcome {
  return { ok: false, status, title, message, ...(connectionId ? { connectionId } : {}) }
}
