import { mkdtemp, readFile, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { call, seenResponses, startTestHub, type TestHub } from '../support/test-hub.js'
import { startUpstream, type Upstream } from '../support/upstream.js'

// A definition for a stand-in service on 127.0.0.1, with each key-based scheme applied a different way.
function echoDefinition(baseUrl: string) {
  return {
    id: 'echo',
    name: 'Echo',
    description: 'A stand-in service that records what it receives.',
    baseUrl: `${baseUrl}/{tenant_slug}`,
    headers: { 'User-Agent': 'Patchbay-test' },
    auth: {
      BEARER_TOKEN: {
        inputs: [
          { name: 'tenant_slug', displayName: 'Tenant', description: 'Path prefix', required: false, default: 't1' },
          { name: 'token', displayName: 'Token', description: 'Bearer token', secret: true },
        ],
        apply: { headers: { Authorization: 'Bearer {token}' } },
      },
      API_KEY: {
        inputs: [
          { name: 'tenant_slug', displayName: 'Tenant', description: 'Path prefix', required: false, default: 't1' },
          { name: 'api_key', displayName: 'API key', description: 'Key', secret: true },
        ],
        apply: { headers: { 'X-Api-Key': '{api_key}' }, query: { key: '{api_key}' } },
      },
      BASIC: {
        inputs: [
          { name: 'tenant_slug', displayName: 'Tenant', description: 'Path prefix', required: false, default: 't1' },
          { name: 'username', displayName: 'User', description: 'User name' },
          { name: 'password', displayName: 'Password', description: 'Password', secret: true },
        ],
        apply: { basic: { username: '{username}', password: '{password}' } },
      },
      NO_AUTH: { inputs: [{ name: 'tenant_slug', displayName: 'Tenant', description: 'Path prefix', required: false, default: 't1' }] },
    },
    actions: [
      {
        code: 'ECHO_GET_ITEM',
        name: 'Get item',
        description: 'Get one item by id, with optional fields filter.',
        input: {
          type: 'object',
          required: ['item_id'],
          properties: { item_id: { type: 'string' }, fields: { type: 'array', items: { type: 'string' } }, limit: { type: 'integer', minimum: 1 } },
          additionalProperties: false,
        },
        request: { method: 'GET', path: '/items/{item_id}', query: { fields: '{fields}', limit: '{limit}' } },
      },
      {
        code: 'ECHO_CREATE_ITEM',
        name: 'Create item',
        description: 'Create an item from a JSON body.',
        input: {
          type: 'object',
          required: ['title'],
          properties: { title: { type: 'string' }, tags: { type: 'array', items: { type: 'string' } }, meta: { type: 'object' } },
        },
        request: { method: 'POST', path: '/items', body: { encoding: 'json' } },
      },
      {
        code: 'ECHO_FORM_POST',
        name: 'Form post',
        description: 'Post form-encoded fields, with nested metadata.',
        input: { type: 'object', required: ['to'], properties: { to: { type: 'string' }, metadata: { type: 'object' } } },
        request: { method: 'POST', path: '/forms', body: { encoding: 'form' } },
      },
      {
        code: 'ECHO_FAIL',
        name: 'Fail',
        description: 'Calls a path the service answers with an error.',
        input: { type: 'object', properties: {} },
        request: { method: 'GET', path: '/fail' },
      },
    ],
  }
}

let upstream: Upstream
let hub: TestHub
const ECHO = 'patchbay/echo'

beforeAll(async () => {
  upstream = await startUpstream((r) => {
    if (r.path.endsWith('/fail')) return { status: 404, body: { message: `no such thing; you sent ${r.headers.authorization ?? ''}` } }
    return undefined
  })
  const dir = await mkdtemp(join(tmpdir(), 'patchbay-defs-'))
  await writeFile(join(dir, 'echo.json'), JSON.stringify(echoDefinition(upstream.url)))
  hub = await startTestHub({ catalogDirs: [dir] })
})
afterAll(async () => {
  await hub?.close()
  await upstream?.close()
})

async function connect(body: Record<string, unknown>) {
  const r = await call(hub, 'POST', `/api/v2/execute/${encodeURIComponent(ECHO)}`, body)
  return r
}

async function run(id: string, action: string, data: unknown) {
  upstream.received.length = 0
  const r = await call(hub, 'POST', `/api/v2/execute/${id}`, { action, data })
  return { ...r, got: upstream.received[0] }
}

describe('each key-based scheme reaches the service with exactly its credentials', () => {
  it('BEARER_TOKEN sends Authorization: Bearer <token>', async () => {
    const c = await connect({ name: 'b1', description: null, authScheme: 'BEARER_TOKEN', data: { token: 'tok-bearer-AAAA1111' } })
    expect(c.status).toBe(200)
    expect(c.body).toMatchObject({ status: 'SUCCESS', completed: true, data: { id: expect.stringMatching(/^[0-9a-f]{24}$/) } })
    const r = await run(c.body.data.id, 'ECHO_GET_ITEM', { item_id: 'a/b c', fields: ['x', 'y'], limit: 5 })
    expect(r.body).toMatchObject({ status: 'SUCCESS', completed: true, data: { ok: true } })
    expect(r.got?.method).toBe('GET')
    expect(r.got?.path).toBe('/t1/items/a%2Fb%20c')
    expect(r.got?.query.get('fields')).toBe('x,y')
    expect(r.got?.query.get('limit')).toBe('5')
    expect(r.got?.headers.authorization).toBe('Bearer tok-bearer-AAAA1111')
    expect(r.got?.headers['user-agent']).toBe('Patchbay-test')
  })

  it('API_KEY is applied as the definition says: header and query', async () => {
    const c = await connect({ name: 'k1', authScheme: 'API_KEY', data: { api_key: 'key-BBBB2222', tenant_slug: 'acme' } })
    const r = await run(c.body.data.id, 'ECHO_CREATE_ITEM', { title: 'hello', tags: ['a'], meta: { n: 1 } })
    expect(r.body.status).toBe('SUCCESS')
    expect(r.got?.path).toBe('/acme/items')
    expect(r.got?.headers['x-api-key']).toBe('key-BBBB2222')
    expect(r.got?.query.get('key')).toBe('key-BBBB2222')
    expect(r.got?.headers.authorization).toBeUndefined()
    expect(r.got?.headers['content-type']).toBe('application/json')
    expect(JSON.parse(r.got?.body ?? '')).toEqual({ title: 'hello', tags: ['a'], meta: { n: 1 } })
  })

  it('BASIC sends RFC 7617 credentials', async () => {
    const c = await connect({ name: 'basic1', authScheme: 'BASIC', data: { username: 'ada', password: 'pw-CCCC3333:colon' } })
    const r = await run(c.body.data.id, 'ECHO_FORM_POST', { to: '+15551234', metadata: { order: '42' } })
    expect(r.body.status).toBe('SUCCESS')
    expect(r.got?.headers.authorization).toBe(`Basic ${Buffer.from('ada:pw-CCCC3333:colon').toString('base64')}`)
    expect(r.got?.headers['content-type']).toBe('application/x-www-form-urlencoded')
    expect(new URLSearchParams(r.got?.body).get('metadata[order]')).toBe('42')
    expect(new URLSearchParams(r.got?.body).get('to')).toBe('+15551234')
  })

  it('NO_AUTH sends no credentials', async () => {
    const c = await connect({ name: 'none1', authScheme: 'NO_AUTH', data: {} })
    const r = await run(c.body.data.id, 'ECHO_GET_ITEM', { item_id: '1' })
    expect(r.body.status).toBe('SUCCESS')
    expect(r.got?.headers.authorization).toBeUndefined()
    expect(r.got?.headers['x-api-key']).toBeUndefined()
    expect([...(r.got?.query.keys() ?? [])]).toEqual([])
  })

  it('an upstream non-2xx is a FAILED response with the status and a redacted excerpt', async () => {
    const c = await connect({ name: 'b-fail', authScheme: 'BEARER_TOKEN', data: { token: 'tok-echoed-DDDD4444' } })
    const r = await run(c.body.data.id, 'ECHO_FAIL', {})
    expect(r.status).toBe(200)
    expect(r.body).toMatchObject({ status: 'FAILED', completed: true, data: { upstreamStatus: 404 } })
    expect(r.body.error_message).toContain('HTTP 404')
    expect(r.body.supplierError).toContain('no such thing')
    expect(r.text).not.toContain('tok-echoed-DDDD4444')
    expect(r.text).toContain('[REDACTED]')
  })

  it('an unreachable service is a FAILED response naming only the origin', async () => {
    const dead = await startUpstream()
    const deadUrl = dead.url
    await dead.close()
    const dir = await mkdtemp(join(tmpdir(), 'patchbay-defs-'))
    const def = echoDefinition(deadUrl)
    await writeFile(join(dir, 'dead.json'), JSON.stringify({ ...def, id: 'dead', name: 'Dead' }))
    const h = await startTestHub({ catalogDirs: [dir] })
    try {
      const c = await call(h, 'POST', '/api/v2/execute/patchbay%2Fdead', { authScheme: 'API_KEY', data: { api_key: 'key-EEEE5555' } })
      const r = await call(h, 'POST', `/api/v2/execute/${c.body.data.id}`, { action: 'ECHO_GET_ITEM', data: { item_id: '1' } })
      expect(r.body).toMatchObject({ status: 'FAILED', completed: true, code: 'UPSTREAM_UNREACHABLE' })
      expect(r.body.error_message).toContain('refused')
      expect(r.text).not.toContain('key-EEEE5555')
    } finally {
      await h.close()
    }
  })
})

describe('the wire protocol around a connection', () => {
  it('connection record, LIST_ACTIONS (v1 " " data), LIST_INPUTS, delete, then 404', async () => {
    const c = await connect({ name: 'lifecycle', description: 'mine', authScheme: 'BEARER_TOKEN', data: { token: 'tok-FFFF6666' } })
    const id = c.body.data.id as string
    const rec = await call(hub, 'GET', `/sdk/models/${id}`, undefined, { 'x-api-key': '', authorization: `Token ${hub.key}` })
    expect(rec.status).toBe(200)
    expect(rec.body).toMatchObject({
      id,
      name: 'lifecycle',
      functionType: 'connection',
      description: 'mine\n\n Authentication scheme used for this connections: BEARER_TOKEN',
      parentModelId: expect.stringMatching(/^[0-9a-f]{24}$/),
      function: { id: 'utilities' },
      version: { id: 'echo' },
      connectionStatus: 'ACTIVE',
    })
    expect(rec.body.params.map((p: { name: string }) => p.name)).toEqual(['action', 'data'])
    expect(Array.isArray(rec.body.attributes)).toBe(true)

    const actions = await call(hub, 'POST', `/api/v2/execute/${id}`, { action: 'LIST_ACTIONS', data: ' ' })
    expect(actions.body.status).toBe('SUCCESS')
    expect(actions.body.data.map((a: { name: string }) => a.name)).toEqual(['ECHO_GET_ITEM', 'ECHO_CREATE_ITEM', 'ECHO_FORM_POST', 'ECHO_FAIL', 'REQUEST'])
    expect(actions.body.data[0]).toMatchObject({ displayName: 'Get item', description: expect.any(String) })

    const inputs = await call(hub, 'POST', `/api/v2/execute/${id}`, { action: 'LIST_INPUTS', data: { actions: ['echo_get_item'] } })
    expect(inputs.body.data).toHaveLength(1)
    expect(inputs.body.data[0].name).toBe('ECHO_GET_ITEM')
    const itemId = inputs.body.data[0].inputs.find((i: { code: string }) => i.code === 'item_id')
    expect(itemId).toMatchObject({ name: 'item_id', code: 'item_id', datatype: 'string', required: true, defaultValue: [], value: [] })

    const del = await call(hub, 'DELETE', `/sdk/models/${id}`, undefined, { 'x-api-key': '', authorization: `Token ${hub.key}` })
    expect(del.status).toBe(200)
    expect((await call(hub, 'GET', `/sdk/models/${id}`)).status).toBe(404)
    expect((await call(hub, 'POST', `/api/v2/execute/${id}`, { action: 'ECHO_GET_ITEM', data: { item_id: '1' } })).status).toBe(404)
  })

  it('LIST_ACTIONS and LIST_INPUTS also work on the unconnected integration', async () => {
    const a = await call(hub, 'POST', `/api/v2/execute/${encodeURIComponent(ECHO)}`, { action: 'LIST_ACTIONS', data: {} })
    // Its four actions plus the shared REQUEST proxy action.
    expect(a.body.data).toHaveLength(5)
    const i = await call(hub, 'POST', `/api/v2/execute/${encodeURIComponent(ECHO)}`, { action: 'LIST_INPUTS', data: { actions: [] } })
    expect(i.body.data).toHaveLength(5)
  })

  it('v1 execute path answers action runs asynchronously with a poll URL that completes', async () => {
    const c = await connect({ name: 'async1', authScheme: 'NO_AUTH', data: {} })
    const ack = await call(hub, 'POST', `/api/v1/execute/${c.body.data.id}`, { action: 'ECHO_GET_ITEM', data: { item_id: '9' } })
    expect(ack.body).toMatchObject({ status: 'IN_PROGRESS', completed: false })
    expect(ack.body.data).toMatch(new RegExp(`^${hub.url}/api/v1/data/[0-9a-f-]{36}$`))
    let poll: { body: any } = { body: { completed: false } }
    for (let i = 0; i < 50 && !poll.body.completed; i++) {
      poll = await call(hub, 'GET', new URL(ack.body.data).pathname)
      if (!poll.body.completed) await new Promise((r) => setTimeout(r, 20))
    }
    expect(poll.body).toMatchObject({ completed: true, status: 'SUCCESS', data: { ok: true, path: '/t1/items/9' } })
  })

  it('paginate finds integrations by name and pages', async () => {
    const r = await call(hub, 'POST', '/sdk/models/paginate', { q: 'Echo', pageNumber: 0, pageSize: 20, functions: ['connector'] })
    expect(r.status).toBe(200)
    expect(r.body.items.map((x: { name: string }) => x.name)).toContain('Echo')
    expect(r.body.items.every((x: { functionType: string }) => x.functionType === 'connector')).toBe(true)
    const all = await call(hub, 'POST', '/sdk/models/paginate', { pageNumber: 0, pageSize: 2, functions: ['connector'] })
    expect(all.body.items).toHaveLength(2)
    expect(all.body.total).toBeGreaterThan(2)
  })
})

describe('bad input gets a clear error and writes nothing', () => {
  it('unknown id, malformed JSON, unsupported scheme, missing input, oversized body, duplicate name', async () => {
    const countBefore = (await call(hub, 'POST', '/sdk/models/paginate', { functions: ['connection'] })).body.total
    const unknown = await call(hub, 'GET', '/sdk/models/0123456789abcdef01234567')
    expect(unknown.status).toBe(404)
    expect(unknown.body).toMatchObject({ statusCode: 404, code: 'NOT_FOUND' })

    const bad = await call(hub, 'POST', `/api/v2/execute/${encodeURIComponent(ECHO)}`, '{"name": ')
    expect(bad.status).toBe(400)
    expect(bad.body.code).toBe('INVALID_JSON')

    const scheme = await connect({ name: 'x', authScheme: 'OAUTH1', data: {} })
    expect(scheme.status).toBe(400)
    expect(scheme.body.message).toContain('Supported authentication methods: ["BEARER_TOKEN","API_KEY","BASIC","NO_AUTH"]')

    const missing = await connect({ name: 'x', authScheme: 'BASIC', data: { username: 'u' } })
    expect(missing.status).toBe(400)
    expect(missing.body.message).toContain("Parameter 'password' is required for Echo BASIC authentication")

    const several = await connect({ name: 'x', authScheme: 'BASIC', data: {} })
    expect(several.body.message).toContain('Parameters ["username","password"] are required')

    const big = await connect({ name: 'x', authScheme: 'BEARER_TOKEN', data: { token: 'y'.repeat(2 * 1024 * 1024) } })
    expect(big.status).toBe(413)
    expect(big.body.code).toBe('PAYLOAD_TOO_LARGE')

    const ok = await connect({ name: 'dup', authScheme: 'NO_AUTH', data: {} })
    expect(ok.status).toBe(200)
    const dup = await connect({ name: 'dup', authScheme: 'NO_AUTH', data: {} })
    expect(dup.status).toBe(409)
    expect(dup.body.supplierError).toBe('Name already exists')

    const badInput = await run(ok.body.data.id, 'ECHO_GET_ITEM', { item_id: 5, extra: true })
    expect(badInput.status).toBe(400)
    expect(badInput.body.message).toContain("'item_id' must be string")
    expect(badInput.body.message).toContain("'extra' is not an input of this action")
    expect(badInput.got).toBeUndefined()

    const unknownAction = await run(ok.body.data.id, 'ECHO_NOPE', {})
    expect(unknownAction.status).toBe(400)
    expect(unknownAction.body.message).toContain('Available actions')

    const countAfter = (await call(hub, 'POST', '/sdk/models/paginate', { functions: ['connection'] })).body.total
    expect(countAfter).toBe(countBefore + 1)
  })

  it('requests without a valid key are refused', async () => {
    expect((await call({ url: hub.url, key: '' }, 'GET', `/sdk/models/${encodeURIComponent(ECHO)}`)).status).toBe(401)
    const wrong = await call({ url: hub.url, key: 'pb_wrong' }, 'GET', `/sdk/models/${encodeURIComponent(ECHO)}`)
    expect(wrong.status).toBe(401)
    expect(wrong.body.message).toContain('Unknown API key')
  })
})

describe('tenants and secrets', () => {
  it("another tenant's connection answers 404 exactly like an unknown id", async () => {
    const c = await connect({ name: 'private', authScheme: 'BEARER_TOKEN', data: { token: 'tok-GGGG7777' } })
    const other = { url: hub.url, key: await hub.newKey() }
    const id = c.body.data.id
    const a = await call(other, 'GET', `/sdk/models/${id}`)
    const b = await call(other, 'GET', '/sdk/models/0123456789abcdef01234567')
    expect(a.status).toBe(404)
    expect(b.status).toBe(404)
    expect(a.body.message.replace(id, 'ID')).toBe(b.body.message.replace('0123456789abcdef01234567', 'ID'))
    expect((await call(other, 'POST', `/api/v2/execute/${id}`, { action: 'ECHO_GET_ITEM', data: { item_id: '1' } })).status).toBe(404)
    expect((await call(other, 'DELETE', `/sdk/models/${id}`)).status).toBe(404)
    const list = await call(other, 'POST', '/sdk/models/paginate', { functions: ['connection'] })
    expect(list.body.items.map((x: { id: string }) => x.id)).not.toContain(id)
    expect((await call(hub, 'GET', `/sdk/models/${id}`)).status).toBe(200)
  })

  it('no secret used in this suite is in the database file, a response or a log line', async () => {
    const secrets = ['tok-bearer-AAAA1111', 'key-BBBB2222', 'pw-CCCC3333', 'tok-echoed-DDDD4444', 'tok-FFFF6666', 'tok-GGGG7777', hub.key]
    await hub.hub.store.db.destroy().catch(() => {})
    const files = ['', '-wal', '-shm'].map((s) => `${hub.dbFile}${s}`)
    const blobs = await Promise.all(files.map((f) => readFile(f).catch(() => Buffer.alloc(0))))
    const db = Buffer.concat(blobs).toString('latin1')
    expect(db.length).toBeGreaterThan(1000)
    for (const s of secrets) {
      expect(db).not.toContain(s)
      expect(db).not.toContain(Buffer.from(s).toString('base64'))
    }
    const responses = seenResponses.join('\n')
    expect(responses.length).toBeGreaterThan(1000)
    for (const s of secrets) expect(responses).not.toContain(s)
    const logs = hub.logs.join('\n')
    expect(logs.length).toBeGreaterThan(0)
    for (const s of secrets) expect(logs).not.toContain(s)
    // Reopen is not needed: afterAll closes the hub (its store is already closed).
  })
})
