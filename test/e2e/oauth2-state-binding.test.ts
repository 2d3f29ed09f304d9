import { mkdtemp, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { acmeDefinition, followAuthorization, startOAuth2Server, type OAuth2TestServer } from '../support/oauth2-server.js'
import { call, startTestHub, type TestHub } from '../support/test-hub.js'

/**
 * Issue 11 item 12, against the real oidc-provider (which sends `iss` on every authorization
 * response, RFC 9207): an OAuth state's sealed flow secrets have a binding of their own, so a
 * ciphertext swapped between the state row and the connection row does not open (a page or a
 * FAILED run saying so, never a 5xx); and `iss` is required when the definition names an issuer.
 */
let as: OAuth2TestServer
let hub: TestHub

const record = async (id: string) => (await call(hub, 'GET', `/sdk/models/${id}`)).body
const start = async (body: Record<string, unknown> = { name: `c-${Math.random()}`, authScheme: 'OAUTH2' }) => {
  const res = await call(hub, 'POST', '/api/v2/execute/acme', body)
  expect(res.status, res.text).toBe(200)
  return { id: res.body.data.id as string, redirectURL: res.body.data.redirectURL as string }
}
const stateRow = async (connectionId: string) =>
  hub.hub.store.db.selectFrom('oauth_states').selectAll().where('connection_id', '=', connectionId).orderBy('created_at', 'desc').executeTakeFirstOrThrow()
const tenantOf = async (id: string) => (await hub.hub.store.db.selectFrom('connections').select('tenant_id').where('id', '=', id).executeTakeFirstOrThrow()).tenant_id

beforeAll(async () => {
  as = await startOAuth2Server()
  const dir = await mkdtemp(join(tmpdir(), 'patchbay-oauth2-binding-'))
  await writeFile(join(dir, 'acme.json'), JSON.stringify(acmeDefinition(as.url)))
  hub = await startTestHub({ catalogDirs: [dir] })
  as.configure(`${hub.url}/oauth/callback`)
  expect((await call(hub, 'PUT', '/admin/oauth-apps/acme', { clientId: as.clientId, clientSecret: as.clientSecret })).status).toBe(200)
})

afterAll(async () => {
  await hub?.close()
  await as?.close()
})

describe('RFC 9207 iss on the callback (the definition declares issuer)', () => {
  it('completes when the provider sends its iss (oidc-provider always does)', async () => {
    const { id, redirectURL } = await start()
    const page = await followAuthorization(redirectURL, `${hub.url}/oauth/callback`)
    expect(new URL(page.callbackUrl as string).searchParams.get('iss')).toBe(as.url)
    expect(page.status).toBe(200)
    expect((await record(id)).connectionStatus).toBe('ACTIVE')
  })

  it('refuses a callback without iss: a clear page, the connection in ERROR, no token request', async () => {
    const { id, redirectURL } = await start()
    const before = as.tokenRequests.length
    const page = await followAuthorization(redirectURL, `${hub.url}/oauth/callback`, (u) => u.searchParams.delete('iss'))
    expect(page.status).toBe(400)
    expect(page.body).toContain('carries no iss parameter')
    expect(as.tokenRequests.length).toBe(before)
    const rec = await record(id)
    expect(rec.connectionStatus).toBe('ERROR')
    expect(rec.connectionStatusReason).toContain('no iss parameter')
  })

  it('refuses a callback with another iss (mix-up) the same way', async () => {
    const { id, redirectURL } = await start()
    const page = await followAuthorization(redirectURL, `${hub.url}/oauth/callback`, (u) => u.searchParams.set('iss', 'https://evil.example'))
    expect(page.status).toBe(400)
    expect(page.body).toContain('came from issuer https://evil.example')
    expect((await record(id)).connectionStatus).toBe('ERROR')
  })
})

describe("the OAuth state's sealed secret has its own binding", () => {
  it("refuses the connection's own ciphertext swapped into its state row: a page, never a 5xx", async () => {
    const { id, redirectURL } = await start()
    const tenantId = await tenantOf(id)
    // Exactly what the hub writes into this connection's `secrets` column (binding: tenant + connection).
    const swapped = hub.vault.seal({ verifier: 'attacker', redirectUri: `${hub.url}/oauth/callback` }, { tenantId, connectionId: id })
    await hub.hub.store.db.updateTable('oauth_states').set({ secret: swapped }).where('connection_id', '=', id).execute()
    const page = await followAuthorization(redirectURL, `${hub.url}/oauth/callback`)
    expect(page.status).toBe(400)
    expect(page.body).toContain('Authorization unreadable')
    expect(page.body).toContain('Start the connection again')
    const rec = await record(id)
    expect(rec.connectionStatus).toBe('ERROR')
    expect(rec.connectionStatusReason).toContain('does not open')
    expect(hub.logs.join('')).toContain('an OAuth authorization in flight does not open')
  })

  it("refuses a state's ciphertext swapped into the connection's secrets: a FAILED run saying to reconnect, never a 5xx", async () => {
    const { id, redirectURL } = await start()
    expect((await followAuthorization(redirectURL, `${hub.url}/oauth/callback`)).status).toBe(200)
    // A re-authorization seals a state for the same connection id; copy it over the tokens.
    await start({ authScheme: 'OAUTH2', data: { assetId: id } })
    const state = await stateRow(id)
    await hub.hub.store.db.updateTable('connections').set({ secrets: state.secret }).where('id', '=', id).execute()
    hub.hub.store.connections.cache?.clear()
    const ran = await call(hub, 'POST', `/api/v2/execute/${id}`, { action: 'ACME_GET_THING', data: { id: '1' } })
    expect(ran.status, ran.text).toBe(200)
    expect(ran.body).toMatchObject({ status: 'FAILED', code: 'CONNECTION_NOT_ACTIVE' })
    expect(ran.body.error_message).toContain('do not open')
    expect(ran.body.error_message).toContain('reconnect it')
  })
})
