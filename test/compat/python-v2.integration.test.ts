/**
 * aiXplain's real, unmodified Python SDK v2 (`Aixplain(api_key=…)`, run by ax-python) against a
 * real hub on a real port, on SQLite and PostgreSQL, configured through constructor arguments
 * and through environment variables: Integration.get (id and path) and search, connect for the
 * four key schemes (the Echo stand-in checks the credentials it receives), Tool.get, search,
 * list_actions, actions[…].inputs, run sync and async (run_async + sync_poll), save after a
 * rename, a reconnect through config + save, delete, Model.get, and list_trigger_types.
 *
 * PostgreSQL is mandatory under CI=true (test/support/postgres.ts); so is the SDK (./sdk.ts).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startEchoService, type EchoService } from '../support/echo-service.js'
import { createTestDatabase, dropTestDatabases, postgresAvailable } from '../support/postgres.js'
import { call, startTestHub, type TestHub } from '../support/test-hub.js'
import { failed, runSdk, sdkProblem, value, type SdkRun } from './sdk.js'

const problem = await sdkProblem()
const postgres = problem === undefined && (await postgresAvailable())
const SECRETS = ['tok-v2-AAAA1111', 'key-v2-BBBB2222', 'pw-v2-CCCC3333', 'tok-v2-NEW-4444']

const databases = [{ db: 'sqlite' }, ...(postgres ? [{ db: 'postgres' }] : [])]

describe.skipIf(problem !== undefined).each(databases)('aiXplain Python SDK v2 (real) against the hub on $db', ({ db }) => {
  let echo: EchoService
  let hub: TestHub
  let integrationId: string
  const runs: Record<string, SdkRun> = {}

  const scenario = (config: 'args' | 'env', suffix: string) => ({
    mode: 'echo',
    config,
    ...(config === 'args' ? { api_key: hub.key, backend_url: hub.url, model_url: `${hub.url}/api/v2/execute` } : {}),
    integration_id: integrationId,
    integration_path: 'patchbay/echo',
    query: 'Echo',
    rename_to: `v2-renamed-${suffix}`,
    reconnect_data: { region: 'us', token: 'tok-v2-NEW-4444' },
    connections: [
      {
        label: 'bearer',
        scheme: 'BEARER_TOKEN',
        name: `v2-bearer-${suffix}`,
        data: { region: 'eu', token: 'tok-v2-AAAA1111' },
        runs: [
          { action: 'ECHO_GET_ITEM', data: { item_id: `p-${suffix}`, limit: 3 } },
          { action: 'ECHO_FAIL', data: {} },
        ],
      },
      // No authScheme: the hub infers API_KEY from the data's keys.
      { label: 'api_key', name: `v2-key-${suffix}`, data: { region: 'us', api_key: 'key-v2-BBBB2222' }, runs: [{ action: 'ECHO_CREATE_ITEM', data: { title: `t-${suffix}` } }] },
      {
        label: 'basic',
        scheme: 'BASIC',
        name: `v2-basic-${suffix}`,
        data: { region: 'ap', username: 'ada', password: 'pw-v2-CCCC3333' },
        runs: [{ action: 'ECHO_GET_ITEM', data: { item_id: `b-${suffix}` } }],
      },
      { label: 'none', scheme: 'NO_AUTH', name: `v2-none-${suffix}`, data: { region: 'eu' }, runs: [{ action: 'ECHO_GET_ITEM', data: { item_id: `n-${suffix}` } }] },
    ],
  })

  beforeAll(async () => {
    echo = await startEchoService()
    hub = await startTestHub({ catalogDirs: [echo.catalogDir], ...(db === 'postgres' ? { databaseUrl: await createTestDatabase() } : {}) })
    const found = await call(hub, 'GET', '/v2/integrations/patchbay%2Fecho')
    integrationId = found.body.id
    // The two configurations run one after the other (names differ, so both can coexist).
    runs['args'] = await runSdk('aixplain_v2_flows.py', scenario('args', 'args'))
    runs['env'] = await runSdk('aixplain_v2_flows.py', scenario('env', 'env'), {
      TEAM_API_KEY: hub.key,
      BACKEND_URL: hub.url,
      MODELS_RUN_URL: `${hub.url}/api/v2/execute`,
    })
  }, 240_000)
  afterAll(async () => {
    await hub?.close()
    await echo?.close()
    if (db === 'postgres') await dropTestDatabases()
  })

  describe.each(['args', 'env'] as const)('configured through %s', (config) => {
    const r = () => runs[config] as SdkRun
    const at = (path: string) => echo.upstream.received.find((x) => x.path === path)

    it('runs to the end and points at the hub', () => {
      expect(r().code, r().stderr).toBe(0)
      expect(value(r(), 'config')).toEqual({ backend: hub.url, models: `${hub.url}/api/v2/execute`, key: true })
    })

    it('Integration.get by id and by path, Integration.search, list_actions, list_trigger_types', () => {
      expect(value(r(), 'integration_get')).toEqual({
        id: integrationId,
        name: 'Echo',
        status: 'onboarded',
        path: 'patchbay/echo',
        function_type: 'connector',
        auth_schemes: ['BEARER_TOKEN', 'API_KEY', 'BASIC', 'NO_AUTH'],
        connection_type: ['synchronous'],
      })
      expect(value(r(), 'integration_get_by_path')).toBe(integrationId)
      expect(value(r(), 'integration_search')).toEqual({ total: 1, page_total: 1, names: ['Echo'] })
      expect(value(r(), 'integration_list_actions')).toEqual(['ECHO_GET_ITEM', 'ECHO_CREATE_ITEM', 'ECHO_FAIL', 'REQUEST'])
      expect(value(r(), 'integration_list_trigger_types')).toEqual([
        {
          slug: 'ECHO_NEW_ITEM',
          name: 'New item',
          type: 'poll',
          config: { type: 'object', required: ['item_id'], properties: { item_id: { type: 'string', description: 'Item to watch' } } },
          payload: { type: 'object', properties: { id: { type: 'string' } } },
        },
      ])
      const unknown = failed(r(), 'integration_get_unknown')
      expect(unknown.error).toBe('APIError')
      expect(unknown.status).toBe(404)
      expect(unknown.message).toContain('No integration or connection with id 0123456789abcdef01234567')
    })

    it('connect for BEARER_TOKEN, API_KEY (scheme inferred), BASIC and NO_AUTH; Tool.get; list_actions', () => {
      for (const [label, scheme] of [
        ['bearer', 'BEARER_TOKEN'],
        ['api_key', 'API_KEY'],
        ['basic', 'BASIC'],
        ['none', 'NO_AUTH'],
      ] as const) {
        const tool = value(r(), `connect[${label}]`)
        expect(tool.id).toMatch(/^[0-9a-f]{24}$/)
        expect(tool).toMatchObject({ status: 'onboarded', integration_id: integrationId, function_type: 'connection', redirect_url: null })
        expect(tool.description).toContain(`Authentication scheme used for this connections: ${scheme}`)
        expect(value(r(), `tool_get[${label}]`)).toMatchObject({ id: tool.id, name: tool.name })
        expect(value(r(), `list_actions[${label}]`)).toEqual(['ECHO_GET_ITEM', 'ECHO_CREATE_ITEM', 'ECHO_FAIL', 'REQUEST'])
      }
    })

    it('tool.run: each scheme sends its own credentials; a failing service is a FAILED result', () => {
      expect(value(r(), 'run[bearer:ECHO_GET_ITEM]')).toMatchObject({ status: 'SUCCESS', completed: true, data: { ok: true, path: `/eu/items/p-${config}` } })
      expect(at(`/eu/items/p-${config}`)?.headers.authorization).toBe('Bearer tok-v2-AAAA1111')
      expect(at(`/eu/items/p-${config}`)?.query.get('limit')).toBe('3')
      // v2 raises on a FAILED result (create_operation_failed_error), with the service's answer.
      const fail = failed(r(), 'run[bearer:ECHO_FAIL]')
      expect(fail.error).toBe('APIError')
      expect(fail.message).toContain('no such thing here')
      expect(value(r(), 'run[api_key:ECHO_CREATE_ITEM]')).toMatchObject({ status: 'SUCCESS', data: { ok: true, path: '/us/items' } })
      const created = echo.upstream.received.find((x) => x.path === '/us/items' && x.body.includes(`t-${config}`))
      expect(created?.headers['x-api-key']).toBe('key-v2-BBBB2222')
      expect(created?.headers.authorization).toBeUndefined()
      expect(value(r(), 'run[basic:ECHO_GET_ITEM]')).toMatchObject({ status: 'SUCCESS', data: { path: `/ap/items/b-${config}` } })
      expect(at(`/ap/items/b-${config}`)?.headers.authorization).toBe(`Basic ${Buffer.from('ada:pw-v2-CCCC3333').toString('base64')}`)
      expect(value(r(), 'run[none:ECHO_GET_ITEM]')).toMatchObject({ status: 'SUCCESS', data: { path: `/eu/items/n-${config}` } })
      expect(at(`/eu/items/n-${config}`)?.headers.authorization).toBeUndefined()
      expect(at(`/eu/items/n-${config}`)?.headers['x-api-key']).toBeUndefined()
    })

    it('actions[…].inputs, run_async + sync_poll (the v1 rewrite), Tool.search, Model.get of an integration and of a tool', () => {
      expect(value(r(), 'inputs')).toEqual({ keys: ['item_id', 'limit'], required: ['item_id'] })
      const async = value(r(), 'run_async')
      expect(async.started).toMatchObject({ status: 'IN_PROGRESS', completed: false })
      expect(async.started.url).toMatch(new RegExp(`^${hub.url.replace(/[.:/]/g, '\\$&')}/api/v1/data/[0-9a-f-]{36}$`))
      expect(async.done).toMatchObject({ status: 'SUCCESS', completed: true, data: { ok: true, path: '/eu/items/a1' } })
      const search = value(r(), 'tool_search')
      for (const label of ['bearer', 'key', 'basic', 'none']) expect(search.names).toContain(`v2-${label}-${config}`)
      expect(search.total).toBe(search.names.length)
      expect(value(r(), 'model_get_integration')).toEqual({ cls: 'Model', id: integrationId, function_type: 'connector', function: 'utilities' })
      expect(value(r(), 'model_get_tool')).toMatchObject({ cls: 'Model', function_type: 'connection', connection_type: ['synchronous'] })
      expect(value(r(), 'tool_list_trigger_types')).toEqual(['ECHO_NEW_ITEM', 'ECHO_NEW_ITEM'])
    })

    it('save after a rename (PUT sdk/utilities), then a reconnect through config + save with new credentials', () => {
      const rename = value(r(), 'save_rename')
      expect(rename.name).toBe(`v2-renamed-${config}`)
      // The scheme suffix stays exactly once.
      expect(rename.description.split('Authentication scheme used for this connections').length).toBe(2)
      const bearer = value(r(), 'connect[bearer]')
      const again = value(r(), 'reconnect')
      expect(again).toMatchObject({ id: bearer.id, name: `v2-renamed-${config}`, status: 'onboarded' })
      expect(again.run).toMatchObject({ status: 'SUCCESS', data: { path: '/us/items/r1' } })
      const received = echo.upstream.received.filter((x) => x.path === '/us/items/r1').map((x) => x.headers.authorization)
      expect(received).toContain('Bearer tok-v2-NEW-4444')
    })

    it('tool.delete(): then Tool.get answers 404', () => {
      for (const label of ['bearer', 'api_key', 'basic', 'none']) {
        expect(value(r(), `delete[${label}]`)).toBe('SUCCESS')
        const gone = failed(r(), `deleted_get[${label}]`)
        expect(gone.status).toBe(404)
      }
    })
  })

  it('no secret reaches the SDK output or a hub log line', () => {
    for (const run of Object.values(runs)) {
      for (const secret of [...SECRETS, hub.key]) expect(run.stdout + run.stderr).not.toContain(secret)
    }
    for (const secret of SECRETS) expect(hub.logs.join('\n')).not.toContain(secret)
  })
})
