import { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js'
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createClient, type ConnectionTool } from '@patchbay/sdk'
import { startMcpPeer, type McpPeer } from '../support/mcp-peer.js'
import { call, startTestHub, type TestHub } from '../support/test-hub.js'
import { startUpstream, type Upstream } from '../support/upstream.js'

const NAME = /^[a-zA-Z0-9_-]{1,64}$/

/** A definition for a stand-in service, registered at run time through the admin endpoint. */
function notesDefinition() {
  return {
    id: 'notes',
    name: 'Notes',
    description: 'A stand-in notes service on 127.0.0.1.',
    baseUrl: '{base_url}',
    auth: {
      BEARER_TOKEN: {
        inputs: [
          { name: 'base_url', displayName: 'Base URL', description: 'Where the service is' },
          { name: 'token', displayName: 'Token', description: 'Bearer token', secret: true },
        ],
        apply: { headers: { Authorization: 'Bearer {token}' } },
      },
    },
    actions: [
      {
        code: 'NOTES_CREATE',
        name: 'Create a note',
        description: 'Create a note with a title and an optional list of tags.',
        input: {
          type: 'object',
          required: ['title'],
          additionalProperties: false,
          properties: {
            title: { type: 'string', minLength: 1, description: 'Title of the note' },
            tags: { type: 'array', items: { type: 'string' }, default: [] },
            meta: { type: 'object', additionalProperties: { type: 'string' } },
          },
        },
        request: { method: 'POST', path: '/notes', body: {} },
      },
      {
        code: 'NOTES_GET',
        name: 'Get a note',
        description: 'Get one note by its id.',
        input: { type: 'object', required: ['note_id'], properties: { note_id: { type: 'string', pattern: '^[0-9]+$' } } },
        request: { method: 'GET', path: '/notes/{note_id}' },
      },
    ],
  }
}

async function mcpClient(hub: TestHub, key = hub.key): Promise<Client> {
  const client = new Client({ name: 'test-agent', version: '1.0.0' })
  await client.connect(new StreamableHTTPClientTransport(new URL(`${hub.url}/mcp`), { requestInit: { headers: { Authorization: `Bearer ${key}` } } }))
  return client
}

