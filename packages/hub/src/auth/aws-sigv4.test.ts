import { createHash, createHmac } from 'node:crypto'
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import aws4 from 'aws4'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { awsCanonicalQuery, awsCanonicalRequest, awsCanonicalUri, awsSigningKey, awsStringToSign, signAwsSigV4 } from './aws-sigv4.js'

// AWS's published test suite (fixtures/aws-sig-v4-test-suite/README.md): credentials, scope and time.
const SUITE = fileURLToPath(new URL('./fixtures/aws-sig-v4-test-suite', import.meta.url))
const CREDENTIALS = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' }
const STS_TOKEN =
  'AQoDYXdzEPT//////////wEXAMPLEtc764bNrC9SAPBSM22wDOk4x4HIZ8j4FZTwdQWLWsKWHGBuFqwAeMicRXmxfpSPfIeoIYRqTflfKD8YUuwthAx7mSEI/qkPpKPi/kMcGdQrmGdeehM4IC1NtBmUpp2wUE8phUZampKsburEDy0KPkyQDYwT7WZ0wq5VSXDvp75YU9HFvlRd8Tx6q6fE8YQcHNVXAkiY9q6d+xo0rKwT38xVqr7ZD0u0iPPkUL64lIZbqBAz+scqKmlzm8FDrypNC9Yjc8fPOLn9FX9KSYvKTr4rvx3iSIlTJabIQwj2ICCR/oLxBA=='
const OPTIONS = { region: 'us-east-1', service: 'service', now: new Date('2015-08-30T12:36:00Z') }
const SCOPE = '20150830/us-east-1/service/aws4_request'

interface Vector {
  name: string
  method: string
  /** The request line's path and query, as the `.req` file has them (not percent-encoded). */
  target: string
  /** Headers of the `.req` file; a repeated name's values joined with `,` as HTTP allows. */
  headers: Record<string, string>
  body: string
  creq: string
  sts: string
  authz: string
}

function readVector(name: string): Vector {
  const file = (ext: string) => readFileSync(join(SUITE, name, `${name}.${ext}`), 'utf8')
  const [head = '', body = ''] = file('req').split('\n\n')
  const [requestLine = '', ...headerLines] = head.split('\n')
  const headers: Record<string, string> = {}
  for (const line of headerLines) {
    const colon = line.indexOf(':')
    const key = line.slice(0, colon)
    const value = line.slice(colon + 1)
    headers[key] = key in headers ? `${headers[key]},${value.trim()}` : value
  }
  return {
    name,
    method: requestLine.split(' ')[0] as string,
    target: requestLine.slice(requestLine.indexOf(' ') + 1, requestLine.lastIndexOf(' ')),
    headers,
    body,
    creq: file('creq'),
    sts: file('sts'),
    authz: file('authz'),
  }
}

const vectors = readdirSync(SUITE)
  .filter((n) => !n.endsWith('.md'))
  .map(readVector)

/** The headers the signer is given: the vector's, without the ones it adds itself. */
function inputHeaders(v: Vector): Record<string, string> {
  const out: Record<string, string> = {}
  for (const [k, value] of Object.entries(v.headers)) {
    if (!['x-amz-date', 'x-amz-security-token'].includes(k.toLowerCase())) out[k] = value
  }
  return out
}

const sha256 = (s: string) => createHash('sha256').update(s, 'utf8').digest('hex')

