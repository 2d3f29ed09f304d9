import { createHmac, randomBytes, sign as rsaSign } from 'node:crypto'

/*
 * OAuth 1.0a request signing (RFC 5849 §3). Written here rather than taken from npm because the
 * packages that do this (`oauth-1.0a`, `oauth-sign`) are unmaintained and neither covers the whole
 * flow we need (temporary credentials with `oauth_callback`, the verifier, form bodies, RSA-SHA1).
 * It is checked against an independent implementation (`oauth-sign`, the one `request` used) by
 * the stand-in provider in the tests, which recomputes every signature it receives.
 */

/** Signature methods of RFC 5849 §3.4. */
export type OAuth1SignatureMethod = 'HMAC-SHA1' | 'HMAC-SHA256' | 'PLAINTEXT' | 'RSA-SHA1'

/** What a request is signed with. */
export interface OAuth1Credentials {
  consumerKey: string
  /** The consumer secret; for RSA-SHA1, the PEM private key. */
  consumerSecret: string
  /** Token credentials or temporary credentials; absent when asking for temporary credentials. */
  token?: string
  tokenSecret?: string
}

/** One request to sign. */
export interface OAuth1Request {
  method: string
  /** The full URL, query included. */
  url: string
  /** Parameters of an `application/x-www-form-urlencoded` body (they are signed); none for other bodies. */
  form?: URLSearchParams
  /** Extra protocol parameters: `oauth_callback`, `oauth_verifier`. */
  extra?: Record<string, string>
  /** Fixed nonce and timestamp, for tests against known vectors. */
  nonce?: string
  timestamp?: string
}

/** RFC 3986 percent-encoding as RFC 5849 §3.6 requires: everything but ALPHA / DIGIT / "-" / "." / "_" / "~". */
export function percentEncode(value: string): string {
  return encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
}

/** The base string URI of RFC 5849 §3.4.1.2: lower-case scheme and host, default port dropped, no query. */
export function baseStringUri(url: URL): string {
  const scheme = url.protocol.toLowerCase()
  const defaultPort = (scheme === 'http:' && url.port === '80') || (scheme === 'https:' && url.port === '443') || url.port === ''
  return `${scheme}//${url.hostname.toLowerCase()}${defaultPort ? '' : `:${url.port}`}${url.pathname}`
}

/** The signature base string (§3.4.1). `params` are every signed name/value pair, decoded. */
export function signatureBaseString(method: string, url: URL, params: Array<[string, string]>): string {
  const normalized = params
    .map(([k, v]) => [percentEncode(k), percentEncode(v)] as const)
    .sort(([ak, av], [bk, bv]) => (ak < bk ? -1 : ak > bk ? 1 : av < bv ? -1 : av > bv ? 1 : 0))
    .map(([k, v]) => `${k}=${v}`)
    .join('&')
  return [method.toUpperCase(), percentEncode(baseStringUri(url)), percentEncode(normalized)].join('&')
}

/**
 * Signs a request and returns the `Authorization: OAuth …` header value (§3.5.1).
 *
 * @example
 * ```ts
 * const header = signOAuth1('HMAC-SHA1', { consumerKey, consumerSecret, token, tokenSecret }, { method: 'GET', url })
 * ```
 */
export function signOAuth1(method: OAuth1SignatureMethod, creds: OAuth1Credentials, req: OAuth1Request): string {
  const url = new URL(req.url)
  const oauth: Record<string, string> = {
    oauth_consumer_key: creds.consumerKey,
    oauth_nonce: req.nonce ?? randomBytes(16).toString('hex'),
    oauth_signature_method: method,
    oauth_timestamp: req.timestamp ?? String(Math.floor(Date.now() / 1000)),
    oauth_version: '1.0',
    ...(creds.token !== undefined ? { oauth_token: creds.token } : {}),
    ...req.extra,
  }
  const params: Array<[string, string]> = [...url.searchParams.entries(), ...(req.form ? [...req.form.entries()] : []), ...Object.entries(oauth)]
  const key = `${percentEncode(creds.consumerSecret)}&${percentEncode(creds.tokenSecret ?? '')}`
  let signature: string
  switch (method) {
    case 'PLAINTEXT':
      signature = key
      break
    case 'HMAC-SHA1':
    case 'HMAC-SHA256': {
      const base = signatureBaseString(req.method, url, params)
      signature = createHmac(method === 'HMAC-SHA1' ? 'sha1' : 'sha256', key)
        .update(base)
        .digest('base64')
      break
    }
    case 'RSA-SHA1': {
      const base = signatureBaseString(req.method, url, params)
      signature = rsaSign('RSA-SHA1', Buffer.from(base), creds.consumerSecret).toString('base64')
      break
    }
  }
  oauth['oauth_signature'] = signature
  return `OAuth ${Object.entries(oauth)
    .map(([k, v]) => `${percentEncode(k)}="${percentEncode(v)}"`)
    .join(', ')}`
}
