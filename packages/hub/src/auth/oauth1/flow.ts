/**
 * The three legs of OAuth 1.0a as request/process pairs: temporary credentials, the user's
 * authorization URL, token credentials.
 *
 * @see https://www.rfc-editor.org/rfc/rfc5849#section-2
 */
import { PatchbayError, type OAuth1Definition } from '@patchbay/core'
import { unreachable } from '../../net/upstream-error.js'
import type { OAuthApp } from '../oauth-apps.js'
import { signOAuth1, type OAuth1SignatureMethod } from './sign.js'

/** How a call to the provider is made and named in errors. */
export interface OAuth1CallOptions {
  /** The integration's name, for errors. */
  name: string
  fetch: typeof fetch
  timeoutMs: number
}

/** A pair of credentials the provider issued (temporary or token credentials). */
export interface OAuth1TokenPair {
  token: string
  tokenSecret: string
  /** Every other parameter of the response (`user_id`, `screen_name`…). */
  raw: Record<string, string>
}

/** The signature method of a definition (HMAC-SHA1 by default). */
export function signatureMethodOf(o1: OAuth1Definition): OAuth1SignatureMethod {
  return (o1.signatureMethod ?? 'HMAC-SHA1') as OAuth1SignatureMethod
}

/**
 * Sends one signed POST to an OAuth 1.0a endpoint (`extra` are protocol parameters such as
 * `oauth_callback` or `oauth_verifier`) and answers the provider's Response.
 *
 * @throws {PatchbayError} UPSTREAM_UNREACHABLE (or the network policy's refusal).
 */
export async function oauth1Request(
  o1: OAuth1Definition,
  app: OAuthApp,
  url: string,
  token: { token: string; secret: string } | undefined,
  extra: Record<string, string>,
  options: OAuth1CallOptions,
): Promise<Response> {
  const authorization = signOAuth1(
    signatureMethodOf(o1),
    {
      consumerKey: app.clientId,
      consumerSecret: app.clientSecret,
      ...(token ? { token: token.token, tokenSecret: token.secret } : {}),
    },
    { method: 'POST', url, extra },
  )
  try {
    return await options.fetch(url, {
      method: 'POST',
      headers: { authorization, accept: 'application/x-www-form-urlencoded, */*' },
      signal: AbortSignal.timeout(options.timeoutMs),
    })
  } catch (err) {
    throw unreachable(err, `Could not reach ${options.name} at ${new URL(url).origin}`)
  }
}

/** A credentials response as read: the pair when the provider gave both halves. */
export interface OAuth1CredentialsResponse {
  pair: OAuth1TokenPair | undefined
  params: URLSearchParams
}

/**
 * Reads a form-encoded credentials response (§2.1, §2.3); `pair` is undefined when it lacks
 * `oauth_token` or `oauth_token_secret`.
 *
 * @throws {PatchbayError} UPSTREAM_ERROR for a non-2xx, with an excerpt of the body.
 */
export async function processCredentialsResponse(res: Response, name: string): Promise<OAuth1CredentialsResponse> {
  const text = await res.text()
  if (!res.ok) {
    throw new PatchbayError('UPSTREAM_ERROR', `${name} answered HTTP ${res.status} at ${new URL(res.url || 'http://localhost/').pathname}: ${text.slice(0, 300)}`, {
      details: { upstreamStatus: res.status },
    })
  }
  const params = new URLSearchParams(text)
  const token = params.get('oauth_token')
  const tokenSecret = params.get('oauth_token_secret')
  const raw = Object.fromEntries([...params.entries()].filter(([k]) => k !== 'oauth_token' && k !== 'oauth_token_secret'))
  return { pair: token && tokenSecret ? { token, tokenSecret, raw } : undefined, params }
}

/**
 * Asks for temporary credentials with the hub's callback URL (§2.1).
 *
 * @example
 * ```ts
 * const temp = await processTemporaryCredentialsResponse(await temporaryCredentialsRequest(o1, app, callbackUrl, options), name)
 * ```
 */
export function temporaryCredentialsRequest(o1: OAuth1Definition, app: OAuthApp, callbackUrl: string, options: OAuth1CallOptions): Promise<Response> {
  return oauth1Request(o1, app, o1.requestTokenUrl, undefined, { oauth_callback: callbackUrl }, options)
}

/**
 * Reads temporary credentials; the provider must confirm the callback (OAuth 1.0a, §2.1).
 *
 * @throws {PatchbayError} UPSTREAM_ERROR when it did not.
 */
export async function processTemporaryCredentialsResponse(res: Response, name: string): Promise<OAuth1TokenPair> {
  const { pair, params } = await processCredentialsResponse(res, name)
  if (!pair) throw new PatchbayError('UPSTREAM_ERROR', `${name} answered the temporary credentials request without oauth_token and oauth_token_secret`)
  if (params.get('oauth_callback_confirmed') !== 'true') {
    throw new PatchbayError('UPSTREAM_ERROR', `${name} did not confirm the callback (oauth_callback_confirmed); it may not support OAuth 1.0a`)
  }
  return pair
}

/** The URL the user opens to authorize the temporary credentials (§2.2). */
export function authorizationUrl(o1: OAuth1Definition, temporaryToken: string): URL {
  const url = new URL(o1.authorizationUrl)
  url.searchParams.set('oauth_token', temporaryToken)
  for (const [k, v] of Object.entries(o1.authorizationParams ?? {})) url.searchParams.set(k, v)
  return url
}

/** Exchanges the verifier for token credentials (§2.3); answer the Response to {@link processCredentialsResponse}. */
export function tokenCredentialsRequest(
  o1: OAuth1Definition,
  app: OAuthApp,
  temporary: { token: string; secret: string },
  verifier: string,
  options: OAuth1CallOptions,
): Promise<Response> {
  return oauth1Request(o1, app, o1.accessTokenUrl, temporary, { oauth_verifier: verifier }, options)
}
