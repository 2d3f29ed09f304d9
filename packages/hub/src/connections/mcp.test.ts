import { describe, expect, it } from 'vitest'
import { toIntegration } from '../catalog/catalog.js'
import { generateMasterKey, parseMasterKey, Vault } from '../vault/vault.js'
import { isMcpIntegration, parseMcpData, probeMcp, toolToAction, type McpSessions } from './mcp.js'

const vault = new Vault([parseMasterKey(generateMasterKey())])
const sessions = (listTools: () => Promise<unknown>): McpSessions => ({
  open: async () => ({ client: { listTools, close: async () => {} }, transport: 'sse' }),
  listTools: async () => [],
  callTool: async () => ({ content: [] }),
  forget: async () => {},
  close: async () => {},
})

describe('MCP connections', () => {
  it('recognises an MCP integration by its kind, not its id', () => {
    const def = { id: 'x', name: 'X', description: 'd', baseUrl: '{url}', auth: { NO_AUTH: {} }, actions: [] }
    expect(isMcpIntegration(toIntegration({ ...def, kind: 'mcp' }, 't'))).toBe(true)
    expect(isMcpIntegration(toIntegration({ ...def, modelId: '686eb9cd26480723d0634d3e' }, 't'))).toBe(false)
  })

  it('parses a URL string or {url, token, headers} and refuses transport headers', () => {
    expect(parseMcpData(' https://m/mcp ')).toEqual({ url: 'https://m/mcp' })
    expect(parseMcpData({ url: 'https://m/mcp', token: 't', headers: { 'X-Key': 'k' }, assetId: 'a' })).toEqual({
      url: 'https://m/mcp',
      token: 't',
      headers: { 'X-Key': 'k' },
      assetId: 'a',
    })
    expect(() => parseMcpData({ url: 'https://m', headers: { 'Mcp-Session-Id': 'x' } })).toThrow(/set by the MCP transport/)
    expect(() => parseMcpData({})).toThrow(/'url' is required/)
  })

  it('probes the server and says what to store; a server that cannot list tools is unreachable', async () => {
    const ok = await probeMcp({ vault, mcpClients: sessions(async () => ({})) }, { url: 'https://m.example.com/sse', headers: { 'X-Key': 'k' } })
    expect(ok).toMatchObject({ schema: 'NO_AUTH', config: { url: 'https://m.example.com/sse', transport: 'sse' }, secrets: { headers: { 'X-Key': 'k' } } })
    expect(ok.name('abcdef123456')).toBe('MCP Server m.example.com 123456')
    await expect(probeMcp({ vault, mcpClients: sessions(async () => Promise.reject(new Error('nope'))) }, 'https://m.example.com/mcp')).rejects.toMatchObject({
      code: 'UPSTREAM_UNREACHABLE',
    })
  })

  it('maps a tool to an action', () => {
    expect(toolToAction({ name: 'search', description: 'Finds', inputSchema: { type: 'object' } })).toMatchObject({ code: 'search', name: 'search', description: 'Finds' })
  })
})
