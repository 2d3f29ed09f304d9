import { createHash, timingSafeEqual } from 'node:crypto'
import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import aws4 from 'aws4'

/*
 * A stand-in for Amazon S3 (path-style requests) on 127.0.0.1 that checks every request's
 * Signature Version 4 as S3 does, recomputing it with the independent `aws4` package, never with
 * the hub's signer: an unknown key is 403 InvalidAccessKeyId, a wrong signature 403
 * SignatureDoesNotMatch, a wrong payload hash 400 XAmzContentSHA256Mismatch, a clock more than
 * 15 minutes off 403 RequestTimeTooSkewed. Objects live in memory.
 */

/** A key pair the server accepts, with the session token that must come with it (temporary credentials). */
export interface S3Key {
  accessKeyId: string
  secretAccessKey: string
  sessionToken?: string
}

/** One request the server received, and what it made of its signature. */
export interface S3Received {
  method: string
  url: string
  headers: IncomingHttpHeaders
  body: string
  /** `ok`, or the S3 error code it answered. */
  verdict: string
}

/** The running stand-in. */
export interface S3StandIn {
  url: string
  region: string
  received: S3Received[]
  /** bucket → key → object. */
  buckets: Map<string, Map<string, { body: string; contentType: string }>>
  close(): Promise<void>
}

const AUTH = /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, SignedHeaders=([a-z0-9;-]+), Signature=([0-9a-f]{64})$/

function xml(res: ServerResponse, status: number, body: string): void {
  res.writeHead(status, { 'content-type': 'application/xml' })
  res.end(`<?xml version="1.0" encoding="UTF-8"?>\n${body}`)
}

function s3Error(res: ServerResponse, status: number, code: string, message: string): string {
  xml(res, status, `<Error><Code>${code}</Code><Message>${message}</Message><RequestId>stand-in</RequestId></Error>`)
  return code
}

