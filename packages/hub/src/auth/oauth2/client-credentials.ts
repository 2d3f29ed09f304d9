import * as oauth from 'oauth4webapi'
import type { TokenEndpoint } from './endpoint.js'

export { processTokenResponse as processClientCredentialsResponse } from './token-response.js'

/**
 * Asks for a token with the client credentials grant, with the definition's `tokenParams`
 * (oauth4webapi sends `additionalParameters` on the other grants only, so they are merged here). Answer the Response to
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
  const body = new URLSearchParams(opts.additionalParameters as Record<string, string> | undefined)
  for (const [k, v] of Object.entries(params)) body.set(k, v)
  return oauth.clientCredentialsGrantRequest(as, client, auth, body, opts)
}
