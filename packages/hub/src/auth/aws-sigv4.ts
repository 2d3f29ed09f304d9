import { createHash, createHmac } from 'node:crypto'

/*
 * AWS Signature Version 4 (header form), written from AWS's specification. Each step of the
 * specification is its own pure function so the tests can check it against AWS's published
 * test-suite vectors (canonical request, string to sign, Authorization header); the whole is
 * also checked against the independent `aws4` package on random requests, in tests only.
 */

/** The request to sign: exactly what will be sent. */
export interface AwsSigV4Request {
  method: string
  /** The full URL as it will be sent (a string is parsed with `new URL`, as fetch and undici do). */
  url: URL | string
  /** Headers that will be sent. `Authorization` and `X-Amz-Date` given here are replaced. */
  headers: Record<string, string>
  /** The body as it will be sent; none for an empty body. */
  body?: string | Uint8Array
}

/** AWS credentials: an access key pair, plus the session token of temporary credentials (STS). */
export interface AwsCredentials {
  accessKeyId: string
  secretAccessKey: string
  sessionToken?: string
}

/** Per-call options of {@link signAwsSigV4}. */
export interface AwsSigV4Options {
  /** Region code of the credential scope, e.g. `us-east-1`. */
  region: string
  /** Service signing name of the credential scope, e.g. `s3`, `sqs`, `execute-api`. */
  service: string
  /** Signing time; default now. */
  now?: Date
  /**
   * Send `x-amz-content-sha256: UNSIGNED-PAYLOAD` instead of hashing the body (S3 accepts it, so a
   * large upload is not hashed twice). Default `false`.
   */
  unsignedPayload?: boolean
}

/** The parts of a canonical request, as AWS defines them. */
export interface AwsCanonicalRequestParts {
  method: string
  /** The path as sent (percent-encoded as on the wire), without the query. */
  path: string
  /** The query as sent, with or without the leading `?`. */
  query: string
  /** Headers to sign, `host` included. */
  headers: Record<string, string>
  /** Hex SHA-256 of the payload, or `UNSIGNED-PAYLOAD`. */
  payloadHash: string
  service: string
}

const ALGORITHM = 'AWS4-HMAC-SHA256'
const EMPTY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'
/** Not signed: changed by proxies and clients on the way, or replaced by the signature itself. */
const UNSIGNED_HEADERS = new Set([
  'authorization',
  'connection',
  'expect',
  'keep-alive',
  'presigned-expires',
  'proxy-authorization',
  'range',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'user-agent',
  'x-amzn-trace-id',
])
const SCOPE_PART = /^[a-z0-9][a-z0-9-]{0,62}$/
const SIGNING_KEY_CACHE_MAX = 1_000

/**
 * RFC 3986 percent-encoding as AWS's `UriEncode` does it: everything but `A-Z a-z 0-9 - . _ ~`,
 * with upper-case hex.
 *
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/create-signed-request.html#create-canonical-request
 */
export function awsUriEncode(value: string): string {
  return encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
}

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment)
  } catch {
    return segment // a stray `%` is sent as it is; encoding it again gives `%25`, as AWS does
  }
}

/**
 * The canonical URI of a path as sent. For every service but S3 the path is normalised (RFC 3986
 * dot segments removed, empty segments dropped) and each segment URI-encoded once more, so an
 * encoded path ends up encoded twice, as AWS requires. S3 keys may hold `//` and `.`, so S3's path
 * is only decoded and encoded once, `/` kept (also an encoded one, which S3 reads as a slash).
 *
 * @example
 * ```ts
 * awsCanonicalUri('/a%20b//c/./d/..', 'sqs') // '/a%2520b/c'
 * awsCanonicalUri('/bucket/my%20key', 's3')  // '/bucket/my%20key'
 * ```
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/create-signed-request.html#create-canonical-request
 */
export function awsCanonicalUri(path: string, service: string): string {
  if (path === '' || path === '/') return '/'
  if (service === 's3') {
    return path
      .split('/')
      .map((s) => awsUriEncode(decodeSegment(s)))
      .join('/')
      .replace(/%2F/g, '/') // S3 reads an encoded slash in a key as a slash
  }
  const out: string[] = []
  for (const segment of path.split('/')) {
    if (segment === '' || segment === '.') continue
    if (segment === '..') out.pop()
    else out.push(awsUriEncode(segment))
  }
  const trailing = out.length > 0 && /\/\.{0,2}$/.test(path) ? '/' : ''
  return `/${out.join('/')}${trailing}`
}

