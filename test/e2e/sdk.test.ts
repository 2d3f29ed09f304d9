/**
 * Issue 2's TypeScript flow, end to end: `@patchbay/sdk` against a real hub on a 127.0.0.1 port,
 * with a real HTTP server standing in for the external service.
 */
import { mkdtemp, readFile, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import { parse as parseYaml } from 'yaml'
import {
  AuthenticationError,
  AuthenticationSchema,
  ConnectAction,
  ConnectionTool,
  createClient,
  Integration,
  IntegrationFactory,
  Model,
  ModelFactory,
  ResourceError,
  ResponseStatus,
  ValidationError,
  type FetchLike,
  type PatchbayClient,
} from '@patchbay/sdk'
import { startEchoService, type EchoService } from '../support/echo-service.js'
import { startTestHub, type TestHub } from '../support/test-hub.js'

let echo: EchoService
let hub: TestHub
let client: PatchbayClient
const warnings: string[] = []
/** Every request the SDK sent, as the injected fetch saw it. */
const sent: Array<{ method: string; url: string; headers: Record<string, string>; body: unknown }> = []

const recordingFetch: FetchLike = async (input, init = {}) => {
  const headers: Record<string, string> = {}
  new Headers(init.headers).forEach((value, key) => (headers[key] = value))
  sent.push({
    method: init.method ?? 'GET',
    url: input,
    headers,
    body: typeof init.body === 'string' ? JSON.parse(init.body) : undefined,
  })
  return fetch(input, init)
}

beforeAll(async () => {
  echo = await startEchoService()
  hub = await startTestHub({ catalogDirs: [echo.catalogDir] })
  client = createClient({
    apiKey: hub.key,
    backendUrl: hub.url,
    env: {},
    fetch: recordingFetch,
    onWarning: (message) => warnings.push(message),
  })
})
afterAll(async () => {
  await hub?.close()
  await echo?.close()
})
afterEach(() => {
  vi.unstubAllEnvs()
})

function lastRequest() {
  const request = sent.at(-1)
  if (request === undefined) throw new Error('no request was sent')
  return request
}

describe("issue 2's example, line by line, with the environment variables of the README", () => {
  it('GitHub by name, connect with a token, the ConnectionTool, inputs, run, delete', async () => {
    // The built-in GitHub definition, pointed at the stand-in service: a user folder overrides a
    // built-in of the same id, so the example's calls and names are exactly the real ones.
    const builtIn = parseYaml(await readFile(fileURLToPath(new URL('../../packages/hub/catalog/github.yaml', import.meta.url)), 'utf8'))
    const dir = await mkdtemp(join(tmpdir(), 'patchbay-github-'))
    await writeFile(join(dir, 'github.json'), JSON.stringify({ ...builtIn, baseUrl: echo.upstream.url, auth: { BEARER_TOKEN: builtIn.auth.BEARER_TOKEN } }))
    const own = await startTestHub({ catalogDirs: [dir] })
    try {
      vi.stubEnv('TEAM_API_KEY', own.key)
      vi.stubEnv('AIXPLAIN_API_KEY', '')
      vi.stubEnv('BACKEND_URL', own.url)
      vi.stubEnv('MODELS_RUN_URL', `${own.url}/api/v1/execute`)
      const token = 'ghp_example_FFFF6666'

      const github = await IntegrationFactory.get({ name: 'GitHub' }) // or IntegrationFactory.get('<id>')
      expect(String(github)).toBe(`Integration: GitHub by Patchbay (id=${github.id})`)
      const res = await github.connect(AuthenticationSchema.BEARER_TOKEN, { data: { token }, name: 'My GitHub' })
      const tool = await ModelFactory.get(res.data.id) // a ConnectionTool
      if (!(tool instanceof ConnectionTool)) throw new Error(`expected a ConnectionTool, got ${String(tool)}`)
      expect(tool.actions.map((a) => a.code)).toContain('GITHUB_GET_REPOSITORY')
      expect(tool.actions.every((a) => a instanceof ConnectAction && a.name !== '' && a.description !== '')).toBe(true)
      const inputs = await tool.getActionInputs('GITHUB_GET_REPOSITORY')
      expect(Object.keys(inputs ?? {})).toEqual(['owner', 'repo'])
      echo.upstream.received.length = 0
      const out = await tool.run('GITHUB_GET_REPOSITORY', { owner: 'octocat', repo: 'hello-world' })
      expect(out).toMatchObject({ status: 'SUCCESS', completed: true, data: { ok: true, path: '/repos/octocat/hello-world' } })
      const got = echo.upstream.received[0]
      expect(got?.headers.authorization).toBe(`Bearer ${token}`)
      expect(got?.headers.accept).toBe('application/vnd.github+json')
      await tool.delete()
      await expect(ModelFactory.get(res.data.id)).rejects.toThrow(ResourceError)
    } finally {
      await own.close()
    }
  })
})

describe('integrations: get, list, toString', () => {
  it('gets an integration by exact name and by id, with the Patchbay string form', async () => {
    const byName = await client.IntegrationFactory.get({ name: 'Echo' })
    expect(byName).toBeInstanceOf(Integration)
    expect(byName.id).toMatch(/^[0-9a-f]{24}$/)
    expect(String(byName)).toBe(`Integration: Echo by Patchbay (id=${byName.id})`)
    expect(byName.authenticationMethods).toEqual(['BEARER_TOKEN', 'API_KEY', 'BASIC', 'NO_AUTH'])
    // By name is a search (POST sdk/models/paginate) with Token auth and the v1 filter body.
    const search = sent.find((r) => r.url.endsWith('/sdk/models/paginate'))
    expect(search?.method).toBe('POST')
    expect(search?.headers['authorization']).toBe(`Token ${hub.key}`)
    expect(search?.body).toEqual({ q: 'Echo', pageNumber: 0, pageSize: 20, functions: ['connector'] })

    const byId = await client.IntegrationFactory.get(byName.id)
    expect(lastRequest()).toMatchObject({ method: 'GET', url: `${hub.url}/sdk/models/${byName.id}` })
    expect(byId.id).toBe(byName.id)
    expect(byId.name).toBe('Echo')
    expect(byId.getAuthInputs(AuthenticationSchema.BASIC).map((i) => i.name)).toEqual(['region', 'username', 'password'])

    const byPath = await client.IntegrationFactory.get('patchbay/echo')
    expect(lastRequest().url).toBe(`${hub.url}/sdk/models/patchbay%2Fecho`)
    expect(byPath.id).toBe(byName.id)
  })

  it('lists integrations by query and page', async () => {
    const found = await client.IntegrationFactory.list({ query: 'echo', pageNumber: 0, pageSize: 5 })
    expect(found.results.map((i) => i.name)).toEqual(['Echo'])
    expect(found).toMatchObject({ total: 1, pageNumber: 0, pageTotal: 1 })
    expect(found.results[0]).toBeInstanceOf(Integration)

    const first = await client.IntegrationFactory.list({ pageNumber: 0, pageSize: 3 })
    const second = await client.IntegrationFactory.list({ pageNumber: 1, pageSize: 3 })
    expect(first.results).toHaveLength(3)
    expect(second.results).toHaveLength(3)
    expect(first.total).toBeGreaterThanOrEqual(13) // the built-in catalog plus Echo
    expect(second.total).toBe(first.total)
    const firstIds = new Set(first.results.map((i) => i.id))
    expect(second.results.some((i) => firstIds.has(i.id))).toBe(false)
    expect([...first.results, ...second.results].every((i) => i instanceof Integration)).toBe(true)
    expect(lastRequest().body).toEqual({ q: '', pageNumber: 1, pageSize: 3, functions: ['connector'] })
  })

  it('a name that matches nothing exactly is a ResourceError; a connection id is not an integration', async () => {
    await expect(client.IntegrationFactory.get({ name: 'echo' })).rejects.toThrow(ResourceError)
    await expect(client.IntegrationFactory.get({ name: 'echo' })).rejects.toThrow(/No integration found with this exact name/)
    const echoIntegration = await client.IntegrationFactory.get({ name: 'Echo' })
    const res = await echoIntegration.connect(AuthenticationSchema.NO_AUTH, { data: { region: 'eu' }, name: 'not-an-integration' })
    await expect(client.IntegrationFactory.get(res.data.id)).rejects.toThrow(ValidationError)
    await expect(client.IntegrationFactory.get(res.data.id)).rejects.toThrow(/is not from an integration model/)
    await (await client.ModelFactory.get(res.data.id, { expect: ConnectionTool })).delete()
  })
})

describe('connect with each key-based scheme: the service receives exactly those credentials', () => {
  async function connectAndRun(schema: AuthenticationSchema, data: Record<string, unknown>, name: string) {
    const integration = await client.IntegrationFactory.get({ name: 'Echo' })
    const res = await integration.connect(schema, { data, name, description: `via ${schema}` })
    expect(res.status).toBe(ResponseStatus.SUCCESS)
    expect(res.completed).toBe(true)
    expect(res.data.id).toMatch(/^[0-9a-f]{24}$/)
    // The connect body is v1's {name, description, authScheme, data}, POSTed with x-api-key to
    // the v2 execute path of the integration.
    const connectCall = lastRequest()
    expect(connectCall.url).toBe(`${hub.url}/api/v2/execute/${integration.id}`)
    expect(connectCall.headers['x-api-key']).toBe(hub.key)
    expect(connectCall.headers['authorization']).toBeUndefined()
    expect(connectCall.body).toEqual({ name, description: `via ${schema}`, authScheme: schema, data })

    const tool = await client.ModelFactory.get(res.data.id, { expect: ConnectionTool })
    expect(tool.description).toBe(`via ${schema}\n\n Authentication scheme used for this connections: ${schema}`)
    echo.upstream.received.length = 0
    const run = await tool.run('ECHO_GET_ITEM', { item_id: 'a1', limit: 2 })
    expect(run.status).toBe(ResponseStatus.SUCCESS)
    expect(echo.upstream.received).toHaveLength(1)
    return { tool, got: echo.upstream.received[0]!, run }
  }

  it('BEARER_TOKEN: Authorization: Bearer <token>; an optional input may be left out', async () => {
    const { tool, got, run } = await connectAndRun(AuthenticationSchema.BEARER_TOKEN, { token: 'tok-sdk-AAAA1111' }, 'sdk-bearer')
    expect(got.headers.authorization).toBe('Bearer tok-sdk-AAAA1111')
    expect(got.path).toBe('/eu/items/a1') // region's default
    expect(got.query.get('limit')).toBe('2')
    expect(run.data).toEqual({ ok: true, path: '/eu/items/a1' })
    await tool.delete()
  })

  it('API_KEY: the key in the header the definition names, and nothing else', async () => {
    const { tool, got } = await connectAndRun(AuthenticationSchema.API_KEY, { region: 'us', api_key: 'key-sdk-BBBB2222' }, 'sdk-key')
    expect(got.headers['x-api-key']).toBe('key-sdk-BBBB2222')
    expect(got.headers.authorization).toBeUndefined()
    expect(got.path).toBe('/us/items/a1')
    await tool.delete()
  })

  it('BASIC: RFC 7617 credentials', async () => {
    const { tool, got } = await connectAndRun(AuthenticationSchema.BASIC, { region: 'ap', username: 'ada', password: 'pw-sdk-CCCC3333' }, 'sdk-basic')
    expect(got.headers.authorization).toBe(`Basic ${Buffer.from('ada:pw-sdk-CCCC3333').toString('base64')}`)
    await tool.delete()
  })

  it('NO_AUTH: no credentials at all', async () => {
    const { tool, got } = await connectAndRun(AuthenticationSchema.NO_AUTH, { region: 'eu' }, 'sdk-none')
    expect(got.headers.authorization).toBeUndefined()
    expect(got.headers['x-api-key']).toBeUndefined()
    await tool.delete()
  })
})

describe('a connection: ModelFactory.get → ConnectionTool, actions, inputs, run, scope, delete', () => {
  it('walks the whole life of a connection', async () => {
    const echoIntegration = await client.IntegrationFactory.get({ name: 'Echo' })
    const res = await echoIntegration.connect(AuthenticationSchema.BEARER_TOKEN, {
      data: { token: 'tok-sdk-DDDD4444' },
      name: 'My Echo',
    })
    const id = res.data.id

    const tool = await client.ModelFactory.get(id)
    expect(tool).toBeInstanceOf(ConnectionTool)
    if (!(tool instanceof ConnectionTool)) throw new Error('unreachable')
    expect(String(tool)).toBe(`ConnectionTool(id=${id}, name=My Echo)`)
    expect(tool.functionType).toBe('connection')
    expect(tool.additionalInfo['parentModelId']).toBe(echoIntegration.id)
    // The actions were listed while getting it, with v1's LIST_ACTIONS body (data is one space).
    const listActions = sent.at(-1)
    expect(listActions?.url).toBe(`${hub.url}/api/v2/execute/${id}`)
    expect(listActions?.body).toEqual({ action: 'LIST_ACTIONS', data: ' ' })
    expect(tool.actions.every((a) => a instanceof ConnectAction)).toBe(true)
    expect(tool.actions.map((a) => a.code)).toEqual(['ECHO_GET_ITEM', 'ECHO_CREATE_ITEM', 'ECHO_FAIL', 'REQUEST'])
    expect(tool.actions.map(String)).toContain('Action(code=ECHO_GET_ITEM, name=Get item)')
    expect(tool.actions[0]?.description).toBe('Get one item by id.')

    const inputs = await tool.getActionInputs('ECHO_GET_ITEM')
    expect(lastRequest().body).toEqual({ action: 'LIST_INPUTS', data: { actions: ['ECHO_GET_ITEM'] } })
    expect(Object.keys(inputs ?? {})).toEqual(['item_id', 'limit'])
    expect(inputs?.['item_id']).toMatchObject({ code: 'item_id', datatype: 'string', required: true, description: 'The item id' })
    expect(inputs?.['limit']).toMatchObject({ datatype: 'integer', required: false })
    // Cached on the action: asking again through the ConnectAction sends nothing.
    expect(tool.actions[0]?.inputs).toBe(inputs)
    const before = sent.length
    expect(await tool.getActionInputs(tool.actions[0]!)).toBe(inputs)
    expect(sent.length).toBe(before)

    echo.upstream.received.length = 0
    const created = await tool.run(tool.actions[1]!, { title: 'hello', tags: ['a', 'b'] })
    expect(lastRequest().body).toEqual({ action: 'ECHO_CREATE_ITEM', data: { title: 'hello', tags: ['a', 'b'] } })
    expect(created.status).toBe(ResponseStatus.SUCCESS)
    expect(created.completed).toBe(true)
    expect(created.data).toEqual({ ok: true, path: '/eu/items' })
    expect(JSON.parse(echo.upstream.received[0]?.body ?? '')).toEqual({ title: 'hello', tags: ['a', 'b'] })

    // An upstream non-2xx is a FAILED response, not an exception.
    const failed = await tool.run('ECHO_FAIL', {})
    expect(failed.status).toBe(ResponseStatus.FAILED)
    expect(failed.completed).toBe(true)
    expect(failed.errorMessage).toContain('HTTP 404')
    expect(failed.additionalFields['supplierError']).toContain('no such thing here')
    expect(failed.data).toMatchObject({ upstreamStatus: 404 })

    // Input that breaks the action's schema: the hub answers 400, the SDK a FAILED response (§4.6).
    const invalid = await tool.run('ECHO_GET_ITEM', { item_id: 7 })
    expect(invalid.status).toBe(ResponseStatus.FAILED)
    expect(invalid.errorMessage).toMatch(/^Bad request: .* Details: .*'item_id' must be string/)
    expect(invalid.errorCode).toBe('AX-VAL-1000')
    expect(invalid.additionalFields['statusCode']).toBe(400)

    // runAsync stays on the v1 execute path; the hub answers a poll URL the SDK follows.
    const started = await tool.runAsync({ action: 'ECHO_GET_ITEM', data: { item_id: 'z9' } })
    expect(lastRequest().url).toBe(`${hub.url}/api/v1/execute/${id}`)
    expect(started.status).toBe(ResponseStatus.IN_PROGRESS)
    expect(started.url).toMatch(new RegExp(`^${hub.url}/api/v1/data/[0-9a-f-]{36}$`))
    const done = await tool.syncPoll(started.url!, { timeout: 30, waitTime: 0.2 })
    expect(lastRequest()).toMatchObject({ method: 'GET', url: started.url })
    expect(lastRequest().headers['x-api-key']).toBe(hub.key)
    expect(done).toMatchObject({ status: ResponseStatus.SUCCESS, completed: true, data: { ok: true, path: '/eu/items/z9' } })

    // Agent parameters: none without a scope (with the v1 warning), the scoped actions with inputs after.
    warnings.length = 0
    expect(tool.actionScope).toBeUndefined()
    expect(await tool.getParameters()).toEqual([])
    expect(warnings).toEqual(['No action_scope is specified, by default all 4 actions will be included in Agent execution'])
    tool.actionScope = tool.actions.filter((a) => a.code !== 'ECHO_FAIL' && a.code !== 'REQUEST')
    const parameters = await tool.getParameters()
    expect(parameters.map((p) => [p.code, p.name, Object.keys(p.inputs ?? {})])).toEqual([
      ['ECHO_GET_ITEM', 'Get item', ['item_id', 'limit']],
      ['ECHO_CREATE_ITEM', 'Create item', ['title', 'tags']],
    ])

    await tool.delete()
    expect(lastRequest()).toMatchObject({ method: 'DELETE', url: `${hub.url}/sdk/models/${id}` })
    expect(lastRequest().headers['authorization']).toBe(`Token ${hub.key}`)
    const gone = await client.ModelFactory.get(id).catch((error: unknown) => error)
    expect(gone).toBeInstanceOf(ResourceError)
    expect(gone).toMatchObject({ statusCode: 404, code: 'AX-RES-1000' })
    expect(String(gone)).toMatch(new RegExp(`^ResourceError \\[AX-RES-1000\\]: Model GET Error: Failed to retrieve model ${id}\\. Status Code: 404`))
    // Deleting again: the SDK's deletion error, of the 404 class.
    await expect(tool.delete()).rejects.toThrow(ResourceError)
    await expect(tool.delete()).rejects.toThrow('Model Deletion Error: Make sure the model exists and you are the owner.')
    const afterDelete = await tool.run('ECHO_GET_ITEM', { item_id: '1' })
    expect(afterDelete.status).toBe(ResponseStatus.FAILED)
    expect(afterDelete.errorMessage).toMatch(/^Resource not found: /)
  })

  it('a catalog integration cannot be deleted: ResourceError (403)', async () => {
    const integration = await client.IntegrationFactory.get({ name: 'Echo' })
    const error = await integration.delete().catch((e: unknown) => e)
    expect(error).toBeInstanceOf(ResourceError)
    expect(error).toMatchObject({ statusCode: 403 })
  })
})

describe('errors raised by the SDK before anything is sent', () => {
  it('an unsupported scheme lists the supported ones; a missing input is named; nothing reaches the hub', async () => {
    const integration = await client.IntegrationFactory.get({ name: 'Echo' })
    const before = sent.length
    const unsupported = await integration.connect(AuthenticationSchema.OAUTH2, { name: 'x' }).catch((e: unknown) => e)
    expect(unsupported).toBeInstanceOf(ValidationError)
    expect((unsupported as Error).message).toBe(
      'Authentication schema OAUTH2 is not supported for this integration. ' + 'Supported authentication methods: ["BEARER_TOKEN","API_KEY","BASIC","NO_AUTH"]',
    )
    const missing = await integration.connect(AuthenticationSchema.BASIC, { data: { region: 'eu', username: 'ada' }, name: 'x' }).catch((e: unknown) => e)
    expect(missing).toBeInstanceOf(ValidationError)
    expect((missing as Error).message).toContain("'password' is missing")
    expect((missing as Error).message).toContain('Parameters ["region","username","password"] are required for Echo BASIC authentication')
    const noToken = await integration.connect(AuthenticationSchema.BEARER_TOKEN, { data: {} }).catch((e: unknown) => e)
    expect((noToken as Error).message).toBe("Parameter 'token' is required for Echo BEARER_TOKEN authentication. Please provide the parameter in the `data` object.")
    const noSchema = await integration.connect(undefined, { data: { token: 't' } }).catch((e: unknown) => e)
    expect(noSchema).toBeInstanceOf(ValidationError)
    expect(sent.length).toBe(before)
  })

  it('run without inputs is a TypeError; a wrong expected class is a ValidationError', async () => {
    const integration = await client.IntegrationFactory.get({ name: 'Echo' })
    const res = await integration.connect(AuthenticationSchema.NO_AUTH, { data: { region: 'eu' }, name: 'sdk-typeerror' })
    const tool = await client.ModelFactory.get(res.data.id, { expect: ConnectionTool })
    await expect(tool.run('ECHO_GET_ITEM')).rejects.toThrow("run() missing required argument: 'inputs'")
    await expect(tool.run('ECHO_GET_ITEM')).rejects.toThrow(TypeError)
    await expect(client.ModelFactory.get(integration.id, { expect: ConnectionTool })).rejects.toThrow(ValidationError)
    await tool.delete()
  })
})

describe('configuration and keys', () => {
  it('the static factories read TEAM_API_KEY, BACKEND_URL and MODELS_RUN_URL from the environment', async () => {
    vi.stubEnv('TEAM_API_KEY', hub.key)
    vi.stubEnv('AIXPLAIN_API_KEY', '')
    vi.stubEnv('BACKEND_URL', hub.url)
    vi.stubEnv('MODELS_RUN_URL', `${hub.url}/api/v1/execute`)
    const integration = await IntegrationFactory.get({ name: 'Echo' })
    expect(integration.backendUrl).toBe(hub.url)
    expect(integration.url).toBe(`${hub.url}/api/v1/execute`)
    const res = await integration.connect(AuthenticationSchema.BEARER_TOKEN, { data: { token: 'tok-env-EEEE5555' }, name: 'from-env' })
    expect(res.status).toBe(ResponseStatus.SUCCESS)
    const tool = await ModelFactory.get(res.data.id)
    expect(tool).toBeInstanceOf(ConnectionTool)
    expect((tool as ConnectionTool).actions).toHaveLength(4) // three echo actions and the shared REQUEST
    await tool.delete()
  })

  it('AIXPLAIN_API_KEY works too; explicit options win over the environment', async () => {
    vi.stubEnv('TEAM_API_KEY', '')
    vi.stubEnv('AIXPLAIN_API_KEY', hub.key)
    vi.stubEnv('BACKEND_URL', hub.url)
    vi.stubEnv('MODELS_RUN_URL', '')
    const integration = await IntegrationFactory.get({ name: 'Echo' })
    expect(integration.url).toBe(`${hub.url}/api/v1/execute`) // derived from BACKEND_URL

    vi.stubEnv('AIXPLAIN_API_KEY', 'pb_wrong_key_from_env')
    vi.stubEnv('BACKEND_URL', 'http://127.0.0.1:9') // nothing listens there
    const explicit = await IntegrationFactory.get(integration.id, { config: { apiKey: hub.key, backendUrl: hub.url } })
    expect(explicit.id).toBe(integration.id)
  })

  it('no key anywhere is an AuthenticationError that says what to set', async () => {
    vi.stubEnv('TEAM_API_KEY', '')
    vi.stubEnv('AIXPLAIN_API_KEY', '')
    await expect(IntegrationFactory.get({ name: 'Echo' })).rejects.toThrow(AuthenticationError)
    await expect(IntegrationFactory.get({ name: 'Echo' })).rejects.toThrow(/TEAM_API_KEY/)
  })

  it('a wrong key is an AuthenticationError (401) on reads, and a FAILED run on execute', async () => {
    const wrong = createClient({ apiKey: 'pb_not_a_real_key', backendUrl: hub.url, env: {} })
    const error = await wrong.IntegrationFactory.get({ name: 'Echo' }).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(AuthenticationError)
    expect(error).toMatchObject({ statusCode: 401, code: 'AX-AUTH-1000' })
    expect((error as Error).message).toContain('Unknown API key')
    expect((error as Error).message).not.toContain('pb_not_a_real_key')
    await expect(wrong.ModelFactory.get('patchbay/echo')).rejects.toThrow(AuthenticationError)

    const good = await client.IntegrationFactory.get({ name: 'Echo' })
    const model = new Model({ id: good.id, apiKey: 'pb_not_a_real_key' }, { config: { backendUrl: hub.url, env: {} } })
    const run = await model.run({ action: 'LIST_ACTIONS', data: ' ' })
    expect(run.status).toBe(ResponseStatus.FAILED)
    expect(run.errorCode).toBe('AX-AUTH-1000')
    expect(run.errorMessage).toMatch(/^Unauthorized API key: /)
  })

  it("another tenant's connection is a ResourceError (404), like an unknown id", async () => {
    const integration = await client.IntegrationFactory.get({ name: 'Echo' })
    const res = await integration.connect(AuthenticationSchema.NO_AUTH, { data: { region: 'eu' }, name: 'private' })
    const other = createClient({ apiKey: await hub.newKey(), backendUrl: hub.url, env: {} })
    const error = await other.ModelFactory.get(res.data.id).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(ResourceError)
    expect(error).toMatchObject({ statusCode: 404 })
    expect(await other.IntegrationFactory.get({ name: 'Echo' })).toBeInstanceOf(Integration)
    await (await client.ModelFactory.get(res.data.id, { expect: ConnectionTool })).delete()
  })

  it('no secret used here appears in a hub log line', () => {
    const logs = hub.logs.join('\n')
    expect(logs.length).toBeGreaterThan(0)
    for (const secret of ['tok-sdk-AAAA1111', 'key-sdk-BBBB2222', 'pw-sdk-CCCC3333', 'tok-sdk-DDDD4444', 'tok-env-EEEE5555', hub.key]) {
      expect(logs).not.toContain(secret)
    }
  })
})
