import * as oauth from 'oauth4webapi'
import type { OAuth2Definition } from '@patchbay/core'
import type { Integration } from '../../catalog/catalog.js'
import { unreachable } from '../../net/upstream-error.js'
import type { OAuthApp } from '../oauth-apps.js'
import { checkEndpoint } from '../oauth-context.js'

/** Everything an oauth4webapi token-endpoint call takes: the server, the client, its authentication, options. */
export interface TokenEndpoint {
  as: oauth.AuthorizationServer
  client: oauth.Client
  auth: oauth.ClientAuth
  opts: oauth.TokenEndpointRequestOptions
}

/** How calls to a provider are made. */
export interface TokenEndpointOptions {
  fetch: typeof fetch
  timeoutMs: number
}

/**
 * HTTP Basic client authentication (RFC 6749 §2.3.1) with the id and secret serialised as
 * application/x-www-form-urlencoded, as the RFC says. oauth4webapi's `ClientSecretBasic` also
 * escapes `-`, `.`, `_` and `*` (e.g. `cid%2D1`), which providers that do not decode the Basic
 * credentials (Slack-style ids such as `1234.5678`) then reject.
 *
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-2.3.1
 */
export function clientSecretBasic(clientSecret: string): oauth.ClientAuth {
  const encode = (v: string) => new URLSearchParams({ v }).toString().slice(2)
  return (_as, client, _body, headers) => {
    headers.set('authorization', `Basic ${Buffer.from(`${encode(client.client_id)}:${encode(clientSecret)}`).toString('base64')}`)
  }
}

/**
 * The token endpoint of an integration for a tenant's app (with a fresh timeout per call).
 *
 * @example
 * ```ts
 * const endpoint = tokenEndpoint(integration, o2, app, { fetch, timeoutMs: 15_000 })
 * ```
 *
 * @throws {PatchbayError} VALIDATION when the token URL is not https (outside loopback).
 */
export function tokenEndpoint(integration: Integration, o2: OAuth2Definition, app: OAuthApp, options: TokenEndpointOptions): TokenEndpoint {
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
    [oauth.customFetch]: options.fetch,
    signal: AbortSignal.timeout(options.timeoutMs),
    ...(o2.tokenParams ? { additionalParameters: o2.tokenParams } : {}),
  }
  return { as, client, auth, opts }
}

/** The `scope` parameter: the app's scopes, else the definition's, joined by its separator. */
export function scopeParam(o2: OAuth2Definition, app: OAuthApp): Record<string, string> {
  const scopes = app.scopes ?? o2.scopes ?? []
  return scopes.length ? { scope: scopes.join(o2.scopeSeparator ?? ' ') } : {}
}

/**
 * Sends one token request, mapping a network failure to UPSTREAM_UNREACHABLE (or the network
 * policy's refusal).
 */
export async function sendTokenRequest(integration: Integration, o2: OAuth2Definition, grant: string, send: () => Promise<Response>, timeoutMs?: number): Promise<Response> {
  try {
    return await send()
  } catch (err) {
    // AbortSignal.timeout's DOMException has the numeric code 23: say what happened instead.
    const reason = isTimeout(err) ? `the token endpoint did not answer within ${timeoutMs ?? 'the timeout in'} ms` : undefined
    throw unreachable(err, `Could not reach ${integration.definition.name}'s token endpoint at ${new URL(o2.tokenUrl).origin} (${grant})`, reason)
  }
}

/** Whether an error (or one of its causes) is a timeout: AbortSignal.timeout's TimeoutError, or undici's. */
function isTimeout(err: unknown): boolean {
  for (let e: unknown = err, i = 0; i < 4 && e; i++, e = (e as { cause?: unknown }).cause) {
    const { name, code } = e as { name?: unknown; code?: unknown }
    if (name === 'TimeoutError' || code === 23 || code === 'UND_ERR_CONNECT_TIMEOUT' || code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT') return true
  }
  return false
}
