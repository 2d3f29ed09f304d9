/**
 * aiXplain's real Python SDK v2 (ax-python) against a real hub, on SQLite and PostgreSQL:
 * an OAUTH2 connect (a redirect URL, the user grants access at the real oidc-provider, then the
 * tool is ACTIVE and runs), an MCP connection (connect with a URL, list the tools, run, delete),
 * and a connect whose follow-up read fails (the tool is still listed, readable and deletable).
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
import { failed, runSdk, sdkProblem, value } from './sdk.js'

const problem = await sdkProblem()
const postgres = problem === undefined && (await postgresAvailable())
const databases = [{ db: 'sqlite' }, ...(postgres ? [{ db: 'postgres' }] : [])]
const MCP_INTEGRATION = '686eb9cd26480723d0634d3e'

describe.skipIf(problem !== undefined).each(databases)('aiXplain Python SDK v2 (real): OAuth 2, MCP, a failed follow-up read, on $db', ({ db }) => {
  let as: OAuth2TestServer
  let echo: EchoService
  let peer: McpPeer
  let hub: TestHub
  let env: Record<string, string>

  beforeAll(async () => {
    ;[as, echo, peer] = await Promise.all([startOAuth2Server(), startEchoService(), startMcpPeer()])
    const dir = await mkdtemp(join(tmpdir(), 'patchbay-v2oauth-'))
    await writeFile(join(dir, 'acme.json'), JSON.stringify(acmeDefinition(as.url)))
    hub = await startTestHub({ catalogDirs: [dir, echo.catalogDir], ...(db === 'postgres' ? { databaseUrl: await createTestDatabase() } : {}) })
    as.configure(`${hub.url}/oauth/callback`)
    await call(hub, 'PUT', '/admin/oauth-apps/acme', { clientId: as.clientId, clientSecret: as.clientSecret })
    env = { TEAM_API_KEY: hub.key, BACKEND_URL: hub.url, MODELS_RUN_URL: `${hub.url}/api/v2/execute` }
  })
  afterAll(async () => {
    await hub?.close()
    await Promise.all([as?.close(), echo?.close(), peer?.close()])
    if (db === 'postgres') await dropTestDatabases()
  })

  it('OAUTH2: connect answers a pending tool with the redirect URL; after the callback it is ACTIVE and runs', async () => {
    const acme = (await call(hub, 'GET', '/v2/integrations/acme')).body.id as string
    const first = await runSdk('aixplain_v2_flows.py', {
      mode: 'oauth_connect',
      config: 'args',
      api_key: hub.key,
      backend_url: hub.url,
      model_url: `${hub.url}/api/v2/execute`,
      integration_id: acme,
      name: 'v2-oauth',
    })
    expect(first.code, first.stderr).toBe(0)
    const tool = value(first, 'connect')
    expect(tool).toMatchObject({ name: 'v2-oauth', status: 'pending', integration_id: acme })
    expect(tool.redirect_url).toMatch(new RegExp(`^${as.url}/auth\\?`))
    expect(first.json.steps.connect.warnings).toEqual([`Before using the tool, please visit the following URL to complete the connection: ${tool.redirect_url}`])

    const page = await followAuthorization(tool.redirect_url, `${hub.url}/oauth/callback`)
    expect(page.body).toContain('you can close this window')

    const after = await runSdk('aixplain_v2_flows.py', { mode: 'oauth_after', config: 'env', tool_id: tool.id, action: 'ACME_GET_THING', data: { id: '9' } }, env)
    expect(after.code, after.stderr).toBe(0)
    expect(value(after, 'tool_get')).toMatchObject({ id: tool.id, status: 'onboarded' })
    expect(value(after, 'list_actions')).toContain('ACME_GET_THING')
    expect(value(after, 'run')).toMatchObject({ status: 'SUCCESS', data: { ok: true, path: '/api/things/9' } })
    expect(value(after, 'delete')).toBe('SUCCESS')
    expect(failed(after, 'deleted_get').status).toBe(404)
  }, 120_000)

  it('MCP: connect with a URL, list the tools, read inputs, run one, delete', async () => {
    const r = await runSdk('aixplain_v2_flows.py', { mode: 'mcp', config: 'env', integration_id: MCP_INTEGRATION, url: peer.mcpUrl, tool: 'add', inputs: { a: 20, b: 22 } }, env)
    expect(r.code, r.stderr).toBe(0)
    expect(value(r, 'connect')).toMatchObject({ status: 'onboarded', function_type: 'mcpconnection', integration_id: MCP_INTEGRATION })
    expect(value(r, 'list_actions')).toEqual(['add', 'echo_headers', 'fail'])
    expect(value(r, 'inputs')).toEqual(['a', 'b'])
    expect(value(r, 'run')).toMatchObject({ status: 'SUCCESS', data: '42' }) // the tool's text answer
    expect(peer.calls.filter((c) => c.name === 'add').at(-1)?.args).toEqual({ a: 20, b: 22 })
    expect(value(r, 'delete')).toBe('SUCCESS')
    expect(failed(r, 'deleted_get').status).toBe(404)
  }, 120_000)

  it('a connect whose follow-up read fails leaves a tool the user sees in Tool.search, can read and delete', async () => {
    const echoId = (await call(hub, 'GET', '/v2/integrations/patchbay%2Fecho')).body.id as string
    const r = await runSdk('aixplain_v2_flows.py', { mode: 'orphan', config: 'env', integration_id: echoId, name: 'v2-flaky', data: { region: 'eu' } }, env)
    expect(r.code, r.stderr).toBe(0)
    expect(failed(r, 'connect').message).toContain('connection dropped')
    const [[id, name, status]] = value(r, 'tool_search')
    expect([name, status]).toEqual(['v2-flaky', 'onboarded'])
    expect(id).toMatch(/^[0-9a-f]{24}$/)
    expect(value(r, 'tool_get')).toBe('v2-flaky')
    // Connecting again under the same name says why, rather than making a second one.
    expect(failed(r, 'connect_again').message).toContain('Name already exists')
    expect(value(r, 'delete')).toBe('SUCCESS')
    expect(value(r, 'tool_search_after')).toBe(0)
  }, 120_000)
})
