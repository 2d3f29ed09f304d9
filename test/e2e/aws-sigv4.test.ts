import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { BUILT_IN_CATALOG_DIR } from '@patchbay/hub'
import { startS3StandIn, type S3StandIn } from '../support/aws-sigv4-server.js'
import { call, startTestHub, type TestHub } from '../support/test-hub.js'

// The built-in Amazon S3 definition, unchanged but for its base URL, against a stand-in S3 that
// recomputes every SigV4 signature with the independent aws4 package.
const KEY = { accessKeyId: 'AKIAPATCHBAYTEST0001', secretAccessKey: 'sEcReT/aws+KEY0000000000000000000000000001' }
const TEMP = { accessKeyId: 'ASIAPATCHBAYTEST0002', secretAccessKey: 'sEcReT/temp+KEY000000000000000000000000002', sessionToken: 'IQoJb3JpZ2luX2VjEPatchbay//token==' }

let s3: S3StandIn
let hub: TestHub
let dir: string

beforeAll(async () => {
  s3 = await startS3StandIn([KEY, TEMP], 'eu-west-1')
  s3.buckets.set('my-bucket', new Map())
  dir = await mkdtemp(join(tmpdir(), 'patchbay-s3-'))
  const yaml = await readFile(join(BUILT_IN_CATALOG_DIR, 'amazon-s3.yaml'), 'utf8')
  expect(yaml).toMatch(/^baseUrl: https:\/\/s3\.\{region\}\.amazonaws\.com$/m)
  await writeFile(join(dir, 'amazon-s3.yaml'), yaml.replace(/^baseUrl: .*$/m, `baseUrl: ${s3.url}`))
  hub = await startTestHub({ catalogDirs: [dir] })
})
afterAll(async () => {
  await hub?.close()
  await s3?.close()
  if (dir) await rm(dir, { recursive: true, force: true })
})

let connections = 0
async function connect(data: Record<string, string>): Promise<string> {
  const name = `S3 ${++connections}`
  const r = await call(hub, 'POST', `/api/v2/execute/${encodeURIComponent('patchbay/amazon-s3')}`, { name, authScheme: 'API_KEY', data })
  expect(r.body).toMatchObject({ status: 'SUCCESS' })
  return r.body.data.id as string
}

async function run(id: string, action: string, data: unknown) {
  const before = s3.received.length
  const r = await call(hub, 'POST', `/api/v2/execute/${id}`, { action, data })
  return { ...r, got: s3.received.slice(before) }
}

