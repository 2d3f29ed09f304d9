import { beforeEach, describe, expect, it } from 'vitest'
import { API_KEY, BASE, FakeHub, GITHUB_ID, MCP_ID, PLAIN_MODEL_ID } from '../test/fake-hub.js'
import { createClient } from './client.js'
import type { PatchbayClient } from './client.js'
import { ConnectionTool } from './connection-tool.js'
import { AuthenticationError, InternalError, NetworkError, ResourceError, ValidationError } from './errors.js'
import { IntegrationFactory, ModelFactory } from './factories.js'
import { Integration } from './integration.js'
import { MCPConnection } from './mcp-connection.js'
import { Model } from './model.js'

describe('ModelFactory and IntegrationFactory', () => {
  let hub: FakeHub
  let client: PatchbayClient

  beforeEach(() => {
    hub = new FakeHub()
    client = createClient(hub.config())
  })

  describe('ModelFactory.get (§5.3, §5.4)', () => {
    it('GETs sdk/models/{id} with Token auth and builds the class functionType asks for', async () => {
      const connection = hub.addConnection(GITHUB_ID, 'c')
      const mcp = hub.addConnection(MCP_ID, 'MCP Server 1', 'mcpconnection')
      expect(await client.ModelFactory.get(GITHUB_ID)).toBeInstanceOf(Integration)
      const first = hub.requests[0]
      expect(first).toMatchObject({ method: 'GET', url: `${BASE}/sdk/models/${GITHUB_ID}` })
      expect(first?.headers['authorization']).toBe(`Token ${API_KEY}`)
      expect(first?.headers['x-api-key']).toBeUndefined()
      const tool = await client.ModelFactory.get(connection)
      expect(tool).toBeInstanceOf(ConnectionTool)
      expect(tool).not.toBeInstanceOf(MCPConnection)
      expect(await client.ModelFactory.get(mcp)).toBeInstanceOf(MCPConnection)
      const plain = await client.ModelFactory.get(PLAIN_MODEL_ID)
      expect(plain.constructor).toBe(Model)
      expect(String(plain)).toBe(`Model: Echo by aiXplain (id=${PLAIN_MODEL_ID})`)
    })

    it('keeps text-generation and search models plain, before looking at functionType', async () => {
      hub.add({ id: 'llm', name: 'LLM', function: { id: 'text-generation' }, functionType: 'connector', params: [], attributes: [] })
      const llm = await client.ModelFactory.get('llm')
      expect(llm.constructor).toBe(Model)
    })

    it('percent-encodes ids that are marketplace paths', async () => {
      hub.add({ ...hub.records.get(GITHUB_ID), id: 'patchbay/github' })
      const model = await client.ModelFactory.get('patchbay/github')
      expect(model.id).toBe('patchbay/github')
      expect(hub.requests[0]?.url).toBe(`${BASE}/sdk/models/patchbay%2Fgithub`)
    })

    it('checks and types the class with `expect`', async () => {
      const integration = await client.ModelFactory.get(GITHUB_ID, { expect: Integration })
      expect(integration.authenticationMethods).toContain('OAUTH2')
      await expect(client.ModelFactory.get(GITHUB_ID, { expect: ConnectionTool })).rejects.toThrow(
        new ValidationError(`The model ${GITHUB_ID} is a Integration (functionType 'connector'), not a ConnectionTool.`),
      )
    })

    it("maps a failed GET to the §4.6 class, with v1's message", async () => {
      const missing = await client.ModelFactory.get('0123456789abcdef01234567').catch((e: unknown) => e)
      expect(missing).toBeInstanceOf(ResourceError)
      expect(missing).toMatchObject({ statusCode: 404 })
      expect((missing as Error).message).toMatch(/^Model GET Error: Failed to retrieve model 0123456789abcdef01234567\. Status Code: 404\. Error: \{/)
      const wrongKey = createClient(hub.config({ apiKey: 'nope' }))
      await expect(wrongKey.ModelFactory.get(GITHUB_ID)).rejects.toThrow(AuthenticationError)
    })

    it('reports an unreadable answer as InternalError and an unreachable hub as NetworkError', async () => {
      hub.intercept(() => ({ text: '<html>proxy error</html>' }))
      await expect(client.ModelFactory.get(GITHUB_ID)).rejects.toThrow(InternalError)
      const offline = createClient(hub.config({ fetch: () => Promise.reject(new Error('ECONNREFUSED')) }))
      const error = await offline.ModelFactory.get(GITHUB_ID).catch((e: unknown) => e)
      expect(error).toBeInstanceOf(NetworkError)
      expect((error as Error).message).toContain('ECONNREFUSED')
      await expect(client.ModelFactory.get('')).rejects.toThrow(TypeError)
    })

    it('lists one page of any model with the paginate body of §5.6', async () => {
      const page = await client.ModelFactory.list({ query: 'git', pageNumber: 0, pageSize: 10, functions: ['connector'] })
      expect(hub.requests[0]).toMatchObject({ method: 'POST', url: `${BASE}/sdk/models/paginate` })
      expect(hub.requests[0]?.body).toEqual({ q: 'git', pageNumber: 0, pageSize: 10, functions: ['connector'] })
      expect(page.results.map((m) => m.name)).toEqual(['GitHub', 'GitHub Public'])
      expect(page).toMatchObject({ pageNumber: 0, pageTotal: 2, total: 2 })
    })

    it("sends an end user's id to list only that user's connections", async () => {
      await client.ModelFactory.list({ functions: ['connection'], endUserId: 'user-42' })
      expect(hub.requests[0]?.body).toEqual({ q: '', pageNumber: 0, pageSize: 20, functions: ['connection'], endUserId: 'user-42' })
    })

    it('rejects a paginate answer without items and total', async () => {
      hub.intercept(() => ({ body: { results: [] } }))
      await expect(client.ModelFactory.list()).rejects.toThrow("The answer has no 'items' list and 'total'")
    })
  })

  describe('IntegrationFactory (§5.4)', () => {
    it('gets by id, or by exact (case-sensitive) name among the first 20 results of a search', async () => {
      expect((await client.IntegrationFactory.get(GITHUB_ID)).name).toBe('GitHub')
      expect((await client.IntegrationFactory.get({ id: GITHUB_ID })).name).toBe('GitHub')
      hub.requests.length = 0
      const byName = await client.IntegrationFactory.get({ name: 'GitHub' })
      expect(byName.id).toBe(GITHUB_ID)
      expect(hub.requests.map((r) => r.body)).toEqual([{ q: 'GitHub', pageNumber: 0, pageSize: 20, functions: ['connector'] }])
      await expect(client.IntegrationFactory.get({ name: 'github' })).rejects.toThrow(
        new ResourceError("Integration GET by Name Error: Failed to retrieve integration 'github'. No integration found with this exact name."),
      )
    })

    it('needs exactly one of id and name, and an integration', async () => {
      // @ts-expect-error: both given
      await expect(client.IntegrationFactory.get({ id: GITHUB_ID, name: 'GitHub' })).rejects.toThrow("Must provide exactly one of 'id' or 'name'")
      // @ts-expect-error: neither given
      await expect(client.IntegrationFactory.get({})).rejects.toThrow(TypeError)
      await expect(client.IntegrationFactory.get(PLAIN_MODEL_ID)).rejects.toThrow(
        new ValidationError(`The provided identifier ('${PLAIN_MODEL_ID}') is not from an integration model`),
      )
    })

    it('lists integrations only, with the v1 list shape', async () => {
      hub.addConnection(GITHUB_ID, 'GitHub conn')
      const page = await client.IntegrationFactory.list({ pageSize: 2 })
      expect(hub.requests.at(-1)?.body).toEqual({ q: '', pageNumber: 0, pageSize: 2, functions: ['connector'] })
      expect(page.results).toHaveLength(2)
      expect(page.results.every((i) => i instanceof Integration)).toBe(true)
      expect(page.total).toBe(4)
      expect(page.pageTotal).toBe(2)
    })
  })

  describe('the static factories', () => {
    it('take the config per call', async () => {
      const integration = await IntegrationFactory.get(GITHUB_ID, { config: hub.config() })
      expect(integration).toBeInstanceOf(Integration)
      const model = await ModelFactory.get(PLAIN_MODEL_ID, { config: hub.config() })
      expect(model.id).toBe(PLAIN_MODEL_ID)
    })
  })
})
