/**
 * Authentication schemes as strategies: one {@link AuthScheme} object per scheme name, looked up
 * in a registry by the runner (`actions/`) and by connect (`connections/`). Nothing outside
 * `auth/` compares scheme names.
 *
 * A scheme that only puts credentials on a request (the static ones, a request signer such as
 * AWS SigV4) implements `decorate`; a scheme with a flow (OAuth 1.0a, OAuth 2) also implements
 * the steps it has: `connect` starts it, `complete` finishes it from the provider's redirect,
 * `prepare`/`onUnauthorized` refresh, `revoke` ends it.
 */
import type { ApplyDefinition, AuthenticationSchema, ConnectionStatus } from '@patchbay/core'
import type { Integration } from '../catalog/catalog.js'
import type { ConnectionRow } from '../store/store.js'

/** An outgoing HTTP request, fully built, as a scheme decorates or signs it. */
export interface OutgoingRequest {
  /** Upper-case HTTP method. */
  method: string
  /** The absolute URL, query included (`new URL(url).searchParams` to read or change it). */
  url: string
  /** Header name → value, one entry per name whatever its case (use {@link setHeader}). */
  headers: Record<string, string>
  /** The body exactly as it is sent (UTF-8 text), or undefined for none. */
  body: string | undefined
}

/** A connection's opened credentials, cached by the runner per connection version. */
export interface SchemeCredentials {
  /** Non-secret connect inputs. */
  config: Record<string, unknown>
  /** Opened secrets (connect inputs marked secret, OAuth tokens). */
  secrets: Record<string, unknown>
  /**
   * Strings redacted from whatever the service answers. A scheme appends the values it derives
   * (a Basic token, a rendered header); the list lives as long as the cached credentials.
   */
  sensitive: string[]
}

/** What a scheme is told about the request it decorates. */
export interface DecorateContext {
  integration: Integration
  connection: ConnectionRow
  /** The definition's entry for this scheme (`integration.definition.auth[schema]`). */
  apply: ApplyDefinition | undefined
}

/**
 * Decorates or signs an outgoing request with a connection's credentials: sets headers or query
 * parameters, or signs method, URL, headers and a hash of the body. Runs after the request is
 * completely built (body included), so a signature covers what is sent.
 */
export type DecorateRequest = (request: OutgoingRequest, credentials: SchemeCredentials, context: DecorateContext) => OutgoingRequest | Promise<OutgoingRequest>

/** What a connection is saved with at connect time (see {@link ConnectContext.save}). */
export interface ConnectionDraft {
  status: ConnectionStatus
  statusReason?: string | null
  /** Plain secrets to seal; absent keeps an existing connection's secrets on reconnect. */
  secrets?: Record<string, unknown>
  /** Already-sealed secrets (an OAuth token set), instead of `secrets`. */
  sealed?: string | null
  /** When a PENDING connection stops being completable. */
  expiresAt?: string | null
  tokenExpiresAt?: string | null
  /** Re-authorizing an existing connection: leave its status and secrets alone until it completes. */
  keepState?: boolean
  /** Non-secret values learnt while connecting (`fromTokenResponse`), in place of the checked inputs. */
  config?: Record<string, unknown>
}

/** What connect hands a scheme, after the common checks (scheme chosen, inputs checked). */
export interface ConnectContext {
  tenantId: string
  integration: Integration
  schema: AuthenticationSchema
  /** Non-secret and secret inputs of the scheme. */
  config: Record<string, unknown>
  secrets: Record<string, unknown>
  /** The connection reconnected in place (`data.assetId`), if any. */
  assetId: string | undefined
  /** The id the connection will have (the assetId on reconnect). */
  connectionId: string
  /** Inserts the connection, or updates the reconnected one; answers its id. */
  save(draft: ConnectionDraft): Promise<string>
}

/** What a scheme's connect answers: the id, and where the user must go for a redirect flow. */
export interface SchemeConnectResult {
  id: string
  redirectURL?: string
}

/** The outcome of a provider's redirect, rendered as a page by the HTTP layer. */
export interface CallbackOutcome {
  ok: boolean
  /** HTTP status of the page. */
  status: number
  title: string
  message: string
  connectionId?: string
}

/** One authentication scheme. */
export interface AuthScheme {
  /** Whether connecting sends the user to a provider (OAuth): chosen when no inputs are given. */
  readonly redirects: boolean
  /** Starts a connection: saves it (ACTIVE, or PENDING until {@link complete}). */
  connect(context: ConnectContext): Promise<SchemeConnectResult>
  /** Finishes a flow from the provider's redirect (the callback query); never throws. */
  complete?(query: Record<string, string | undefined>): Promise<CallbackOutcome>
  /** The row to run with (e.g. refreshed first when its token is about to expire). */
  prepare?(integration: Integration, row: ConnectionRow): Promise<ConnectionRow>
  /** Puts the credentials on a built request. */
  decorate: DecorateRequest
  /** After the service answered 401: a row to retry once with, or undefined. */
  onUnauthorized?(integration: Integration, row: ConnectionRow): Promise<ConnectionRow | undefined>
  /** Revokes the credentials at the provider when the connection is deleted; best effort. */
  revoke?(integration: Integration, row: ConnectionRow): Promise<boolean>
}

/** Every scheme by name: the registry the runner and connect look schemes up in. */
export type AuthSchemes = Readonly<Record<AuthenticationSchema, AuthScheme>>

/** The scheme of a stored connection (its `auth_scheme` column). */
export function schemeOf(schemes: AuthSchemes, name: string): AuthScheme {
  const scheme = (schemes as Record<string, AuthScheme | undefined>)[name]
  if (!scheme) throw new TypeError(`Unknown authentication scheme ${name}`)
  return scheme
}

/** Sets a header, replacing any entry with the same name in another case. */
export function setHeader(headers: Record<string, string>, name: string, value: string): void {
  for (const existing of Object.keys(headers)) if (existing.toLowerCase() === name.toLowerCase()) delete headers[existing]
  headers[name] = value
}
