import * as oauth from 'oauth4webapi'
import type { OAuth2Definition } from '@patchbay/core'
import type { OAuthApp } from '../oauth-apps.js'
import { scopeParam } from './endpoint.js'

/** What one authorization request is made of. */
export interface AuthorizationParams {
  redirectUri: string
  /** 32 random bytes, base64url (`oauth.generateRandomState()`). */
  state: string
  /** The PKCE code verifier; undefined when the definition turns PKCE off. */
  verifier: string | undefined
}

/**
 * Fresh state and (unless the definition sets `pkce: false`) a PKCE code verifier.
 *
 * @see https://www.rfc-editor.org/rfc/rfc7636#section-4.1
 */
export function newAuthorization(o2: OAuth2Definition, redirectUri: string): AuthorizationParams {
  return { redirectUri, state: oauth.generateRandomState(), verifier: o2.pkce !== false ? oauth.generateRandomCodeVerifier() : undefined }
}

/**
 * The URL the user opens to grant access: `response_type=code`, the client id, redirect URI,
 * scope, state, the S256 code challenge, then the definition's extra `authorizationParams`.
 *
 * @example
 * ```ts
 * const url = await authorizationRequest(o2, app, newAuthorization(o2, callbackUrl))
 * ```
 *
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-4.1.1
 */
export async function authorizationRequest(o2: OAuth2Definition, app: OAuthApp, params: AuthorizationParams): Promise<URL> {
  const url = new URL(o2.authorizationUrl as string)
  url.searchParams.set('response_type', 'code')
  url.searchParams.set('client_id', app.clientId)
  url.searchParams.set('redirect_uri', params.redirectUri)
  const scope = scopeParam(o2, app)['scope']
  if (scope) url.searchParams.set('scope', scope)
  url.searchParams.set('state', params.state)
  if (params.verifier) {
    url.searchParams.set('code_challenge', await oauth.calculatePKCECodeChallenge(params.verifier))
    url.searchParams.set('code_challenge_method', 'S256')
  }
  for (const [k, v] of Object.entries(o2.authorizationParams ?? {})) url.searchParams.set(k, v)
  return url
}
