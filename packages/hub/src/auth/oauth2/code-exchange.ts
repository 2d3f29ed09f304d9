import * as oauth from 'oauth4webapi'
import type { TokenEndpoint } from './endpoint.js'

export { processTokenResponse as processCodeExchangeResponse } from './token-response.js'

/**
 * Exchanges an authorization code for tokens (with the PKCE verifier when there is one). Answer
 * the Response to {@link processCodeExchangeResponse}.
 *
 * @example
 * ```ts
 * const tokens = await processCodeExchangeResponse(await codeExchangeRequest(endpoint, code, state, redirectUri, verifier), o2)
 * ```
 *
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-4.1.3
 */
export function codeExchangeRequest(
  endpoint: TokenEndpoint,
  code: string,
  state: string,
  redirectUri: string,
  verifier: string | null | undefined,
  iss?: string,
): Promise<Response> {
  const { as, client, auth, opts } = endpoint
  // State and issuer were checked already (callback.ts, with messages of its own); with `iss`
  // (an issuer is declared) the library checks it once more against `as.issuer`, required.
  const params = new URLSearchParams({ code, state, ...(iss !== undefined ? { iss } : {}) })
  const server = iss !== undefined ? { ...as, authorization_response_iss_parameter_supported: true } : as
  const checked = oauth.validateAuthResponse(server, client, params, oauth.skipStateCheck)
  return oauth.authorizationCodeGrantRequest(as, client, auth, checked, redirectUri, verifier ?? oauth.nopkce, opts)
}
