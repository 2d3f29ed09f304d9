import { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startMcpPeer, type McpPeer } from '../support/mcp-peer.js'
import { call, startTestHub, type TestHub } from '../support/test-hub.js'

const MCP = '686eb9cd26480723d0634d3e'
const TOKEN = 'mcp/tok+en=(9f2a)!~*x'
const HEADER = 'hdr-secret/7Qz+v=='
const WRONG = 'wrong/tok+en=(e5)!~*y'

/** Every form a server may echo a credential in (as the careless peer does), for the assertions. */
function forms(secret: string): string[] {
  return [
    secret,
    JSON.stringify(secret).slice(1, -1).replace(/\//g, '\\/'),
    encodeURIComponent(secret),
    new URLSearchParams({ t: secret }).toString().slice(2),
    Buffer.from(secret).toString('base64'),
  ]
}
const SECRET_FORMS = [...forms(TOKEN), ...forms(HEADER), ...forms(WRONG)]
const leaked = (text: string) => SECRET_FORMS.filter((f) => text.includes(f))

/**
 * Issue 11 item 2: the token and headers of an MCP connection never come back, whatever the
 * server (the official SDK's McpServer) echoes: tool results, tool errors, connect errors (its
 * 401 and 500 bodies), /mcp tool results, and the hub's log.
 */
describe('MCP connection secrets against a server that echoes them', () => {
  let hub: TestHub
  let peer: McpPeer
  let id: string
  beforeAll(async () => {
    ;[hub, peer] = await Promise.all([startTestHub(), startMcpPeer({ token: TOKEN, echoCredentials: true })])
    const res = await call(hub, 'POST', `/api/v2/execute/${MCP}`, { name: 'Echo MCP', data: { url: peer.mcpUrl, token: TOKEN, headers: { 'X-Api-Key': HEADER } } })
    expect(res.status, res.text).toBe(200)
    id = res.body.data.id as string
  })
  afterAll(async () => {
    await Promise.all([hub?.close(), peer?.close()])
  })

  it('redacts them from a tool result (text, structured content, keys) and a tool error', async () => {
    const ok = await call(hub, 'POST', `/api/v2/execute/${id}`, { action: 'whoami', data: {} })
    expect(ok.body.status, ok.text).toBe('SUCCESS')
    expect(ok.text).toContain('[REDACTED]')
    expect(leaked(ok.text)).toEqual([])
    const failed = await call(hub, 'POST', `/api/v2/execute/${id}`, { action: 'whoami_fail', data: {} })
    expect(failed.body.status).toBe('FAILED')
    expect(failed.body.error_message).toContain('refused [REDACTED]')
    expect(leaked(failed.text)).toEqual([])
  })

  it('redacts them from tool results through the hub MCP server (/mcp)', async () => {
    const client = new Client({ name: 'agent', version: '1.0.0' })
    await client.connect(new StreamableHTTPClientTransport(new URL(`${hub.url}/mcp`), { requestInit: { headers: { Authorization: `Bearer ${hub.key}` } } }))
    try {
      const names = (await client.listTools()).tools.map((t) => t.name)
      const whoami = names.find((n) => n.endsWith('__whoami')) as string
      expect(whoami).toBeDefined()
      const r = await client.callTool({ name: whoami, arguments: {} })
      expect(JSON.stringify(r)).toContain('[REDACTED]')
      expect(leaked(JSON.stringify(r))).toEqual([])
      const f = await client.callTool({ name: names.find((n) => n.endsWith('__whoami_fail')) as string, arguments: {} })
      expect(f.isError).toBe(true)
      expect(leaked(JSON.stringify(f))).toEqual([])
    } finally {
      await client.close()
    }
  })

  it('answers a refused token at connect with 400 saying so, without the token or the 401 body quoting it', async () => {
    const res = await call(hub, 'POST', `/api/v2/execute/${MCP}`, { name: 'Wrong token', data: { url: peer.mcpUrl, token: WRONG, headers: { 'X-Api-Key': HEADER } } })
    expect(res.status, res.text).toBe(400)
    expect(res.body.message).toMatch(/refused the token .*reconnect with a valid token/)
    expect(leaked(res.text)).toEqual([])
  })

  it('redacts them from a connect error that embeds the server 500 body', async () => {
    const res = await call(hub, 'POST', `/api/v2/execute/${MCP}`, { name: 'Broken', data: { url: peer.brokenUrl, token: TOKEN, headers: { 'X-Api-Key': HEADER } } })
    expect(res.status).toBeGreaterThanOrEqual(400)
    expect(res.text).toContain('Could not connect to the MCP server')
    expect(leaked(res.text)).toEqual([])
  })

  it('answers a run whose token the server stopped accepting as FAILED "refused the token … reconnect", not 504', async () => {
    const other = await startMcpPeer({ token: TOKEN, echoCredentials: true })
    try {
      const c = await call(hub, 'POST', `/api/v2/execute/${MCP}`, { name: 'Rotated', data: { url: other.mcpUrl, token: TOKEN } })
      const cid = c.body.data.id as string
      other.setToken('rotated-at-the-server')
      const run = await call(hub, 'POST', `/api/v2/execute/${cid}`, { action: 'whoami', data: {} })
      expect(run.status, run.text).toBe(200)
      expect(run.body.status).toBe('FAILED')
      expect(run.body.error_message).toMatch(/refused the token .*reconnect/)
      expect(leaked(run.text)).toEqual([])
    } finally {
      await other.close()
    }
  })

  it('never writes them to the log', () => {
    const logs = hub.logs.join('')
    expect(logs.length).toBeGreaterThan(0)
    expect(leaked(logs)).toEqual([])
  })
})