const escapeXml = (s: string) => s.replace(/[<>&'"]/g, (c) => `&#${c.charCodeAt(0)};`)

/** Recomputes the request's signature with aws4 from the headers it says it signed; `undefined` when it matches. */
function verify(method: string, url: string, headers: IncomingHttpHeaders, body: string, keys: S3Key[], region: string, res: ServerResponse): string | undefined {
  const m = AUTH.exec(String(headers['authorization'] ?? ''))
  if (!m) return s3Error(res, 403, 'AccessDenied', 'Missing or malformed AWS4-HMAC-SHA256 Authorization header')
  const [, keyId, date, scopeRegion, service, signedList, signature] = m as unknown as string[]
  const key = keys.find((k) => k.accessKeyId === keyId)
  if (!key) return s3Error(res, 403, 'InvalidAccessKeyId', 'The AWS Access Key Id you provided does not exist in our records.')
  if (scopeRegion !== region || service !== 's3') {
    return s3Error(res, 400, 'AuthorizationHeaderMalformed', `The authorization header is malformed; the region '${scopeRegion}' is wrong; expecting '${region}'`)
  }
  const amzDate = String(headers['x-amz-date'] ?? '')
  const when = Date.parse(amzDate.replace(/^(\d{4})(\d\d)(\d\d)T(\d\d)(\d\d)(\d\d)Z$/, '$1-$2-$3T$4:$5:$6Z'))
  if (!amzDate.startsWith(date as string) || Number.isNaN(when)) return s3Error(res, 403, 'AccessDenied', 'x-amz-date is missing or does not match the credential scope')
  if (Math.abs(Date.now() - when) > 15 * 60_000) return s3Error(res, 403, 'RequestTimeTooSkewed', 'The difference between the request time and the current time is too large.')
  const contentSha = String(headers['x-amz-content-sha256'] ?? '')
  if (!contentSha) return s3Error(res, 400, 'InvalidRequest', 'Missing required header for this request: x-amz-content-sha256')
  if (contentSha !== 'UNSIGNED-PAYLOAD' && contentSha !== createHash('sha256').update(body, 'utf8').digest('hex')) {
    return s3Error(res, 400, 'XAmzContentSHA256Mismatch', "The provided 'x-amz-content-sha256' header does not match what was computed.")
  }
  const signed = (signedList as string).split(';')
  if (!signed.includes('host') || !signed.includes('x-amz-date') || !signed.includes('x-amz-content-sha256')) {
    return s3Error(res, 403, 'AccessDenied', 'host, x-amz-date and x-amz-content-sha256 must be signed')
  }
  if (key.sessionToken !== undefined && headers['x-amz-security-token'] !== key.sessionToken) {
    return s3Error(res, 403, 'InvalidToken', 'The provided token is malformed or otherwise invalid.')
  }
  if (headers['x-amz-security-token'] !== undefined && !signed.includes('x-amz-security-token')) {
    return s3Error(res, 403, 'AccessDenied', 'x-amz-security-token must be signed')
  }
  const only: Record<string, string> = {}
  for (const h of signed) {
    const v = headers[h]
    if (v === undefined) return s3Error(res, 403, 'AccessDenied', `Signed header ${h} is missing`)
    only[h] = Array.isArray(v) ? v.join(',') : v
  }
  const signer = new aws4.RequestSigner(
    { method, host: only['host'], path: url, headers: only, body, service: 's3', region, doNotModifyHeaders: true },
    { accessKeyId: key.accessKeyId, secretAccessKey: key.secretAccessKey },
  ) as aws4.RequestSigner & { datetime: string; signature(): string }
  signer.datetime = amzDate
  const expected = Buffer.from(signer.signature(), 'utf8')
  const given = Buffer.from(signature as string, 'utf8')
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) {
    return s3Error(res, 403, 'SignatureDoesNotMatch', 'The request signature we calculated does not match the signature you provided. Check your key and signing method.')
  }
  return undefined
}

/** Starts the stand-in S3 on 127.0.0.1 for `keys`, in `region`. */
export async function startS3StandIn(keys: S3Key[], region = 'eu-west-1'): Promise<S3StandIn> {
  const received: S3Received[] = []
  const buckets: S3StandIn['buckets'] = new Map()
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      const method = req.method ?? 'GET'
      const url = req.url ?? '/'
      const body = Buffer.concat(chunks).toString('utf8')
      const record: S3Received = { method, url, headers: req.headers, body, verdict: 'ok' }
      received.push(record)
      const refused = verify(method, url, req.headers, body, keys, region, res)
      if (refused) {
        record.verdict = refused
        return
      }
      const u = new URL(url, 'http://127.0.0.1')
      const slash = u.pathname.indexOf('/', 1)
      const bucket = decodeURIComponent(slash < 0 ? u.pathname.slice(1) : u.pathname.slice(1, slash))
      const key = slash < 0 ? '' : decodeURIComponent(u.pathname.slice(slash + 1))
      if (bucket === '' && method === 'GET') {
        const names = [...buckets.keys()].filter((b) => b.startsWith(u.searchParams.get('prefix') ?? ''))
        return void xml(
          res,
          200,
          `<ListAllMyBucketsResult><Owner><ID>stand-in</ID></Owner><Buckets>${names
            .map((b) => `<Bucket><Name>${escapeXml(b)}</Name><CreationDate>2024-01-01T00:00:00.000Z</CreationDate><BucketRegion>${region}</BucketRegion></Bucket>`)
            .join('')}</Buckets></ListAllMyBucketsResult>`,
        )
      }
      const objects = buckets.get(bucket)
      if (!objects) return void (record.verdict = s3Error(res, 404, 'NoSuchBucket', 'The specified bucket does not exist'))
      if (key === '' && method === 'GET' && u.searchParams.get('list-type') === '2') {
        const prefix = u.searchParams.get('prefix') ?? ''
        const max = Number(u.searchParams.get('max-keys') ?? 1000)
        const found = [...objects.keys()].filter((k) => k.startsWith(prefix)).sort()
        const page = found.slice(0, max)
        return void xml(
          res,
          200,
          `<ListBucketResult><Name>${escapeXml(bucket)}</Name><Prefix>${escapeXml(prefix)}</Prefix><KeyCount>${page.length}</KeyCount><MaxKeys>${max}</MaxKeys><IsTruncated>${found.length > page.length}</IsTruncated>${page
            .map((k) => `<Contents><Key>${escapeXml(k)}</Key><Size>${Buffer.byteLength(objects.get(k)?.body ?? '')}</Size></Contents>`)
            .join('')}</ListBucketResult>`,
        )
      }
      if (key !== '' && method === 'PUT') {
        objects.set(key, { body, contentType: String(req.headers['content-type'] ?? 'binary/octet-stream') })
        res.writeHead(200, { etag: `"${createHash('md5').update(body).digest('hex')}"` })
        return void res.end()
      }
      if (key !== '' && method === 'GET') {
        const o = objects.get(key)
        if (!o) return void (record.verdict = s3Error(res, 404, 'NoSuchKey', 'The specified key does not exist.'))
        res.writeHead(200, { 'content-type': o.contentType })
        return void res.end(o.body)
      }
      if (key !== '' && method === 'DELETE') {
        objects.delete(key)
        res.writeHead(204)
        return void res.end()
      }
      record.verdict = s3Error(res, 405, 'MethodNotAllowed', 'The specified method is not allowed against this resource.')
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    region,
    received,
    buckets,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  }
}
