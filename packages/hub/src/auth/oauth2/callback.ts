import type { OAuth2Definition } from '@patchbay/core'

/** What the provider's redirect says: a code to exchange, or why there is none. */
/** `iss` is there when the definition names an issuer (and then equals it). */
export type AuthorizationResponse = { ok: true; code: string; state: string; iss?: string } | { ok: false; denied: boolean; reason: string; kind: 'error' | 'invalid' }

/**
 * Validates the query of the provider's redirect (state already matched): an `error` (the user
 * refused, or the provider failed), no `code`, or, when the definition names an issuer, an `iss`
 * that is missing or another (RFC 9207 mix-up defence: a definition declares `issuer` only for a
 * provider that sends `iss`; `iss` is ignored when the definition names no issuer).
 *
 * @example
 * ```ts
 * const res = processAuthorizationResponse({ code: 'c', state: 's' }, o2) // { ok: true, code: 'c', state: 's' }
 * ```
 *
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-4.1.2
 * @see https://www.rfc-editor.org/rfc/rfc9207#section-2.4
 */
export function processAuthorizationResponse(q: Record<string, string | undefined>, o2: Pick<OAuth2Definition, 'issuer'>): AuthorizationResponse {
  if (q['error'] !== undefined) {
    const reason = `${q['error']}${q['error_description'] ? `: ${q['error_description']}` : ''}`
    return { ok: false, denied: q['error'] === 'access_denied', reason, kind: 'error' }
  }
  if (!q['code']) return { ok: false, denied: false, reason: 'the provider redirected without a code', kind: 'invalid' }
  if (o2.issuer && q['iss'] === undefined) {
    return { ok: false, denied: false, reason: `the provider's redirect carries no iss parameter, which RFC 9207 requires from issuer ${o2.issuer}`, kind: 'invalid' }
  }
  if (o2.issuer && q['iss'] !== o2.issuer) {
    return { ok: false, denied: false, reason: `the response came from issuer ${q['iss']}, not ${o2.issuer} (mix-up attack?)`, kind: 'invalid' }
  }
  return { ok: true, code: q['code'], state: q['state'] ?? '', ...(o2.issuer ? { iss: o2.issuer } : {}) }
}