/**
 * The canonical query string: every parameter decoded (`+` is a space, as in
 * `application/x-www-form-urlencoded`), URI-encoded, and sorted by name then value.
 *
 * @example
 * ```ts
 * awsCanonicalQuery('?b=2&a=x y&a=%41') // 'a=A&a=x%20y&b=2'
 * ```
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/create-signed-request.html#create-canonical-request
 */
export function awsCanonicalQuery(query: string): string {
  const pairs: Array<[string, string]> = []
  for (const [k, v] of new URLSearchParams(query)) pairs.push([awsUriEncode(k), awsUriEncode(v)])
  // Encoded strings are ASCII, so code-unit order is AWS's byte order. Names and values are
  // compared apart: comparing "name=value" would put "a1=…" before "a=…".
  const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0)
  return pairs
    .sort((a, b) => cmp(a[0], b[0]) || cmp(a[1], b[1]))
    .map(([k, v]) => `${k}=${v}`)
    .join('&')
}

/**
 * Canonical headers and the signed-headers list: names lower-cased and sorted, values trimmed
 * with runs of white space folded to one space, values of one name (in any case) joined with `,`.
 *
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/create-signed-request.html#create-canonical-request
 */
export function awsCanonicalHeaders(headers: Record<string, string>): { canonical: string; signed: string } {
  const byName = new Map<string, string[]>()
  for (const [name, value] of Object.entries(headers)) {
    const lower = name.toLowerCase()
    if (UNSIGNED_HEADERS.has(lower)) continue
    const folded = String(value).trim().replace(/\s+/g, ' ')
    const values = byName.get(lower)
    if (values) values.push(folded)
    else byName.set(lower, [folded])
  }
  const names = [...byName.keys()].sort()
  return {
    canonical: names.map((n) => `${n}:${(byName.get(n) as string[]).join(',')}\n`).join(''),
    signed: names.join(';'),
  }
}

/**
 * Task 1 of the specification: the canonical request and the signed-headers list.
 *
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/create-signed-request.html#create-canonical-request
 */
export function awsCanonicalRequest(parts: AwsCanonicalRequestParts): { canonicalRequest: string; signedHeaders: string } {
  const { canonical, signed } = awsCanonicalHeaders(parts.headers)
  const canonicalRequest = [parts.method.toUpperCase(), awsCanonicalUri(parts.path, parts.service), awsCanonicalQuery(parts.query), canonical, signed, parts.payloadHash].join('\n')
  return { canonicalRequest, signedHeaders: signed }
}

/**
 * Task 2: the string to sign, from the `x-amz-date` time stamp (`20150830T123600Z`), the
 * credential scope (`20150830/us-east-1/iam/aws4_request`) and the canonical request.
 *
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/create-signed-request.html#create-string-to-sign
 */
export function awsStringToSign(amzDate: string, scope: string, canonicalRequest: string): string {
  return [ALGORITHM, amzDate, scope, sha256Hex(canonicalRequest)].join('\n')
}

const signingKeys = new Map<string, { secret: string; key: Buffer }>()

/**
 * Task 3: the signing key, `HMAC(HMAC(HMAC(HMAC("AWS4" + secret, date), region), service),
 * "aws4_request")`. It changes once a day per region and service, so it is memoised (a pure cache,
 * bounded, that never changes a result).
 *
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/create-signed-request.html#derive-signing-key
 */
export function awsSigningKey(secretAccessKey: string, date: string, region: string, service: string, accessKeyId = ''): Buffer {
  const id = `${accessKeyId}\n${date}\n${region}\n${service}`
  const hit = signingKeys.get(id)
  if (hit && hit.secret === secretAccessKey) return hit.key
  const kDate = hmac(`AWS4${secretAccessKey}`, date)
  const kRegion = hmac(kDate, region)
  const kService = hmac(kRegion, service)
  const key = hmac(kService, 'aws4_request')
  if (signingKeys.size >= SIGNING_KEY_CACHE_MAX) {
    const oldest = signingKeys.keys().next().value
    if (oldest !== undefined) signingKeys.delete(oldest)
  }
  signingKeys.set(id, { secret: secretAccessKey, key })
  return key
}

