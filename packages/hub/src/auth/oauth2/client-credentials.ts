import * as oauth from 'oauth4webapi'
import type { TokenEndpoint } from './endpoint.js'

export { processTokenResponse as processClientCredentialsResponse } from './token-response.js'

/**
 * Asks for a token with the client credentials grant. Answer the Response to
 * {@link processClientCredentialsResponse}.
 *
 * @example
 * ```ts
 * const tokens = await processClientCredentialsResponse(await clientCredentialsRequest(endpoint, scopeParam(o2, app)), o2)
 * ```
 *
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-4.4.2
 */
export function clientCredentialsRequest(endpoint: TokenEndpoint, params: Record<string, string>): Promise<Response> {
  const { as, client, auth, opts } = endpoint
  return oauth.clientCredentialsGrantRequest(as, client, auth, new URLSearchParams(params), opts)
}
