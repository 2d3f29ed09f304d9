/**
 * aiXplain's Python SDK (v1, replayed by test/compat/aixplain_v1_replay.py) connecting an OAuth 2
 * integration: connect sends no `data` and warns with the redirect URL; after the user grants
 * access at the provider (the real oidc-provider), the same SDK runs an action and deletes.
 */
import { mkdtemp, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { acmeDefinition, followAuthorization, startOAuth2Server, type OAuth2TestServer } from '../support/oauth2-server.js'
import { call, startTestHub, type TestHub } from '../support/test-hub.js'
import { okDetail, replayProblem, runReplay } from './replay.js'

const problem = replayProblem()

describe.skipIf(problem !== undefined)('aiXplain Python SDK v1 with OAuth 2', () => {
  let as: OAuth2TestServer
  let hub: TestHub
  let env: Record<string, string>

  beforeAll(async () => {
    as = await startOAuth2Server()
    const dir = await mkdtemp(join(tmpdir(), 'patchbay-pyoauth-'))
    await writeFile(join(dir, 'acme.json'), JSON.stringify(acmeDefinition(as.url)))
    hub = await startTestHub({ catalogDirs: [dir] })
    as.configure(`${hub.url}/oauth/callback`)
    await call(hub, 'PUT', '/admin/oauth-apps/acme', { clientId: as.clientId, clientSecret: as.clientSecret })
    env = { BACKEND_URL: hub.url, MODELS_RUN_URL: `${hub.url}/api/v1/execute`, TEAM_API_KEY: hub.key }
  })

  afterAll(async () => {
    await hub?.close()
    await as?.close()
  })

  it('connects without data, warns with the redirect URL, and runs once the user granted access', async () => {
    const first = await runReplay({ mode: 'oauth_connect', integration: 'Acme', scheme: 'OAUTH2', name: 'py-oauth' }, env)
    expect(first.lines.filter((l) => l.startsWith('FAIL')), first.stdout).toEqual([])
    expect(first.code).toBe(0)
    const connect = first.lines.find((l) => l.startsWith('HTTP POST /api/v2/execute/'))
    expect(connect).toContain('body={"name": "py-oauth", "description": null, "authScheme": "OAUTH2"} -> 200')
    const [, id, redirect] = /^id=([0-9a-f]{24}) redirect=(\S+)$/.exec(okDetail(first.lines, 'oauth_connect') ?? '') ?? []
    expect(okDetail(first.lines, 'oauth_warning')).toBe(`Before using the tool, please visit the following URL to complete the connection: ${redirect}`)

    const page = await followAuthorization(redirect as string, `${hub.url}/oauth/callback`)
    expect(page.body).toContain('you can close this window')

    const second = await runReplay(
      {
        mode: 'existing_connection',
        connection: { id, label: 'oauth', name: 'py-oauth', expect_actions: ['ACME_GET_THING'], runs: [{ action: 'ACME_GET_THING', inputs: { id: '9' }, expect_data: { ok: true, path: '/api/things/9' } }] },
      },
      env,
    )
    expect(second.lines.filter((l) => l.startsWith('FAIL')), second.stdout).toEqual([])
    expect(second.lines.at(-1)).toBe('OK done')
    expect(okDetail(second.lines, 'delete[oauth]')).toBe(id)
  })
})