describe("AWS's SigV4 test suite", () => {
  it('has the vectors the issue names', () => {
    const names = vectors.map((v) => v.name)
    for (const n of [
      'get-vanilla',
      'get-vanilla-query-order-key',
      'get-vanilla-query-order-value',
      'get-vanilla-query-unreserved',
      'get-utf8',
      'get-space',
      'get-header-key-duplicate',
      'get-header-value-trim',
      'post-vanilla',
      'post-x-www-form-urlencoded',
      'post-x-www-form-urlencoded-parameters',
      'post-sts-header-before',
      'post-sts-header-after',
      'get-relative-relative',
      'get-slashes',
    ]) {
      expect(names).toContain(n)
    }
    expect(vectors.length).toBe(30)
  })

  // Step by step, from the request line as the suite writes it.
  for (const v of vectors) {
    it(`${v.name}: canonical request, string to sign and signature`, () => {
      const q = v.target.indexOf('?')
      const { canonicalRequest, signedHeaders } = awsCanonicalRequest({
        method: v.method,
        path: q < 0 ? v.target : v.target.slice(0, q),
        query: q < 0 ? '' : v.target.slice(q),
        headers: v.headers,
        payloadHash: sha256(v.body),
        service: 'service',
      })
      expect(canonicalRequest).toBe(v.creq)
      const sts = awsStringToSign('20150830T123600Z', SCOPE, canonicalRequest)
      expect(sts).toBe(v.sts)
      const key = awsSigningKey(CREDENTIALS.secretAccessKey, '20150830', 'us-east-1', 'service')
      const signature = createHmac('sha256', key).update(sts, 'utf8').digest('hex')
      expect(`AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/${SCOPE}, SignedHeaders=${signedHeaders}, Signature=${signature}`).toBe(v.authz)
    })
  }

  // The whole signer, from a URL. The suite's request lines carry two paths unencoded
  // ("/example space/", "/ሴ"), which no client sends: as a URL they are percent-encoded, and AWS's
  // rule encodes a sent path once more, so those two cannot give the suite's signature (checked below).
  const raw = new Set(['get-space', 'get-utf8'])
  for (const v of vectors.filter((x) => !raw.has(x.name) && x.name !== 'post-sts-header-after')) {
    it(`${v.name}: signAwsSigV4 gives the suite's Authorization`, () => {
      const sts = v.name === 'post-sts-header-before'
      const added = signAwsSigV4(
        { method: v.method, url: `https://example.amazonaws.com${v.target}`, headers: inputHeaders(v), body: v.body },
        sts ? { ...CREDENTIALS, sessionToken: STS_TOKEN } : CREDENTIALS,
        OPTIONS,
      )
      expect(added['authorization']).toBe(v.authz)
      expect(added['x-amz-date']).toBe('20150830T123600Z')
      expect(added['x-amz-security-token']).toBe(sts ? STS_TOKEN : undefined)
      expect(added['x-amz-content-sha256']).toBeUndefined() // only S3 asks for it
    })
  }

  it('post-sts-header-after: the token added after signing leaves the signature of the request without it', () => {
    const v = readVector('post-sts-header-after')
    const without = signAwsSigV4({ method: 'POST', url: 'https://example.amazonaws.com/', headers: {} }, CREDENTIALS, OPTIONS)
    expect(without['authorization']).toBe(v.authz)
    // signAwsSigV4 always signs the token (the "before" variant every current service accepts).
    const withToken = signAwsSigV4({ method: 'POST', url: 'https://example.amazonaws.com/', headers: {} }, { ...CREDENTIALS, sessionToken: STS_TOKEN }, OPTIONS)
    expect(withToken['authorization']).toBe(readVector('post-sts-header-before').authz)
  })

  it('get-space and get-utf8 from a URL: the encoded path is encoded again (S3: once)', () => {
    expect(awsCanonicalUri(new URL('https://h/example space/').pathname, 'service')).toBe('/example%2520space/')
    expect(awsCanonicalUri(new URL('https://h/ሴ').pathname, 'service')).toBe('/%25E1%2588%25B4')
    expect(awsCanonicalUri(new URL('https://h/example space/').pathname, 's3')).toBe('/example%20space/')
    expect(awsCanonicalUri(new URL('https://h/ሴ').pathname, 's3')).toBe('/%E1%88%B4')
  })
})

