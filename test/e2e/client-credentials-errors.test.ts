import { mkdtemp, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { acmeDefinition } from '../support/oauth2-server.js'
import { call, startTestHub, type TestHub } from '../support/test-hub.js'
import { startUpstream, type Upstream } from '../support/upstream.js'

/**
 * Issue 11 item 6 (OAuth client credentials): a token endpoint answering 500 or 302 made the
 * connect answer 500. It answers 502 with the provider's error; a refused client 400.
 */
describe('client credentials connect against a failing token endpoint', () => {
  let hub: TestHub
  let provider: Upstream
  let answer: { status: number; headers?: Record<string, string>; body: unknown } = { status: 500, body: { error: 'server_error', error_description: 'database down' } }
  beforeAll(async () => {
    provider = await startUpstream(() => answer)
    const dir = await mkdtemp(join(tmpdir(), 'patchbay-cc-'))
    const def = acmeDefinition(provider.url, {
      id: 'flaky-m2m',
      name: 'Flaky M2M',
      oauth2: { authorizationUrl: undefined, revocationUrl: undefined, issuer: undefined, grant: 'client_credentials', scopes: ['api:read'] },
    })
    await writeFile(join(dir, 'flaky-m2m.json'), JSON.stringify(def))
    hub = await startTestHub({ catalogDirs: [dir] })
    expect((await call(hub, 'PUT', '/admin/oauth-apps/flaky-m2m', { clientId: 'robot', clientSecret: 'robot-secret-1234' })).status).toBe(200)
  })
  afterAll(async () => {
    await Promise.all([hub?.close(), provider?.close()])
  })

  const connect = () => call(hub, 'POST', '/api/v2/execute/flaky-m2m', { name: 'Robot', authScheme: 'OAUTH2' })

  it('answers 502 with the provider error for a 500', async () => {
    answer = { status: 500, body: { error: 'server_error', error_description: 'database down' } }
    const r = await connect()
    expect(r.status, r.text).toBe(502)
    expect(r.body.message).toContain('server_error: database down')
  })

  it('answers 502 for a redirect', async () => {
    answer = { status: 302, headers: { location: 'https://login.example.com/' }, body: 'Found' }
    const r = await connect()
    expect(r.status, r.text).toBe(502)
    expect(r.body.message).toContain('HTTP 302')
  })

  it('answers 400 saying what to check when the provider refuses the client', async () => {
    answer = { status: 401, body: { error: 'invalid_client', error_description: 'unknown client' } }
    const r = await connect()
    expect(r.status, r.text).toBe(400)
    expect(r.body.message).toContain('invalid_client: unknown client')
    expect(r.text).not.toContain('robot-secret-1234')
  })
})
