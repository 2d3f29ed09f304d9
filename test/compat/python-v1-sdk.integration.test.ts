/**
 * aiXplain's real, unmodified Python SDK v1 (`aixplain.factories`, run by ax-python) against a
 * real hub, on SQLite and PostgreSQL: every call the v1 replay (aixplain_v1_replay.py) covers —
 * IntegrationFactory.list/get (name, id, path), authentication_methods, the SDK-side errors,
 * connect for the four key schemes, ModelFactory.get, actions, get_action_inputs, run (and a
 * failing run), run_async + poll + sync_poll, delete, a wrong key, OAuth 2 and MCP connections.
 * Configured through BACKEND_URL, MODELS_RUN_URL and TEAM_API_KEY (v1 has no other way).
 */
import { mkdtemp, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startEchoService, type EchoService } from '../support/echo-service.js'
import { startMcpPeer, type McpPeer } from '../support/mcp-peer.js'
import { acmeDefinition, followAuthorization, startOAuth2Server, type OAuth2TestServer } from '../support/oauth2-server.js'
import { createTestDatabase, dropTestDatabases, postgresAvailable } from '../support/postgres.js'
import { call, startTestHub, type TestHub } from '../support/test-hub.js'
import { failed, runSdk, sdkProblem, value, type SdkRun } from './sdk.js'

const problem = await sdkProblem()
const postgres = problem === undefined && (await postgresAvailable())
const databases = [{ db: 'sqlite' }, ...(postgres ? [{ db: 'postgres' }] : [])]
const SECRETS = ['tok-v1-AAAA1111', 'key-v1-BBBB2222', 'pw-v1-CCCC3333', 'tok-v1-unused-9999']
const ACTIONS = [
  ['ECHO_GET_ITEM', 'Get item'],
  ['ECHO_CREATE_ITEM', 'Create item'],
  ['ECHO_FAIL', 'Fail'],
  ['REQUEST', 'Send request'],
]

