import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { AuthenticationSchema, ResponseStatus } from '@patchbay/core'
import { BASE, BASIC_ID, FakeHub, GITHUB_ID, MCP_ID, NOAUTH_ID } from '../test/fake-hub.js'
import { buildConnectorParams } from './auth-params.js'
import { createClient } from './client.js'
import { ValidationError } from './errors.js'
import { Integration } from './integration.js'

const REDIRECT_WARNING = 'Before using the tool, please visit the following URL to complete the connection: '

describe('Integration', () => {
  let hub: FakeHub
  let warnings: string[]

  beforeEach(() => {
    hub = new FakeHub()
    warnings = []
  })
  afterEach(() => {
    vi.restoreAllMocks()
  })

  async function get(id: string, extra = {}): Promise<Integration> {
    const { IntegrationFactory } = createClient(hub.config({ onWarning: (m) => warnings.push(m), ...extra }))
    return IntegrationFactory.get(id)
  }

  function executeCalls() {
    return hub.sent('POST', '/api/v2/execute/')
  }

  describe('construction', () => {
    it('reads authenticationMethods from auth_schemes and prints like aiXplain', async () => {
      const github = await get(GITHUB_ID)
      expect(github.authenticationMethods).toEqual(['OAUTH2', 'BEARER_TOKEN'])
      expect(String(github)).toBe(`Integration: GitHub by Patchbay (id=${GITHUB_ID})`)
      expect(github.getAuthInputs(AuthenticationSchema.BEARER_TOKEN).map((i) => i.name)).toEqual(['token'])
      expect(github.getAuthInputs(AuthenticationSchema.OAUTH2)).toEqual([])
    })

    it('defaults like the seed and refuses any functionType but connector', () => {
      const config = hub.config()
      const bare = new Integration({ id: 'i1', name: 'Bare' }, { config })
      expect(bare.functionType).toBe('connector')
      expect(bare.supplier).toBe('aiXplain')
      expect(bare.authenticationMethods).toEqual([])
      expect(String(bare)).toBe('Integration: Bare by aiXplain (id=i1)')
      expect(() => new Integration({ id: 'i1', functionType: 'connection' }, { config })).toThrow(new TypeError('Integration only supports connector function'))
      expect(() => new Integration({ id: 'i1', attributes: [{ name: 'auth_schemes', code: '[oops' }] }, { config })).toThrow(/attribute 'auth_schemes' that is not JSON/)
    })
  })

  describe('connect with credentials (§10.3)', () => {
    it('sends {name, description, authScheme, data} to the v2 execute path with x-api-key', async () => {
      const github = await get(GITHUB_ID)
      const res = await github.connect(AuthenticationSchema.BEARER_TOKEN, {
        data: { token: 'ghp_x' },
        name: 'My GitHub',
        description: 'Team repos',
      })
      expect(res.status).toBe(ResponseStatus.SUCCESS)
      expect(res.data.id).toMatch(/^[0-9a-f]{24}$/)
      const [call] = executeCalls()
      expect(call?.url).toBe(`${BASE}/api/v2/execute/${GITHUB_ID}`)
      expect(call?.headers['x-api-key']).toBe(hub.config().apiKey)
      expect(call?.body).toEqual({ name: 'My GitHub', description: 'Team repos', authScheme: 'BEARER_TOKEN', data: { token: 'ghp_x' } })
    })

    it('sends null name and description when none are given, and takes them from args over the top level', async () => {
      const github = await get(GITHUB_ID)
      await github.connect(AuthenticationSchema.BEARER_TOKEN, { data: { token: 't' } })
      await github.connect(AuthenticationSchema.BEARER_TOKEN, {
        data: { token: 't' },
        name: 'ignored',
        args: buildConnectorParams({ name: 'From args', description: 'd', other: 1 }),
      })
      const [first, second] = executeCalls()
      expect(first?.body).toEqual({ name: null, description: null, authScheme: 'BEARER_TOKEN', data: { token: 't' } })
      expect(second?.body).toMatchObject({ name: 'From args', description: 'd' })
    })

    it('requires a scheme, and one the integration supports; the error lists the supported ones', async () => {
      const github = await get(GITHUB_ID)
      const none = await github.connect(undefined, { data: { token: 't' } }).catch((e: unknown) => e)
      expect(none).toBeInstanceOf(ValidationError)
      expect((none as Error).message).toContain('An authentication schema is required')
      const basic = await github.connect(AuthenticationSchema.BASIC, { data: {} }).catch((e: unknown) => e)
      expect(basic).toBeInstanceOf(ValidationError)
      expect((basic as Error).message).toBe('Authentication schema BASIC is not supported for this integration. Supported authentication methods: ["OAUTH2","BEARER_TOKEN"]')
      expect(hub.requests.filter((r) => r.method === 'POST')).toHaveLength(0)
    })

    it('names a missing input, or lists them all when the scheme has several; sends nothing', async () => {
      const github = await get(GITHUB_ID)
      await expect(github.connect(AuthenticationSchema.BEARER_TOKEN, { data: { tok: 't' } })).rejects.toThrow(
        "Parameter 'token' is required for GitHub BEARER_TOKEN authentication. Please provide the parameter in the `data` object.",
      )
      await expect(github.connect(AuthenticationSchema.BEARER_TOKEN)).rejects.toThrow(ValidationError)
      const jira = await get(BASIC_ID)
      await expect(jira.connect(AuthenticationSchema.API_KEY, { data: {} })).rejects.toThrow("Parameter 'api_key' is required for Jira API_KEY")
      expect(executeCalls()).toHaveLength(0)
    })

    it('lets inputs marked required: false be left out (unlike the Python client)', async () => {
      const jira = await get(BASIC_ID) // BASIC: username (required), password (required: false)
      const res = await jira.connect(AuthenticationSchema.BASIC, { data: { username: 'ada' } })
      expect(res.status).toBe(ResponseStatus.SUCCESS)
      await expect(jira.connect(AuthenticationSchema.BASIC, { data: { password: 'p' } })).rejects.toThrow("Parameter 'username' is required for Jira BASIC authentication")
    })

    it('sends {} for a scheme with no inputs, and rejects data that is not an object', async () => {
      const open = await get(NOAUTH_ID)
      await open.connect(AuthenticationSchema.NO_AUTH)
      expect(executeCalls()[0]?.body).toEqual({ name: null, description: null, authScheme: 'NO_AUTH', data: {} })
      await expect(open.connect(AuthenticationSchema.NO_AUTH, { data: 'not an object' })).rejects.toThrow(TypeError)
    })

    it('resolves to a FAILED response (no throw) when the hub refuses', async () => {
      const github = await get(GITHUB_ID)
      hub.intercept((r) => (r.method === 'POST' ? { status: 409, body: { statusCode: 409, error: 'err.supplier_error', supplierError: 'Name already exists' } } : undefined))
      const res = await github.connect(AuthenticationSchema.BEARER_TOKEN, { data: { token: 't' }, name: 'dup' })
      expect(res.status).toBe(ResponseStatus.FAILED)
      expect(res.errorMessage).toBe('Unspecified Client Error (Status 409) Details: err.supplier_error')
      expect(res.additionalFields['supplierError']).toBe('Name already exists')
    })

    it('reads a connect answer whose data is JSON text, or a bare connection id (§12.7)', async () => {
      const github = await get(GITHUB_ID)
      hub.intercept((r) => (r.method === 'POST' ? { body: { status: 'SUCCESS', completed: true, data: '{"id":"6a00000000000000000000ff"}' } } : undefined))
      expect((await github.connect(AuthenticationSchema.BEARER_TOKEN, { data: { token: 't' } })).data).toEqual({
        id: '6a00000000000000000000ff',
      })
      const bare = new FakeHub()
      bare.intercept((r) => (r.method === 'POST' ? { body: { status: 'SUCCESS', completed: true, data: '6a00000000000000000000fe' } } : undefined))
      const viaBare = await createClient(bare.config()).IntegrationFactory.get(GITHUB_ID)
      expect((await viaBare.connect(AuthenticationSchema.BEARER_TOKEN, { data: { token: 't' } })).data).toEqual({
        id: '6a00000000000000000000fe',
      })
    })
  })

  describe('OAuth connect: no data sent, the redirect URL through the onWarning hook', () => {
    it('drops data from the body and passes the v1 warning text to onWarning', async () => {
      const github = await get(GITHUB_ID)
      const res = await github.connect(AuthenticationSchema.OAUTH2, { name: 'Via OAuth', data: { token: 'must not be sent' } })
      const [call] = executeCalls()
      expect(call?.body).toEqual({ name: 'Via OAuth', description: null, authScheme: 'OAUTH2' })
      expect(Object.hasOwn(call?.body as object, 'data')).toBe(false)
      expect(JSON.stringify(hub.requests)).not.toContain('must not be sent')
      const redirectURL = `${BASE}/oauth/authorize?connection=${res.data.id}`
      expect(res.data).toEqual({ id: res.data.id, redirectURL })
      expect(warnings).toEqual([`${REDIRECT_WARNING}${redirectURL}`])
    })

    it('does not warn when the answer has no redirect URL, or failed', async () => {
      const github = await get(GITHUB_ID)
      hub.intercept((r) => (r.method === 'POST' ? { body: { status: 'SUCCESS', completed: true, data: { id: '6a00000000000000000000fd' } } } : undefined))
      await github.connect(AuthenticationSchema.OAUTH2)
      const failing = new FakeHub()
      failing.intercept((r) => (r.method === 'POST' ? { status: 500, body: { error: 'boom' } } : undefined))
      const viaFailing = await createClient(failing.config({ onWarning: (m) => warnings.push(m) })).IntegrationFactory.get(GITHUB_ID)
      const res = await viaFailing.connect(AuthenticationSchema.OAUTH2)
      expect(res.status).toBe(ResponseStatus.FAILED)
      expect(warnings).toEqual([])
    })

    it('prints the warning with console.warn when no hook is given', async () => {
      const warn = vi.spyOn(console, 'warn').mockImplementation(() => {})
      const config = { ...hub.config() }
      delete config.onWarning
      const github = await createClient(config).IntegrationFactory.get(GITHUB_ID)
      const res = await github.connect(AuthenticationSchema.OAUTH2)
      expect(warn).toHaveBeenCalledOnce()
      expect(warn).toHaveBeenCalledWith(`${REDIRECT_WARNING}${res.data.redirectURL}`)
    })

    it('uses the hook of the config the integration was fetched with', async () => {
      const mine: string[] = []
      const github = await get(GITHUB_ID, { onWarning: (m: string) => mine.push(m) })
      await github.connect(AuthenticationSchema.OAUTH2)
      expect(mine).toHaveLength(1)
      expect(warnings).toEqual([])
    })
  })

  describe('the MCP integration (§10.3 step 1)', () => {
    it('sends only {data}: a URL string, an object, or {} when none is given', async () => {
      const mcp = await get(MCP_ID)
      await mcp.connect(undefined, { data: 'https://mcp.example.test/mcp', name: 'ignored' })
      await mcp.connect(AuthenticationSchema.BEARER_TOKEN, { data: { url: 'https://mcp.example.test/sse' } })
      await mcp.connect()
      expect(executeCalls().map((c) => c.body)).toEqual([{ data: 'https://mcp.example.test/mcp' }, { data: { url: 'https://mcp.example.test/sse' } }, { data: {} }])
    })
  })
})