/**
 * Signs a request with AWS Signature Version 4 and returns the headers to add to it:
 * `x-amz-date`, `x-amz-security-token` (temporary credentials), `x-amz-content-sha256` (S3, or an
 * unsigned payload) and `authorization`. Every header of the request is signed except hop-by-hop
 * ones and `user-agent`; `host` is taken from the URL when not given. A caller-given
 * `x-amz-content-sha256` is used as the payload hash as it is.
 *
 * @example
 * ```ts
 * const url = new URL('https://s3.eu-west-1.amazonaws.com/my-bucket?list-type=2')
 * const added = signAwsSigV4({ method: 'GET', url, headers: {} },
 *   { accessKeyId: 'AKIA…', secretAccessKey: '…' }, { region: 'eu-west-1', service: 's3' })
 * await fetch(url, { headers: added })
 * ```
 * @throws {TypeError} when `region` or `service` is not a scope name (`^[a-z0-9][a-z0-9-]*$`).
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv-create-signed-request.html
 * @see https://docs.aws.amazon.com/AmazonS3/latest/API/sig-v4-header-based-auth.html (S3 specifics)
 */
export function signAwsSigV4(request: AwsSigV4Request, credentials: AwsCredentials, options: AwsSigV4Options): Record<string, string> {
  const { region, service } = options
  if (!SCOPE_PART.test(region)) throw new TypeError(`AWS region must look like us-east-1 (lower-case letters, digits and dashes); got "${region}"`)
  if (!SCOPE_PART.test(service)) throw new TypeError(`AWS service must look like s3 (lower-case letters, digits and dashes); got "${service}"`)
  const url = typeof request.url === 'string' ? new URL(request.url) : request.url
  const amzDate = (options.now ?? new Date()).toISOString().replace(/[-:]|\.\d{3}/g, '')
  const date = amzDate.slice(0, 8)

  const headers: Record<string, string> = {}
  let hasHost = false
  let givenHash: string | undefined
  for (const [name, value] of Object.entries(request.headers)) {
    const lower = name.toLowerCase()
    if (lower === 'x-amz-date' || lower === 'authorization') continue
    if (lower === 'host') hasHost = true
    if (lower === 'x-amz-content-sha256') givenHash = value
    headers[name] = value
  }
  if (!hasHost) headers['host'] = url.host

  const added: Record<string, string> = { 'x-amz-date': amzDate }
  if (credentials.sessionToken) added['x-amz-security-token'] = credentials.sessionToken
  const payloadHash = givenHash ?? (options.unsignedPayload ? 'UNSIGNED-PAYLOAD' : payloadSha256(request.body))
  if (givenHash === undefined && (service === 's3' || options.unsignedPayload)) added['x-amz-content-sha256'] = payloadHash
  for (const [k, v] of Object.entries(added)) {
    for (const existing of Object.keys(headers)) if (existing.toLowerCase() === k) delete headers[existing]
    headers[k] = v
  }

  const { canonicalRequest, signedHeaders } = awsCanonicalRequest({
    method: request.method,
    path: url.pathname,
    query: url.search,
    headers,
    payloadHash,
    service,
  })
  const scope = `${date}/${region}/${service}/aws4_request`
  const stringToSign = awsStringToSign(amzDate, scope, canonicalRequest)
  const signature = createHmac('sha256', awsSigningKey(credentials.secretAccessKey, date, region, service, credentials.accessKeyId))
    .update(stringToSign, 'utf8')
    .digest('hex')
  added['authorization'] = `${ALGORITHM} Credential=${credentials.accessKeyId}/${scope}, SignedHeaders=${signedHeaders}, Signature=${signature}`
  return added
}

function payloadSha256(body: string | Uint8Array | undefined): string {
  if (body === undefined || body.length === 0) return EMPTY_SHA256
  return createHash('sha256').update(body).digest('hex')
}

function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex')
}

function hmac(key: string | Buffer, data: string): Buffer {
  return createHmac('sha256', key).update(data, 'utf8').digest()
}
