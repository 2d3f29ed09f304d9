import { readFile } from 'node:fs/promises'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createClient, MCPConnection, MCP_INTEGRATION_ID, ResponseStatus } from '@patchbay/sdk'
import { startMcpPeer, type McpPeer } from '../support/mcp-peer.js'
import { call, startTestHub, type TestHub } from '../support/test-hub.js'

const MCP = '686eb9cd26480723d0634d3e'
const TOKEN = 'mcp-secret-token-5f2a9c'

describe('Remote MCP connections against the official SDK server', () => {
  let hub: TestHub
  let peer: McpPeer
  let sseOnly: McpPeer
  let guarded: McpPeer

  beforeAll(async () => {
    ;[hub, peer, sseOnly, guarded] = await Promise.all([startTestHub(), startMcpPeer(), startMcpPeer({ sseOnly: true }), startMcpPeer({ token: TOKEN })])
  })
  afterAll(async () => {
    await Promise.all([hub?.close(), peer?.close(), sseOnly?.close(), guarded?.close()])
  })

  it('connects a URL string (aiXplain v1 body) as an mcpconnection named "MCP Server…"', async () => {
    const res = await call(hub, 'POST', `/api/v2/execute/${MCP}`, { data: peer.mcpUrl })
    expect(res.status).toBe(200)
    expect(res.body).toMatchObject({ status: 'SUCCESS', completed: true })
    const id = res.body.data.id as string
    const record = await call(hub, 'GET', `/sdk/models/${id}`)
    expect(record.body.functionType).toBe('mcpconnection')
    expect(record.body.name).toMatch(/^MCP Server/)
    expect(record.body.parentModelId).toBe(MCP)
  })

  it('lists tools with LIST_TOOLS, LIST_ACTIONS and LIST_INPUTS, and runs one', async () => {
    const { body } = await call(hub, 'POST', `/api/v2/execute/${MCP}`, { data: { url: peer.mcpUrl }, name: 'calc' })
    const id = body.data.id as string
    const tools = await call(hub, 'POST', `/api/v2/execute/${id}`, { action: 'LIST_TOOLS', data: ' ' })
    expect(tools.body.status).toBe('SUCCESS')
    expect(tools.body.data.map((t: { name: string }) => t.name).sort()).toEqual(['add', 'echo_headers', 'fail'])
    const one = await call(hub, 'POST', `/api/v2/execute/${id}`, { action: 'LIST_TOOLS', data: { actions: ['add'] } })
    expect(one.body.data).toHaveLength(1)
    expect(one.body.data[0].inputs.map((i: { code: string }) => i.code).sort()).toEqual(['a', 'b'])
    expect(one.body.data[0].inputs.find((i: { code: string }) => i.code === 'a')).toMatchObject({ datatype: 'number', required: true, description: 'First number' })

    const actions = await call(hub, 'POST', `/api/v2/execute/${id}`, { action: 'LIST_ACTIONS', data: ' ' })
    expect(actions.body.data).toContainEqual({ name: 'add', displayName: 'Add numbers', description: 'Adds two numbers and answers the sum.', slug: 'add' })
    const inputs = await call(hub, 'POST', `/api/v2/execute/${id}`, { action: 'LIST_INPUTS', data: { actions: ['ADD'] } })
    expect(inputs.body.data[0].name).toBe('add')

    const run = await call(hub, 'POST', `/api/v2/execute/${id}`, { action: 'add', data: { a: 2, b: 40 } })
    expect(run.body).toMatchObject({ status: 'SUCCESS', completed: true, data: '42' })
    expect(peer.calls).toContainEqual({ name: 'add', args: { a: 2, b: 40 } })
    const structured = await call(hub, 'POST', `/api/v2/execute/${id}`, { action: 'echo_headers', data: { name: 'ada' } })
    expect(structured.body.data).toEqual({ greeting: 'hello ada' })
  })

  it("answers a tool's error as FAILED with the tool's message, and bad arguments the same way", async () => {
    const { body } = await call(hub, 'POST', `/api/v2/execute/${MCP}`, { data: { url: peer.mcpUrl }, name: 'failing' })
    const id = body.data.id as string
    const failed = await call(hub, 'POST', `/api/v2/execute/${id}`, { action: 'fail', data: { reason: 'disk full' } })
    expect(failed.status).toBe(200)
    expect(failed.body).toMatchObject({ status: 'FAILED', completed: true })
    expect(failed.body.error_message).toContain('it failed: disk full')
    const bad = await call(hub, 'POST', `/api/v2/execute/${id}`, { action: 'add', data: { a: 'two' } })
    expect(bad.body.status).toBe('FAILED')
    expect(bad.body.error_message).toMatch(/add/)
    const unknown = await call(hub, 'POST', `/api/v2/execute/${id}`, { action: 'nope', data: {} })
    expect(unknown.status).toBe(400)
    expect(unknown.body.message).toContain('Available actions')
  })

  it('falls back to the SSE transport for an SSE-only server', async () => {
    const { body } = await call(hub, 'POST', `/api/v2/execute/${MCP}`, { data: { url: sseOnly.sseUrl }, name: 'legacy' })
    const id = body.data.id as string
    const run = await call(hub, 'POST', `/api/v2/execute/${id}`, { action: 'add', data: { a: 1, b: 2 } })
    expect(run.body).toMatchObject({ status: 'SUCCESS', data: '3' })
    expect(sseOnly.calls).toContainEqual({ name: 'add', args: { a: 1, b: 2 } })
  })

  it('sends the bearer token and custom headers, and stores them encrypted', async () => {
    const refused = await call(hub, 'POST', `/api/v2/execute/${MCP}`, { data: { url: guarded.mcpUrl }, name: 'no-token' })
    // 401 from the server: the caller's input to fix, not a retryable 504 (issue 11 item 16).
    expect(refused.status).toBe(400)
    expect(refused.body.message).toContain('refused the request: it needs a token')
    const { body, text } = await call(hub, 'POST', `/api/v2/execute/${MCP}`, {
      data: { url: guarded.mcpUrl, token: TOKEN, headers: { 'X-Tenant': 'header-secret-77aa' } },
      name: 'with-token',
    })
    expect(body.status).toBe('SUCCESS')
    expect(text).not.toContain(TOKEN)
    const run = await call(hub, 'POST', `/api/v2/execute/${body.data.id}`, { action: 'add', data: { a: 5, b: 5 } })
    expect(run.body.data).toBe('10')
    expect(guarded.headers.some((h) => h['authorization'] === `Bearer ${TOKEN}` && h['x-tenant'] === 'header-secret-77aa')).toBe(true)
    const record = await call(hub, 'GET', `/sdk/models/${body.data.id}`)
    expect(record.text).not.toContain(TOKEN)
    expect(record.text).not.toContain('header-secret-77aa')
    const db = await readFile(hub.dbFile)
    expect(db.includes(Buffer.from(TOKEN))).toBe(false)
    expect(db.includes(Buffer.from('header-secret-77aa'))).toBe(false)
    expect(hub.logs.join('')).not.toContain(TOKEN)
  })

  it('gives a clear error at connect time for an unreachable server and for bad data', async () => {
    const down = await call(hub, 'POST', `/api/v2/execute/${MCP}`, { data: 'http://127.0.0.1:9/mcp' })
    expect(down.status).toBe(504)
    expect(down.body.message).toMatch(/Could not connect to the MCP server at http:\/\/127\.0\.0\.1:9\/mcp/)
    const empty = await call(hub, 'POST', `/api/v2/execute/${MCP}`, { data: {} })
    expect(empty.status).toBe(400)
    expect(empty.body.message).toContain("'url' is required")
    const notUrl = await call(hub, 'POST', `/api/v2/execute/${MCP}`, { data: 'not a url' })
    expect(notUrl.status).toBe(400)
    expect(notUrl.body.message).toContain('not an absolute URL')
    const badHeader = await call(hub, 'POST', `/api/v2/execute/${MCP}`, { data: { url: peer.mcpUrl, headers: { 'Bad Header': 'x' } } })
    expect(badHeader.status).toBe(400)
    const list = await call(hub, 'POST', '/sdk/models/paginate', { functions: ['connection'], pageSize: 100 })
    expect(list.body.items.filter((i: { name: string }) => i.name === 'no-token')).toHaveLength(0)
  })

  it("works through the SDK's Integration.connect (MCP special case) and MCPConnection", async () => {
    const client = createClient({ apiKey: hub.key, backendUrl: hub.url, modelsRunUrl: `${hub.url}/api/v1/execute` })
    const mcp = await client.IntegrationFactory.get(MCP_INTEGRATION_ID)
    const res = await mcp.connect(undefined, { data: { url: peer.mcpUrl } })
    expect(res.status).toBe(ResponseStatus.SUCCESS)
    const server = await client.ModelFactory.get((res.data as { id: string }).id)
    expect(server).toBeInstanceOf(MCPConnection)
    const conn = server as MCPConnection
    expect(conn.actions.map((a) => a.code).sort()).toEqual(['add', 'echo_headers', 'fail'])
    const inputs = await conn.getActionInputs('add')
    expect(Object.keys(inputs ?? {}).sort()).toEqual(['a', 'b'])
    const out = await conn.run('add', { a: 20, b: 22 })
    expect(out.status).toBe(ResponseStatus.SUCCESS)
    expect(out.data).toBe('42')
    const failed = await conn.run('fail', { reason: 'x' })
    expect(failed.status).toBe(ResponseStatus.FAILED)
    expect(failed.errorMessage).toContain('it failed: x')
    await conn.delete()
    expect((await call(hub, 'GET', `/sdk/models/${conn.id}`)).status).toBe(404)
  })
})

