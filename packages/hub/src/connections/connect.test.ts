import { mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { toIntegration } from '../catalog/catalog.js'
import { newId } from '../ids.js'
import { openStore, type Store } from '../store/store.js'
import { openConnectionSecrets } from '../vault/connection-secrets.js'
import { generateMasterKey, parseMasterKey, Vault } from '../vault/vault.js'
import { connect } from './connect.js'
import type { McpSessions } from './mcp.js'

const vault = new Vault([parseMasterKey(generateMasterKey())])
const api = toIntegration(
  {
    id: 'acme',
    name: 'Acme',
    description: 'Acme API',
    baseUrl: 'https://api.example.com',
    auth: {
      BEARER_TOKEN: { inputs: [{ name: 'token', displayName: 'Token', description: 'd', secret: true }], apply: { headers: { Authorization: 'Bearer {token}' } } },
      OAUTH2: { oauth2: { tokenUrl: 'https://a.example.com/t', authorizationUrl: 'https://a.example.com/a' } },
    },
    actions: [],
  },
  'test',
)
const mcp = toIntegration(
  {
    id: 'mcp-server',
    kind: 'mcp',
    name: 'MCP Server',
    description: 'd',
    baseUrl: '{url}',
    auth: { NO_AUTH: { inputs: [{ name: 'url', displayName: 'URL', description: 'd' }] } },
    actions: [],
  },
  'test',
)

describe('connect (one connect + reconnect for every scheme)', () => {
  let store: Store
  let tenantId: string
  beforeEach(async () => {
    store = openStore(join(await mkdtemp(join(tmpdir(), 'pb-connect-')), 'db.sqlite'))
    await store.migrate()
    tenantId = newId()
    await store.createTenant({ id: tenantId, name: `t-${tenantId}`, created_at: new Date().toISOString() })
  })
  afterEach(async () => store.close())

  it('saves a static connection ACTIVE with its secret sealed, and reconnects it in place', async () => {
    const { id } = await connect({ store, vault }, tenantId, api, { authScheme: 'BEARER_TOKEN', name: 'Mine', data: { token: 'one' } })
    const row = await store.getConnection(tenantId, id)
    expect(row).toMatchObject({ name: 'Mine', status: 'ACTIVE', auth_scheme: 'BEARER_TOKEN' })
    expect(row?.secrets).not.toContain('one')
    expect(openConnectionSecrets(vault, row as never)).toEqual({ token: 'one' })
    const again = await connect({ store, vault }, tenantId, api, { authScheme: 'BEARER_TOKEN', data: { token: 'two', assetId: id } })
    expect(again.id).toBe(id)
    const after = await store.getConnection(tenantId, id)
    expect(after?.name).toBe('Mine')
    expect(after?.description).toContain('Acme API')
    expect(openConnectionSecrets(vault, after as never)).toEqual({ token: 'two' })
  })

  it('refuses a reconnect of an unknown id or of another integration, writing nothing', async () => {
    await expect(connect({ store, vault }, tenantId, api, { authScheme: 'BEARER_TOKEN', data: { token: 't', assetId: 'f'.repeat(24) } })).rejects.toMatchObject({
      code: 'NOT_FOUND',
    })
    const { id } = await connect({ store, vault }, tenantId, api, { authScheme: 'BEARER_TOKEN', data: { token: 't' } })
    const other = toIntegration({ ...api.definition, id: 'other' }, 'test')
    await expect(connect({ store, vault }, tenantId, other, { authScheme: 'BEARER_TOKEN', data: { token: 't', assetId: id } })).rejects.toMatchObject({ code: 'VALIDATION' })
  })

  it('refuses OAuth on a hub without OAuth, and a bad name before anything is written', async () => {
    await expect(connect({ store, vault }, tenantId, api, { authScheme: 'OAUTH2' })).rejects.toMatchObject({ code: 'UNSUPPORTED_SCHEME' })
    await expect(connect({ store, vault }, tenantId, api, { authScheme: 'BEARER_TOKEN', name: 7, data: { token: 't' } })).rejects.toMatchObject({ code: 'VALIDATION' })
    expect((await store.listConnections(tenantId, { offset: 0, limit: 10 })).total).toBe(0)
  })

  it('connects an MCP server through the same save, and forgets its pooled session on reconnect', async () => {
    const forgotten: string[] = []
    const sessions: McpSessions = {
      open: async () => ({ client: { listTools: async () => ({ tools: [] }), close: async () => {} }, transport: 'streamable-http' }),
      listTools: async () => [],
      callTool: async () => ({ content: [] }),
      forget: async (id) => void forgotten.push(id),
      close: async () => {},
    }
    const { id } = await connect({ store, vault, mcpClients: sessions }, tenantId, mcp, { data: { url: 'https://mcp.example.com/mcp', token: 'tok' } })
    const row = await store.getConnection(tenantId, id)
    expect(row).toMatchObject({ auth_scheme: 'BEARER_TOKEN', status: 'ACTIVE' })
    expect(row?.name).toMatch(/^MCP Server mcp\.example\.com /)
    expect(JSON.parse(row?.config ?? '{}')).toEqual({ url: 'https://mcp.example.com/mcp', transport: 'streamable-http' })
    expect(openConnectionSecrets(vault, row as never)).toEqual({ token: 'tok' })
    await connect({ store, vault, mcpClients: sessions }, tenantId, mcp, { data: { url: 'https://mcp.example.com/mcp', assetId: id } })
    expect(forgotten).toEqual([id])
    const after = await store.getConnection(tenantId, id)
    expect(after?.auth_scheme).toBe('NO_AUTH')
    expect(after?.secrets).toBeNull()
  })
})
