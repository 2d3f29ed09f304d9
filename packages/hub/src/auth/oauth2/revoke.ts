import * as oauth from 'oauth4webapi'
import type { TokenEndpoint } from './endpoint.js'

/**
 * Revokes a token (the refresh token when there is one, which revokes its access tokens too).
 *
 * @see https://www.rfc-editor.org/rfc/rfc7009#section-2.1
 */
export function revocationRequest(endpoint: TokenEndpoint, token: string, hint: 'refresh_token' | 'access_token'): Promise<Response> {
  const { as, client, auth, opts } = endpoint
  return oauth.revocationRequest(as, client, auth, token, { ...opts, additionalParameters: { token_type_hint: hint } })
}

/**
 * Whether the revocation was accepted: any 2xx (RFC 7009 §2.2: 200, also for a token that was
 * already invalid). The body is drained.
 *
 * @see https://www.rfc-editor.org/rfc/rfc7009#section-2.2
 */
export async function processRevocationResponse(res: Response): Promise<{ ok: boolean; status: number }> {
  await res.body?.cancel().catch(() => {})
  return { ok: res.ok, status: res.status }
}

/** Which token of a connection to revoke, and its hint; undefined when it holds none. */
export function tokenToRevoke(secrets: {
  access_token?: string | undefined
  refresh_token?: string | undefined
}): { token: string; hint: 'refresh_token' | 'access_token' } | undefined {
  const token = secrets.refresh_token ?? secrets.access_token
  if (!token) return undefined
  return { token, hint: secrets.refresh_token ? 'refresh_token' : 'access_token' }
}