describe('SSRF guard on MCP server URLs', () => {
  let hub: TestHub
  let peer: McpPeer
  beforeAll(async () => {
    ;[hub, peer] = await Promise.all([startTestHub({ allowPrivateNetwork: false }), startMcpPeer()])
  })
  afterAll(async () => {
    await Promise.all([hub?.close(), peer?.close()])
  })

  it.each([
    ['loopback IPv4', (p: McpPeer) => p.mcpUrl],
    ['localhost name', (p: McpPeer) => p.mcpUrl.replace('127.0.0.1', 'localhost')],
    ['loopback IPv6', () => 'http://[::1]:9/mcp'],
    ['IPv4-mapped IPv6', () => 'http://[::ffff:127.0.0.1]:9/mcp'],
    ['private 10/8', () => 'http://10.1.2.3/mcp'],
    ['private 192.168/16', () => 'http://192.168.0.10/mcp'],
    ['link-local metadata', () => 'http://169.254.169.254/latest/meta-data'],
    ['unique-local IPv6', () => 'http://[fd00::1]/mcp'],
    ['unspecified', () => 'http://0.0.0.0:9/mcp'],
  ])('refuses a %s URL by default, without connecting', async (_label, url) => {
    const before = peer.headers.length
    const res = await call(hub, 'POST', `/api/v2/execute/${MCP}`, { data: url(peer) })
    expect(res.status).toBe(400)
    expect(res.body.message).toContain('PATCHBAY_ALLOW_PRIVATE_NETWORK=true')
    expect(peer.headers.length).toBe(before)
  })

  it('refuses non-http schemes and credentials in the URL', async () => {
    expect((await call(hub, 'POST', `/api/v2/execute/${MCP}`, { data: 'file:///etc/passwd' })).body.message).toContain('http or https')
    expect((await call(hub, 'POST', `/api/v2/execute/${MCP}`, { data: 'https://user:pw@example.com/mcp' })).body.message).toContain('not in the URL')
  })
})
