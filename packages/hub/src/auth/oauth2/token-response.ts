import type { OAuth2Definition } from '@patchbay/core'

/** A token set parsed from a token endpoint response. */
export interface TokenSet {
  accessToken: string
  refreshToken: string | undefined
  expiresIn: number | undefined
  tokenType: string | undefined
  scope: string | undefined
  raw: Record<string, unknown>
}

/** The token endpoint said no. `code` is the OAuth error code (`invalid_grant`…) or `http_<status>`. */
export class TokenEndpointError extends Error {
  constructor(
    readonly code: string,
    readonly description: string,
    readonly httpStatus: number,
  ) {
    super(description ? `${code}: ${description}` : code)
  }
}

/** The value at a dotted path (`authed_user.access_token`) of a parsed JSON body; undefined when absent. */
export function dig(obj: unknown, path: string): unknown {
  let cur = obj
  for (const part of path.split('.')) {
    if (typeof cur !== 'object' || cur === null) return undefined
    cur = (cur as Record<string, unknown>)[part]
  }
  return cur
}

/**
 * Parses a token endpoint response (authorization code, refresh, client credentials), tolerantly.
 * oauth4webapi's processors (rightly, for standard servers) reject what real providers answer —
 * Slack's `token_type: "bot"`, tokens nested under `authed_user` (`accessTokenPath`), GitHub's
 * HTTP 200 carrying `{"error": …}`, a form-encoded body, a missing `token_type` — and Patchbay
 * must take them.
 *
 * @example
 * ```ts
 * const tokens = await processTokenResponse(await refreshTokenRequest(endpoint, refreshToken), o2)
 * ```
 *
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-5.1
 * @throws {TokenEndpointError} for an error response (§5.2), a non-2xx, or no access token.
 */
export async function processTokenResponse(res: Response, o2: Partial<OAuth2Definition>): Promise<TokenSet> {
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
