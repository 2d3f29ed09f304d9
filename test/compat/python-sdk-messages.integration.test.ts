/**
 * Issue 11 item 16, checked with aiXplain's real, unmodified Python SDK (v1 and v2, run by
 * ax-python) against a real hub: what the SDK shows for a run on a PENDING connection (the real
 * oidc-provider's authorization not completed), a run on an MCP connection whose server (the
 * official SDK's McpServer) refuses the token with 401, and a poll of an unknown run. Each must
 * name the real reason: not "Unspecified Client Error", not "Gateway timeout", not a bare
 * `'completed'`.
 */
import { mkdtemp, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startMcpPeer, type McpPeer } from '../support/mcp-peer.js'
import { acmeDefinition, startOAuth2Server, type OAuth2TestServer } from '../support/oauth2-server.js'
import { createTestDatabase, dropTestDatabases, postgresAvailable } from '../support/postgres.js'
import { call, startTestHub, type TestHub } from '../support/test-hub.js'
import { runSdk, sdkProblem, type SdkRun } from './sdk.js'

const problem = await sdkProblem()
const postgres = problem === undefined && (await postgresAvailable())
const databases = [{ db: 'sqlite' }, ...(postgres ? [{ db: 'postgres' }] : [])]
const MCP = '686eb9cd26480723d0634d3e'
const TOKEN = 'mcp-token-4e1f9a2b'
const UNKNOWN_RUN = '00000000-0000-4000-8000-0000000000aa'
const MISLEADING = [/Unspecified Client Error/i, /Gateway timeout/i, /^'?completed'?$/]

describe.skipIf(problem !== undefined).each(databases)('messages aiXplain Python SDK (real) shows for a failed run or poll, on $db', ({ db }) => {
  let as: OAuth2TestServer
  let peer: McpPeer
  let hub: TestHub
  let scenario: Record<string, unknown>
  const runs: Record<string, SdkRun> = {}

  beforeAll(async () => {
    ;[as, peer] = await Promise.all([startOAuth2Server(), startMcpPeer({ token: TOKEN })])
    const dir = await mkdtemp(join(tmpdir(), 'patchbay-sdkmsg-'))
    await writeFile(join(dir, 'acme.json'), JSON.stringify(acmeDefinition(as.url)))
    hub = await startTestHub({ catalogDirs: [dir], ...(db === 'postgres' ? { databaseUrl: await createTestDatabase() } : {}) })
    as.configure(`${hub.url}/oauth/callback`)
    await call(hub, 'PUT', '/admin/oauth-apps/acme', { clientId: as.clientId, clientSecret: as.clientSecret })
    const pending = await call(hub, 'POST', '/api/v2/execute/acme', { name: 'never granted', authScheme: 'OAUTH2' })
    expect(pending.status, pending.text).toBe(200)
    const mcp = await call(hub, 'POST', `/api/v2/execute/${MCP}`, { name: 'refusing MCP', data: { url: peer.mcpUrl, token: TOKEN } })
    expect(mcp.status, mcp.text).toBe(200)
    peer.setToken('rotated-at-the-server') // from now on the server answers 401 to the stored token
    scenario = {
      pending_id: pending.body.data.id,
      pending_action: 'ACME_GET_THING',
      refused_id: mcp.body.data.id,
      refused_action: 'add',
      unknown_poll_url: `${hub.url}/api/v1/data/${UNKNOWN_RUN}`,
    }
  }, 120_000)
  afterAll(async () => {
    await hub?.close()
    await Promise.all([as?.close(), peer?.close()])
    if (db === 'postgres') await dropTestDatabases()
  })

  /**
   * What the SDK showed for a step: the warnings it printed, then the error_message of a returned
   * response or the exception's text.
   */
  const shown = async (sdk: 'v1' | 'v2', name: string): Promise<string> => {
    runs[sdk] ??= await runSdk('aixplain_messages.py', { sdk, ...scenario }, { BACKEND_URL: hub.url, MODELS_RUN_URL: `${hub.url}/api/${sdk}/execute`, TEAM_API_KEY: hub.key })
    const r = runs[sdk] as SdkRun
    expect(r.code, r.stderr).toBe(0)
    const s = r.json?.steps?.[name]
    expect(s, r.stdout).toBeDefined()
    const text = s.ok ? String(s.value.error_message ?? '') : String(s.message)
    if (s.ok) expect(s.value.status).toBe('FAILED')
    for (const bad of MISLEADING) expect(text).not.toMatch(bad)
    return [...(s.warnings ?? []), text].join('\n')
  }

  for (const sdk of ['v1', 'v2'] as const) {
    it(`${sdk}: a run on a PENDING connection says it waits for the user to grant access`, async () => {
      const text = await shown(sdk, 'pending_run')
      expect(text).toContain('PENDING until the user grants access')
    }, 120_000)

    it(`${sdk}: a run on an MCP connection whose server answers 401 says the server refused the token`, async () => {
      const text = await shown(sdk, 'refused_run')
      expect(text).toMatch(/refused the token .*reconnect/)
      // v2 reads the action's inputs (LIST_INPUTS) before the run: the hub's 400 there is shown as
      // the SDK's warning "Error listing inputs: <reason>", before the SDK's own ValueError (its
      // fallback to the integration's inputs finds none). A FAILED 200 there was read as "no
      // inputs", and the reason was shown nowhere.
      if (sdk === 'v2') expect(text).toMatch(/^Error listing inputs: The MCP server at .* refused the token/)
    }, 120_000)

    it(`${sdk}: a poll of an unknown run says there is no such run`, async () => {
      const text = await shown(sdk, 'unknown_poll')
      expect(text).toContain(`No run with id ${UNKNOWN_RUN}`)
    }, 120_000)
  }
})
