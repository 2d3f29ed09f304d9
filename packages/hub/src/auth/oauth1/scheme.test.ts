import { mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import pino from 'pino'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { Catalog, toIntegration } from '../../catalog/catalog.js'
import { connect } from '../../connections/connect.js'
import { newId } from '../../ids.js'
import { openStore, type Store } from '../../store/store.js'
import { openConnectionSecrets } from '../../vault/connection-secrets.js'
import { generateMasterKey, parseMasterKey, Vault } from '../../vault/vault.js'
import { OAuthApps } from '../oauth-apps.js'
import { OAuthService } from '../oauth.js'

const vault = new Vault([parseMasterKey(generateMasterKey())])
const pro = toIntegration(
  {
    id: 'pro',
    name: 'Pro',
    description: 'd',
    baseUrl: 'https://api.pro.example',
    auth: {
      OAUTH1: { oauth1: { requestTokenUrl: 'https://pro.example/request', authorizationUrl: 'https://pro.example/authorize', accessTokenUrl: 'https://pro.example/access' } },
    },
    actions: [],
  },
  'test',
)
const form = (text: string) => new Response(text, { headers: { 'content-type': 'application/x-www-form-urlencoded' } })

// The OAUTH1 scheme over a real SQLite store, the provider a fetch answering canned Responses.
describe('the OAUTH1 scheme', () => {
  let store: Store
  let tenantId: string
  let oauth: OAuthService
  const seen: string[] = []
  beforeEach(async () => {
    store = openStore(join(await mkdtemp(join(tmpdir(), 'pb-oauth1-')), 'db.sqlite'))
    await store.migrate()
    tenantId = newId()
    await store.createTenant({ id: tenantId, name: `t-${tenantId}`, created_at: new Date().toISOString() })
    const apps = new OAuthApps(store, vault)
    await apps.set(tenantId, pro.modelId, { clientId: 'ck', clientSecret: 'cs' })
    const fake = async (input: string | URL) => {
      seen.push(String(input))
      return String(input).endsWith('/request')
        ? form('oauth_token=tmp&oauth_token_secret=tmps&oauth_callback_confirmed=true')
        : form('oauth_token=final&oauth_token_secret=fs&screen_name=ann')
    }
    oauth = new OAuthService({
      store,
      vault,
      catalog: new Catalog([pro]),
      apps,
      logger: pino({ level: 'silent' }),
      publicUrl: () => 'https://hub.example',
      guard: { fetch: fake, appliesTo: () => true },
    })
  })
  afterEach(async () => store.close())

  it('runs the three legs, stores the token credentials sealed, and signs requests', async () => {
    const started = await connect({ store, vault, oauth }, tenantId, pro, { authScheme: 'OAUTH1' })
    expect(started.redirectURL).toBe('https://pro.example/authorize?oauth_token=tmp')
    expect(await oauth.callback({ oauth_token: 'tmp', oauth_verifier: 'v' })).toMatchObject({ ok: true, connectionId: started.id })
    expect(seen).toEqual(['https://pro.example/request', 'https://pro.example/access'])
    const row = await store.getConnection(tenantId, started.id)
    const secrets = openConnectionSecrets(vault, row as never)
    expect(secrets).toEqual({ oauth_token: 'final', oauth_token_secret: 'fs', raw: { screen_name: 'ann' } })
    const out = await oauth.schemes.OAUTH1.decorate(
      { method: 'GET', url: 'https://api.pro.example/me?x=1', headers: {}, body: undefined },
      { config: {}, secrets, sensitive: [] },
      { integration: pro, connection: row as never, apply: undefined },
    )
    expect(out.headers['Authorization']).toMatch(/^OAuth .*oauth_token="final".*oauth_signature="/)
  })

  it('marks the connection in ERROR when the user denies access', async () => {
    const started = await connect({ store, vault, oauth }, tenantId, pro, { authScheme: 'OAUTH1' })
    expect(await oauth.callback({ denied: 'tmp' })).toMatchObject({ ok: false, title: 'Access denied' })
    expect((await store.getConnection(tenantId, started.id))?.status).toBe('ERROR')
  })
})