describe('Amazon S3 over AWS SigV4, end to end', () => {
  it('runs put, list buckets, list objects, get and delete with a long-term key', async () => {
    const id = await connect({ region: 'eu-west-1', access_key_id: KEY.accessKeyId, secret_access_key: KEY.secretAccessKey })
    const key = 'reports/2024/a b+c (1).txt'

    const put = await run(id, 'AMAZON_S3_PUT_OBJECT', { bucket: 'my-bucket', key, content: 'héllo, S3', content_type: 'text/plain; charset=utf-8' })
    expect(put.body).toMatchObject({ status: 'SUCCESS', completed: true })
    expect(put.got.map((g) => g.verdict)).toEqual(['ok'])
    expect(put.got[0]?.url).toBe('/my-bucket/reports%2F2024%2Fa%20b%2Bc%20(1).txt')
    expect(put.got[0]?.headers['authorization']).toMatch(
      /^AWS4-HMAC-SHA256 Credential=AKIAPATCHBAYTEST0001\/\d{8}\/eu-west-1\/s3\/aws4_request, SignedHeaders=content-type;host;x-amz-content-sha256;x-amz-date, Signature=[0-9a-f]{64}$/,
    )
    expect(s3.buckets.get('my-bucket')?.get(key)).toEqual({ body: 'héllo, S3', contentType: 'text/plain; charset=utf-8' })

    const buckets = await run(id, 'AMAZON_S3_LIST_BUCKETS', { prefix: 'my-' })
    expect(buckets.body.status).toBe('SUCCESS')
    expect(buckets.body.data).toContain('<Name>my-bucket</Name>')
    expect(buckets.got[0]?.url).toBe('/?prefix=my-')

    const list = await run(id, 'AMAZON_S3_LIST_OBJECTS', { bucket: 'my-bucket', prefix: 'reports/', max_keys: 10 })
    expect(list.body.status).toBe('SUCCESS')
    expect(list.body.data).toContain(`<Key>${key}</Key>`)
    expect(list.got[0]?.url).toBe('/my-bucket?list-type=2&prefix=reports%2F&max-keys=10')

    const get = await run(id, 'AMAZON_S3_GET_OBJECT', { bucket: 'my-bucket', key })
    expect(get.body).toMatchObject({ status: 'SUCCESS', data: 'héllo, S3' })

    const del = await run(id, 'AMAZON_S3_DELETE_OBJECT', { bucket: 'my-bucket', key })
    expect(del.body.status).toBe('SUCCESS')
    expect(s3.buckets.get('my-bucket')?.has(key)).toBe(false)

    const gone = await run(id, 'AMAZON_S3_GET_OBJECT', { bucket: 'my-bucket', key })
    expect(gone.body).toMatchObject({ status: 'FAILED', data: { upstreamStatus: 404 } })
    expect(gone.body.supplierError).toContain('NoSuchKey')
  })

  it('signs the session token of temporary credentials', async () => {
    const id = await connect({ region: 'eu-west-1', access_key_id: TEMP.accessKeyId, secret_access_key: TEMP.secretAccessKey, session_token: TEMP.sessionToken })
    const r = await run(id, 'AMAZON_S3_LIST_BUCKETS', {})
    expect(r.body.status).toBe('SUCCESS')
    expect(r.got[0]?.headers['x-amz-security-token']).toBe(TEMP.sessionToken)
    expect(r.got[0]?.headers['authorization']).toContain('SignedHeaders=host;x-amz-content-sha256;x-amz-date;x-amz-security-token,')
    expect(r.text).not.toContain(TEMP.sessionToken)
  })

  it('a wrong secret is a FAILED run with the service’s 403 SignatureDoesNotMatch, and no secret in it', async () => {
    const id = await connect({ region: 'eu-west-1', access_key_id: KEY.accessKeyId, secret_access_key: 'wrong/secret+0000000000000000000000000000' })
    const r = await run(id, 'AMAZON_S3_LIST_OBJECTS', { bucket: 'my-bucket' })
    expect(r.status).toBe(200)
    expect(r.body).toMatchObject({ status: 'FAILED', completed: true, data: { upstreamStatus: 403 } })
    expect(r.body.supplierError).toContain('SignatureDoesNotMatch')
    expect(r.got.map((g) => g.verdict)).toEqual(['SignatureDoesNotMatch'])
    expect(r.text).not.toContain('wrong/secret+0000000000000000000000000000')
  })

  it('temporary credentials without their session token are refused by the service', async () => {
    const id = await connect({ region: 'eu-west-1', access_key_id: TEMP.accessKeyId, secret_access_key: TEMP.secretAccessKey })
    const r = await run(id, 'AMAZON_S3_LIST_BUCKETS', {})
    expect(r.body).toMatchObject({ status: 'FAILED', data: { upstreamStatus: 403 } })
    expect(r.got.map((g) => g.verdict)).toEqual(['InvalidToken'])
  })

  it('a region that is not an AWS name is a 4xx naming it, and nothing is sent', async () => {
    const id = await connect({ region: 'eu-west-1.evil.example/x', access_key_id: KEY.accessKeyId, secret_access_key: KEY.secretAccessKey })
    const r = await run(id, 'AMAZON_S3_LIST_BUCKETS', {})
    expect(r.status).toBe(400)
    expect(r.body).toMatchObject({ statusCode: 400, code: 'VALIDATION' })
    expect(r.body.message).toContain('region must look like us-east-1')
    expect(r.got).toEqual([])
  })
})