describe('canonical parts', () => {
  it('S3 keeps empty and dot segments and reads an encoded slash as a slash', () => {
    expect(awsCanonicalUri('/bucket//a/./b', 's3')).toBe('/bucket//a/./b')
    expect(awsCanonicalUri('/bucket/a%2Fb%2Bc', 's3')).toBe('/bucket/a/b%2Bc')
    expect(awsCanonicalUri("/bucket/it's(1)*", 's3')).toBe('/bucket/it%27s%281%29%2A')
  })

  it('other services drop empty and dot segments and keep a trailing slash', () => {
    expect(awsCanonicalUri('/a%20b//c/./d/..', 'sqs')).toBe('/a%2520b/c/')
    expect(awsCanonicalUri('/a/b/', 'sqs')).toBe('/a/b/')
    expect(awsCanonicalUri('', 'sqs')).toBe('/')
  })

  it('sorts the query by name, then value, comparing names apart from values', () => {
    expect(awsCanonicalQuery('?b=2&a=x+y&a=%41&a1=z&a=')).toBe('a=&a=A&a=x%20y&a1=z&b=2')
    expect(awsCanonicalQuery("?k=it's*~")).toBe('k=it%27s%2A~')
    expect(awsCanonicalQuery('')).toBe('')
  })
})

describe('signAwsSigV4', () => {
  const s3 = { region: 'eu-west-1', service: 's3', now: new Date('2024-05-01T10:00:00Z') }

  it('S3: adds x-amz-content-sha256 with the body hash, or UNSIGNED-PAYLOAD on request', () => {
    const req = { method: 'PUT', url: 'https://s3.eu-west-1.amazonaws.com/b/k', headers: {}, body: 'hello' }
    const signed = signAwsSigV4(req, CREDENTIALS, s3)
    expect(signed['x-amz-content-sha256']).toBe(sha256('hello'))
    expect(signed['authorization']).toMatch(/SignedHeaders=host;x-amz-content-sha256;x-amz-date, Signature=[0-9a-f]{64}$/)
    const unsigned = signAwsSigV4(req, CREDENTIALS, { ...s3, unsignedPayload: true })
    expect(unsigned['x-amz-content-sha256']).toBe('UNSIGNED-PAYLOAD')
    expect(unsigned['authorization']).not.toBe(signed['authorization'])
  })

  it('hashes bytes like the same text', () => {
    const url = 'https://s3.eu-west-1.amazonaws.com/b/k'
    const text = signAwsSigV4({ method: 'PUT', url, headers: {}, body: 'héllo' }, CREDENTIALS, s3)
    const bytes = signAwsSigV4({ method: 'PUT', url, headers: {}, body: new TextEncoder().encode('héllo') }, CREDENTIALS, s3)
    expect(bytes).toEqual(text)
  })

  it('replaces a given Authorization and X-Amz-Date, and signs the host with its port', () => {
    const a = signAwsSigV4({ method: 'GET', url: 'http://127.0.0.1:9000/', headers: { Authorization: 'x', 'X-Amz-Date': 'y' } }, CREDENTIALS, s3)
    const b = signAwsSigV4({ method: 'GET', url: 'http://127.0.0.1:9000/', headers: {} }, CREDENTIALS, s3)
    expect(a).toEqual(b)
    const other = signAwsSigV4({ method: 'GET', url: 'http://127.0.0.1:9001/', headers: {} }, CREDENTIALS, s3)
    expect(other['authorization']).not.toBe(b['authorization'])
  })

  it('a changed secret gives a new signing key for the same day, region and service', () => {
    const url = 'https://s3.eu-west-1.amazonaws.com/'
    const one = signAwsSigV4({ method: 'GET', url, headers: {} }, CREDENTIALS, s3)
    const two = signAwsSigV4({ method: 'GET', url, headers: {} }, { ...CREDENTIALS, secretAccessKey: 'other' }, s3)
    expect(two['authorization']).not.toBe(one['authorization'])
    expect(signAwsSigV4({ method: 'GET', url, headers: {} }, CREDENTIALS, s3)).toEqual(one)
  })

  it('refuses a region or service that is not a scope name', () => {
    const req = { method: 'GET', url: 'https://s3.amazonaws.com/', headers: {} }
    expect(() => signAwsSigV4(req, CREDENTIALS, { region: 'evil.com/x', service: 's3' })).toThrow(/region must look like us-east-1/)
    expect(() => signAwsSigV4(req, CREDENTIALS, { region: 'us-east-1', service: 'S3 ' })).toThrow(/service must look like s3/)
  })
})

// ---- Against the independent `aws4` package, on random requests ----