describe.skipIf(problem !== undefined).each(databases)('aiXplain Python SDK v1 (real) against the hub on $db', ({ db }) => {
  let echo: EchoService
  let as: OAuth2TestServer
  let peer: McpPeer
  let hub: TestHub
  let env: Record<string, string>
  let r: SdkRun

  beforeAll(async () => {
    ;[echo, as, peer] = await Promise.all([startEchoService(), startOAuth2Server(), startMcpPeer()])
    const dir = await mkdtemp(join(tmpdir(), 'patchbay-v1oauth-'))
    await writeFile(join(dir, 'acme.json'), JSON.stringify(acmeDefinition(as.url)))
    hub = await startTestHub({ catalogDirs: [echo.catalogDir, dir], ...(db === 'postgres' ? { databaseUrl: await createTestDatabase() } : {}) })
    as.configure(`${hub.url}/oauth/callback`)
    await call(hub, 'PUT', '/admin/oauth-apps/acme', { clientId: as.clientId, clientSecret: as.clientSecret })
    env = { BACKEND_URL: hub.url, MODELS_RUN_URL: `${hub.url}/api/v1/execute`, TEAM_API_KEY: hub.key }
    r = await runSdk(
      'aixplain_v1_flows.py',
      {
        mode: 'echo',
        integration: 'Echo',
        integration_path: 'patchbay/echo',
        query: 'Echo',
        unsupported_scheme: 'OAUTH2',
        missing_parameter: { scheme: 'BEARER_TOKEN', data: { token: 'tok-v1-unused-9999' } },
        model_get_404: '0123456789abcdef01234567',
        integration_name_missing: 'echo',
        connections: [
          {
            label: 'bearer',
            scheme: 'BEARER_TOKEN',
            name: 'v1-bearer',
            description: 'from python',
            data: { region: 'eu', token: 'tok-v1-AAAA1111' },
            inspect_action: 'ECHO_GET_ITEM',
            runs: [
              { action: 'ECHO_GET_ITEM', inputs: { item_id: 'p1', limit: 3 } },
              { action: 'ECHO_FAIL', inputs: {} },
              { action: 'ECHO_GET_ITEM', tag: 'async', mode: 'async', inputs: { item_id: 'p2' } },
            ],
          },
          {
            label: 'api_key',
            scheme: 'API_KEY',
            name: 'v1-key',
            data: { region: 'us', api_key: 'key-v1-BBBB2222' },
            runs: [{ action: 'ECHO_CREATE_ITEM', inputs: { title: 'from python', tags: ['x'] } }],
          },
          {
            label: 'basic',
            scheme: 'BASIC',
            name: 'v1-basic',
            data: { region: 'ap', username: 'ada', password: 'pw-v1-CCCC3333' },
            runs: [{ action: 'ECHO_GET_ITEM', inputs: { item_id: 'b1' } }],
          },
          { label: 'none', scheme: 'NO_AUTH', name: 'v1-none', data: { region: 'eu' }, runs: [{ action: 'ECHO_GET_ITEM', inputs: { item_id: 'n1' } }] },
        ],
      },
      env,
    )
  }, 240_000)
  afterAll(async () => {
    await hub?.close()
    await Promise.all([echo?.close(), as?.close(), peer?.close()])
    if (db === 'postgres') await dropTestDatabases()
  })

  it('reads its configuration from the three variables', () => {
    expect(r.code, r.stderr).toBe(0)
    expect(value(r, 'config')).toEqual({ backend: hub.url, models: `${hub.url}/api/v1/execute`, key: true })
  })

  it('IntegrationFactory.list and get (by name, id and path), authentication_methods', () => {
    expect(value(r, 'integration_list')).toEqual({ total: 1, page_total: 1, page_number: 0, classes: ['Integration'], names: ['Echo'] })
    const byName = value(r, 'integration_get_by_name')
    expect(byName.repr).toMatch(/^Integration: Echo by aixplain \(id=[0-9a-f]{24}\)$/)
    expect(value(r, 'integration_get_by_id')).toBe(byName.repr)
    expect(value(r, 'integration_get_by_path')).toBe(byName.id)
    expect(value(r, 'authentication_methods')).toEqual(['BEARER_TOKEN', 'API_KEY', 'BASIC', 'NO_AUTH'])
  })

  it('the SDK-side checks raise its errors', () => {
    expect(failed(r, 'error_unsupported_scheme').message).toBe(
      "Authentication schema OAUTH2 is not supported for this integration. Supported authentication methods: ['BEARER_TOKEN', 'API_KEY', 'BASIC', 'NO_AUTH']",
    )
    expect(failed(r, 'error_missing_parameter').message).toContain("Parameters ['region', 'token'] are required for Echo BEARER_TOKEN authentication.")
    expect(failed(r, 'error_model_get_404').message).toMatch(/^Model GET Error: Failed to retrieve model 0123456789abcdef01234567\. Status Code: 404\. Error: /)
    expect(failed(r, 'error_integration_name_missing').message).toContain("Failed to retrieve integration 'echo'. No integration found with this exact name.")
  })

  it('connect, ModelFactory.get, actions, delete, then a 404 and a FAILED run: each key scheme', () => {
    for (const [label, name] of [
      ['bearer', 'v1-bearer'],
      ['api_key', 'v1-key'],
      ['basic', 'v1-basic'],
      ['none', 'v1-none'],
    ]) {
      const connect = value(r, `connect[${label}]`)
      expect(connect).toMatchObject({ status: 'SUCCESS', completed: true })
      expect(connect.data.id).toMatch(/^[0-9a-f]{24}$/)
      expect(value(r, `model_get[${label}]`)).toEqual({
        cls: 'ConnectionTool',
        repr: `ConnectionTool(id=${connect.data.id}, name=${name})`,
        name,
        status: 'onboarded',
        function: 'utilities',
        version: 'echo',
      })
      expect(value(r, `actions[${label}]`)).toEqual(ACTIONS)
      expect(value(r, `delete[${label}]`)).toBe(connect.data.id)
      expect(failed(r, `deleted_get[${label}]`).message).toContain('Status Code: 404')
      expect(value(r, `run_after_delete[${label}]`)).toMatchObject({ status: 'FAILED' })
      expect(value(r, `run_after_delete[${label}]`).error_message).toMatch(/^Resource not found: /)
    }
  })

  it("get_action_inputs, run, a failing run, run_async + poll + sync_poll; the service got each scheme's credentials", () => {
    expect(value(r, 'action_inputs[bearer]')).toEqual({ codes: ['item_id', 'limit'], required: ['item_id'] })
    expect(value(r, 'run[bearer:ECHO_GET_ITEM]')).toMatchObject({ status: 'SUCCESS', completed: true, data: { ok: true, path: '/eu/items/p1' } })
    expect(value(r, 'run[bearer:ECHO_FAIL]')).toMatchObject({ status: 'FAILED' })
    expect(value(r, 'run[bearer:ECHO_FAIL]').error_message).toContain('HTTP 404')
    const ack = value(r, 'run_async[bearer:async]')
    expect(ack).toMatchObject({ status: 'IN_PROGRESS', completed: false })
    expect(ack.url).toMatch(/\/api\/v1\/data\/[0-9a-f-]{36}$/)
    expect(ack.url.startsWith(hub.url)).toBe(true)
    expect(['SUCCESS', 'IN_PROGRESS']).toContain(value(r, 'poll[bearer:async]').status)
    expect(value(r, 'sync_poll[bearer:async]')).toMatchObject({ status: 'SUCCESS', completed: true, data: { ok: true, path: '/eu/items/p2' } })
    expect(value(r, 'run[api_key:ECHO_CREATE_ITEM]')).toMatchObject({ status: 'SUCCESS', data: { ok: true, path: '/us/items' } })
    const at = (path: string) => echo.upstream.received.find((x) => x.path === path)
    expect(at('/eu/items/p1')?.headers.authorization).toBe('Bearer tok-v1-AAAA1111')
    expect(at('/eu/items/p1')?.query.get('limit')).toBe('3')
    expect(at('/us/items')?.headers['x-api-key']).toBe('key-v1-BBBB2222')
    expect(at('/us/items')?.headers.authorization).toBeUndefined()
    expect(JSON.parse(at('/us/items')?.body ?? '')).toEqual({ title: 'from python', tags: ['x'] })
    expect(at('/ap/items/b1')?.headers.authorization).toBe(`Basic ${Buffer.from('ada:pw-v1-CCCC3333').toString('base64')}`)
    expect(at('/eu/items/n1')?.headers.authorization).toBeUndefined()
    expect(at('/eu/items/n1')?.headers['x-api-key']).toBeUndefined()
  })

  it('no secret reaches the SDK output or a hub log line', () => {
    for (const secret of [...SECRETS, hub.key]) expect(r.stdout + r.stderr).not.toContain(secret)
    for (const secret of SECRETS) expect(hub.logs.join('\n')).not.toContain(secret)
  })

  it('a wrong key: listing and get raise the SDK errors, a run is a FAILED "Unauthorized API key"', async () => {
    const integration = value(r, 'integration_get_by_name').id as string
    const wrong = await runSdk('aixplain_v1_flows.py', { mode: 'unauthorized', integration_id: integration }, { ...env, TEAM_API_KEY: 'pb_wrong_key_0000' })
    expect(wrong.code, wrong.stderr).toBe(0)
    expect(failed(wrong, 'unauthorized_list').message).toContain('Listing Models Error: Failed to retrieve models. Status Code: 401.')
    expect(failed(wrong, 'unauthorized_get').message).toContain(`Model GET Error: Failed to retrieve model ${integration}. Status Code: 401.`)
    expect(value(wrong, 'unauthorized_run')).toMatchObject({ status: 'FAILED' })
    expect(value(wrong, 'unauthorized_run').error_message).toMatch(
      /^Unauthorized API key: Please verify the spelling of the API key and its current validity\. Details: Unknown API key/,
    )
  }, 60_000)

  it('OAuth 2: connect warns with the redirect URL; after the grant the same SDK runs an action and deletes', async () => {
    const first = await runSdk('aixplain_v1_flows.py', { mode: 'oauth_connect', integration: 'Acme', scheme: 'OAUTH2', name: 'v1-oauth' }, env)
    expect(first.code, first.stderr).toBe(0)
    const connect = value(first, 'oauth_connect')
    expect(connect.status).toBe('SUCCESS')
    const { id, redirectURL } = connect.data as { id: string; redirectURL: string }
    expect(first.json.steps.oauth_connect.warnings).toEqual([`Before using the tool, please visit the following URL to complete the connection: ${redirectURL}`])
    const page = await followAuthorization(redirectURL, `${hub.url}/oauth/callback`)
    expect(page.body).toContain('you can close this window')
    const second = await runSdk(
      'aixplain_v1_flows.py',
      { mode: 'existing_connection', connection: { id, label: 'oauth', runs: [{ action: 'ACME_GET_THING', inputs: { id: '9' } }] } },
      env,
    )
    expect(second.code, second.stderr).toBe(0)
    expect(value(second, 'model_get[oauth]')).toMatchObject({ cls: 'ConnectionTool', name: 'v1-oauth', status: 'onboarded' })
    expect(value(second, 'run[oauth:ACME_GET_THING]')).toMatchObject({ status: 'SUCCESS', data: { ok: true, path: '/api/things/9' } })
    expect(value(second, 'delete[oauth]')).toBe(id)
  }, 120_000)

  it('MCP: connect sends only the URL, MCPConnection lists the tools, reads inputs, runs, sees a tool error, deletes', async () => {
    const m = await runSdk('aixplain_v1_flows.py', { mode: 'mcp', url: peer.mcpUrl, tool: 'add', inputs: { a: 20, b: 22 }, failing_tool: 'fail' }, env)
    expect(m.code, m.stderr).toBe(0)
    expect(value(m, 'mcp_connect')).toMatchObject({ status: 'SUCCESS' })
    expect(value(m, 'mcp_model_get')).toEqual({ cls: 'MCPConnection', function_type: 'mcpconnection' })
    expect(value(m, 'mcp_actions')).toEqual(['add', 'echo_headers', 'fail'])
    expect(value(m, 'mcp_action_inputs')).toEqual(['a', 'b'])
    expect(value(m, 'mcp_run')).toMatchObject({ status: 'SUCCESS', data: '42' })
    expect(value(m, 'mcp_run_failing')).toMatchObject({ status: 'FAILED' })
    expect(value(m, 'mcp_run_failing').error_message).toContain('it failed: no reason')
    expect(value(m, 'mcp_delete')).toBe(value(m, 'mcp_connect').data.id)
    expect(failed(m, 'mcp_deleted_get').message).toContain('Status Code: 404')
  }, 120_000)
})