describe('the hub as an MCP server, tool schemas and runtime integrations', () => {
  let hub: TestHub
  let upstream: Upstream
  let peer: McpPeer
  let notesId: string

  beforeAll(async () => {
    ;[hub, upstream, peer] = await Promise.all([startTestHub(), startUpstream(), startMcpPeer()])
    const reg = await call(hub, 'POST', '/api/v2/admin/integrations', notesDefinition())
    expect(reg.status, reg.text).toBe(201)
    const conn = await call(hub, 'POST', `/api/v2/execute/${reg.body.id}`, {
      name: 'My Notes',
      authScheme: 'BEARER_TOKEN',
      data: { base_url: upstream.url, token: 'notes-token-123456' },
    })
    expect(conn.body.status, conn.text).toBe('SUCCESS')
    notesId = conn.body.data.id
    const mcp = await call(hub, 'POST', '/api/v2/execute/686eb9cd26480723d0634d3e', { data: peer.mcpUrl, name: 'Calculator' })
    expect(mcp.body.status, mcp.text).toBe('SUCCESS')
  })
  afterAll(async () => {
    await Promise.all([hub?.close(), upstream?.close(), peer?.close()])
  })

  it('lists every connection action as an MCP tool with valid, unique names', async () => {
    const client = await mcpClient(hub)
    try {
      expect(client.getServerVersion()?.name).toBe('patchbay')
      const { tools } = await client.listTools()
      const names = tools.map((t) => t.name)
      expect(names).toEqual(expect.arrayContaining(['My_Notes__NOTES_CREATE', 'My_Notes__NOTES_GET', 'Calculator__add']))
      for (const t of tools) {
        expect(t.name).toMatch(NAME)
        expect(t.inputSchema.type).toBe('object')
        expect(t.description).toContain('[Connection:')
      }
      expect(new Set(names).size).toBe(names.length)
    } finally {
      await client.close()
    }
  })

  it('calls a tool that reaches a local service, through the execute path (credentials applied)', async () => {
    const client = await mcpClient(hub)
    try {
      const r = (await client.callTool({ name: 'My_Notes__NOTES_CREATE', arguments: { title: 'hello', tags: ['a'] } })) as CallToolResult
      expect(r.isError ?? false).toBe(false)
      expect(JSON.parse((r.content[0] as { text: string }).text)).toEqual({ ok: true, path: '/notes' })
      const got = upstream.received.at(-1)
      expect(got?.headers.authorization).toBe('Bearer notes-token-123456')
      expect(JSON.parse(got?.body ?? '{}')).toEqual({ title: 'hello', tags: ['a'] })
      const viaMcp = (await client.callTool({ name: 'Calculator__add', arguments: { a: 1, b: 1 } })) as CallToolResult
      expect((viaMcp.content[0] as { text: string }).text).toBe('2')
    } finally {
      await client.close()
    }
  })

  it('answers an error result for bad input, and a protocol error for an unknown tool', async () => {
    const client = await mcpClient(hub)
    try {
      const before = upstream.received.length
      const r = (await client.callTool({ name: 'My_Notes__NOTES_CREATE', arguments: { tags: 'x' } })) as CallToolResult
      expect(r.isError).toBe(true)
      expect((r.content[0] as { text: string }).text).toMatch(/'title' is required/)
      expect(upstream.received.length).toBe(before)
      await expect(client.callTool({ name: 'nope', arguments: {} })).rejects.toThrow(/Unknown tool nope/)
    } finally {
      await client.close()
    }
  })

  it("requires the tenant API key and shows only that tenant's connections", async () => {
    const res = await fetch(`${hub.url}/mcp`, { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' }, body: '{}' })
    expect(res.status).toBe(401)
    const other = await mcpClient(hub, await hub.newKey())
    try {
      expect((await other.listTools()).tools).toEqual([])
    } finally {
      await other.close()
    }
  })

  it('exports tool schemas in each format, and the SDK does too', async () => {
    for (const format of ['openai', 'anthropic', 'mcp'] as const) {
      const res = await call(hub, 'GET', `/api/v2/connections/${notesId}/tools?format=${format}`)
      expect(res.status, res.text).toBe(200)
      expect(res.body.format).toBe(format)
      expect(res.body.tools).toHaveLength(3) // NOTES_GET, NOTES_CREATE and the shared REQUEST
    }
    const openai = await call(hub, 'GET', `/api/v2/connections/${notesId}/tools?format=openai&strict=true&actions=NOTES_CREATE`)
    expect(openai.body.tools).toEqual([
      {
        type: 'function',
        function: {
          name: 'NOTES_CREATE',
          description: 'Create a note with a title and an optional list of tags.',
          strict: true,
          parameters: {
            type: 'object',
            additionalProperties: false,
            required: ['title', 'tags', 'meta'],
            properties: {
              title: { type: 'string', description: 'Title of the note' },
              tags: { type: ['array', 'null'], items: { type: 'string' }, description: 'Default: [].' },
              meta: { type: ['object', 'null'], properties: {}, required: [], additionalProperties: false },
            },
          },
        },
      },
    ])
    const anthropic = await call(hub, 'GET', `/api/v2/connections/${notesId}/tools?format=anthropic`)
    expect(anthropic.body.tools[1]).toEqual({
      name: 'NOTES_GET',
      description: 'Get one note by its id.',
      input_schema: { type: 'object', required: ['note_id'], properties: { note_id: { type: 'string', pattern: '^[0-9]+$' } } },
    })
    const all = await call(hub, 'GET', '/api/v2/tools?format=anthropic')
    expect(all.body.tools.map((t: { name: string }) => t.name)).toEqual(expect.arrayContaining(['My_Notes__NOTES_GET', 'Calculator__fail']))

    const client = createClient({ apiKey: hub.key, backendUrl: hub.url, modelsRunUrl: `${hub.url}/api/v1/execute` })
    const tool = (await client.ModelFactory.get(notesId)) as ConnectionTool
    tool.actionScope = tool.actions.filter((a) => a.code === 'NOTES_GET')
    const fromSdk = await tool.toToolSchemas('mcp')
    expect(fromSdk).toEqual([{ name: 'NOTES_GET', title: 'Get a note', description: 'Get one note by its id.', inputSchema: expect.objectContaining({ type: 'object' }) }])
  })

  it('rejects a bad format or an unknown connection with a clear error', async () => {
    const bad = await call(hub, 'GET', `/api/v2/connections/${notesId}/tools?format=gemini`)
    expect(bad.status).toBe(400)
    expect(bad.body.message).toContain('format must be openai, anthropic or mcp')
    const strictElsewhere = await call(hub, 'GET', `/api/v2/connections/${notesId}/tools?format=mcp&strict=true`)
    expect(strictElsewhere.status).toBe(400)
    expect((await call(hub, 'GET', '/api/v2/connections/0123456789abcdef01234567/tools')).status).toBe(404)
  })

  it("narrows the MCP server and the export to a connection's stored action scope", async () => {
    const bad = await call(hub, 'PUT', `/api/v2/connections/${notesId}/action-scope`, { actions: ['NOTES_DELETE'] })
    expect(bad.status).toBe(400)
    expect(bad.body.message).toContain('Available actions')
    const set = await call(hub, 'PUT', `/api/v2/connections/${notesId}/action-scope`, { actions: ['notes_get'] })
    expect(set.body).toEqual({ id: notesId, actions: ['NOTES_GET'] })
    expect((await call(hub, 'GET', `/api/v2/connections/${notesId}/action-scope`)).body.actions).toEqual(['NOTES_GET'])
    const client = await mcpClient(hub)
    try {
      const names = (await client.listTools()).tools.map((t) => t.name)
      expect(names).toContain('My_Notes__NOTES_GET')
      expect(names).not.toContain('My_Notes__NOTES_CREATE')
      await expect(client.callTool({ name: 'My_Notes__NOTES_CREATE', arguments: { title: 'x' } })).rejects.toThrow(/Unknown tool/)
    } finally {
      await client.close()
    }
    const exported = await call(hub, 'GET', `/api/v2/connections/${notesId}/tools?format=openai`)
    expect(exported.body.tools.map((t: { function: { name: string } }) => t.function.name)).toEqual(['NOTES_GET'])
    await call(hub, 'PUT', `/api/v2/connections/${notesId}/action-scope`, { actions: null })
    expect((await call(hub, 'GET', `/api/v2/connections/${notesId}/tools?format=openai`)).body.tools).toHaveLength(3)
  })

  it('keeps runtime integrations per tenant and validates them like catalog files', async () => {
    const otherKey = await hub.newKey()
    const other = { url: hub.url, key: otherKey }
    expect((await call(other, 'GET', '/sdk/models/patchbay%2Fnotes')).status).toBe(404)
    expect((await call(hub, 'GET', '/sdk/models/patchbay%2Fnotes')).body.name).toBe('Notes')
    const mine = await call(hub, 'POST', '/sdk/models/paginate', { functions: ['connector'], q: 'notes' })
    expect(mine.body.items.map((i: { name: string }) => i.name)).toContain('Notes')
    const invalid = await call(hub, 'POST', '/api/v2/admin/integrations', { ...notesDefinition(), id: 'notes2', actions: [{ code: 'bad code' }] })
    expect(invalid.status).toBe(400)
    expect(invalid.body.message).toContain('/actions/0/code')
    expect((await call(hub, 'GET', '/sdk/models/patchbay%2Fnotes2')).status).toBe(404)
    const builtIn = await call(hub, 'POST', '/api/v2/admin/integrations', { ...notesDefinition(), id: 'github' })
    expect(builtIn.status).toBe(400)
    expect(builtIn.body.message).toContain('built-in')
    const listed = await call(hub, 'GET', '/api/v2/admin/integrations')
    expect(listed.body.items.map((i: { name: string }) => i.name)).toEqual(['Notes'])
    expect((await call(other, 'GET', '/api/v2/admin/integrations')).body.items).toEqual([])
  })
})