const NOT_SIGNED_BY_EITHER = new Set([
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
const ADDED_BY_SIGNER = new Set(['host', 'x-amz-date', 'x-amz-security-token', 'x-amz-content-sha256', 'content-length', 'content-type'])
const ODD = [...'aZ09-._~ !"#$%&\'()*+,/:;<=>?@[\\]^`{|}', 'é', 'ሴ', '😀', '%41', '%2F']
const oddString = (maxLength: number) => fc.array(fc.constantFrom(...ODD), { maxLength }).map((a) => a.join(''))

const requestArb = fc.record({
  service: fc.constantFrom('s3', 'sqs', 'execute-api', 'service'),
  region: fc.constantFrom('us-east-1', 'eu-west-1', 'ap-southeast-2'),
  method: fc.constantFrom('GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'),
  segments: fc.array(oddString(6), { maxLength: 5 }),
  trailingSlash: fc.boolean(),
  query: fc.array(
    fc.tuple(
      oddString(5).filter((k) => k !== ''),
      oddString(6),
    ),
    { maxLength: 5 },
  ),
  headers: fc.dictionary(
    fc.stringMatching(/^[a-z][a-z0-9-]{0,12}$/).filter((n) => !NOT_SIGNED_BY_EITHER.has(n) && !ADDED_BY_SIGNER.has(n) && n !== '__proto__'),
    fc.stringMatching(/^[ -~]{0,20}$/),
    { maxKeys: 4 },
  ),
  contentType: fc.option(fc.constantFrom('application/json', 'application/x-www-form-urlencoded', 'text/plain; charset=utf-8')),
  body: fc.option(fc.string({ unit: 'grapheme', maxLength: 40 })),
  sessionToken: fc.option(fc.stringMatching(/^[A-Za-z0-9+/=]{16,64}$/)),
  unsignedPayload: fc.boolean(),
  now: fc.date({ min: new Date('2013-01-01T00:00:00Z'), max: new Date('2037-12-31T23:59:59Z'), noInvalidDate: true }),
})

describe('against the aws4 package', () => {
  it('gives the same Authorization header on random requests', () => {
    fc.assert(
      fc.property(requestArb, (r) => {
        const url = new URL(`https://example.amazonaws.com/${r.segments.map(encodeURIComponent).join('/')}${r.trailingSlash ? '/' : ''}`)
        // aws4 signs only the first value of a repeated S3 query parameter: keep names unique there.
        const query = r.service === 's3' ? [...new Map(r.query).entries()] : r.query
        for (const [k, v] of query) url.searchParams.append(k, v)
        const body = r.method === 'GET' || r.method === 'HEAD' ? undefined : (r.body ?? undefined)
        const amzDate = r.now.toISOString().replace(/[-:]|\.\d{3}/g, '')
        const headers: Record<string, string> = { ...r.headers }
        if (r.contentType !== null) headers['content-type'] = r.contentType
        const theirs: Record<string, string | number> = { ...headers, 'X-Amz-Date': amzDate }
        if (r.unsignedPayload) theirs['X-Amz-Content-Sha256'] = 'UNSIGNED-PAYLOAD'
        const signed = aws4.sign(
          { host: url.host, method: r.method, path: url.pathname + url.search, headers: theirs, body, service: r.service, region: r.region },
          { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY', ...(r.sessionToken ? { sessionToken: r.sessionToken } : {}) },
        )
        // What aws4 added to the request that is sent (Content-Type, Content-Length) is sent by us too.
        const sent = { ...headers }
        for (const [k, v] of Object.entries(signed.headers ?? {})) {
          if (/^(content-type|content-length)$/i.test(k)) sent[k] = String(v)
        }
        const ours = signAwsSigV4(
          { method: r.method, url, headers: sent, ...(body !== undefined ? { body } : {}) },
          { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY', ...(r.sessionToken ? { sessionToken: r.sessionToken } : {}) },
          { region: r.region, service: r.service, now: r.now, unsignedPayload: r.unsignedPayload },
        )
        expect(ours['authorization']).toBe(signed.headers?.['Authorization'])
      }),
      { numRuns: 500 },
    )
  })
})
