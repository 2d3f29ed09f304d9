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
const acme = toIntegration(
  {
    id: 'acme',
    name: 'Acme',
    description: 'd',
    baseUrl: 'https://api.acme.example',
    auth: {
      OAUTH2: {
        oauth2: { authorizationUrl: 'https://auth.acme.example/authorize', tokenUrl: 'https://auth.acme.example/token', revocationUrl: 'https://auth.acme.example/revoke' },
      },
    },
    actions: [],
  },
  'test',
)

// The OAUTH2 scheme end to end over a real SQLite store, with the provider a fetch that answers
// canned Responses (no network).
describe('the OAUTH2 scheme', () => {
  let store: Store
  let tenantId: string
  let oauth: OAuthService
  const calls: Array<{ url: string; form: Record<string, string> }> = []
  let answer = () => Response.json({ access_token: 'at-1', refresh_token: 'rt-1', expires_in: 3600 })
  beforeEach(async () => {
    store = openStore(join(await mkdtemp(join(tmpdir(), 'pb-oauth2-')), 'db.sqlite'))
    await store.migrate()
    tenantId = newId()
    await store.createTenant({ id: tenantId, name: `t-${tenantId}`, created_at: new Date().toISOString() })
    const apps = new OAuthApps(store, vault)
    await apps.set(tenantId, acme.modelId, { clientId: 'cid', clientSecret: 'csecret' })
    const fake = async (input: string | URL, init?: RequestInit) => {
      const req = new Request(input, init)
      calls.push({ url: req.url, form: Object.fromEntries(new URLSearchParams(await req.text())) })
      return answer()
    }
    oauth = new OAuthService({
      store,
      vault,
      catalog: new Catalog([acme]),
      apps,
      logger: pino({ level: 'silent' }),
      publicUrl: () => 'https://hub.example',
      guard: { fetch: fake, appliesTo: () => true },
    })
    calls.length = 0
  })
  afterEach(async () => store.close())

  it('connects PENDING, completes from the callback once, runs with a Bearer header and revokes', async () => {
    const started = await connect({ store, vault, oauth }, tenantId, acme, { authScheme: 'OAUTH2' })
    expect((await store.getConnection(tenantId, started.id))?.status).toBe('PENDING')
    const url = new URL(started.redirectURL as string)
    expect(url.searchParams.get('redirect_uri')).toBe('https://hub.example/oauth/callback')
    const state = url.searchParams.get('state') as string

    const done = await oauth.callback({ code: 'the-code', state })
    expect(done).toMatchObject({ ok: true, status: 200, connectionId: started.id })
    expect(calls[0]?.form).toMatchObject({ grant_type: 'authorization_code', code: 'the-code' })
    const row = await store.getConnection(tenantId, started.id)
    expect(row?.status).toBe('ACTIVE')
    expect(openConnectionSecrets(vault, row as never)).toMatchObject({ access_token: 'at-1', refresh_token: 'rt-1' })

    expect(await oauth.callback({ code: 'the-code', state })).toMatchObject({ ok: false, title: 'Link already used' })

    const decorated = await oauth.schemes.OAUTH2.decorate(
      { method: 'GET', url: 'https://api.acme.example/x', headers: {}, body: undefined },
      { config: {}, secrets: { access_token: 'at-1' }, sensitive: [] },
      { integration: acme, connection: row as never, apply: undefined },
    )
    expect(decorated.headers['Authorization']).toBe('Bearer at-1')

    answer = () => new Response(null, { status: 200 })
    expect(await oauth.revoke(acme, row as never)).toBe(true)
    expect(calls.at(-1)).toMatchObject({ url: 'https://auth.acme.example/revoke', form: { token: 'rt-1', token_type_hint: 'refresh_token' } })
  })

  it('refreshes an expiring token once for concurrent callers, and expires the connection on invalid_grant', async () => {
    answer = () => Response.json({ access_token: 'at-1', refresh_token: 'rt-1', expires_in: 1 })
    const started = await connect({ store, vault, oauth }, tenantId, acme, { authScheme: 'OAUTH2' })
    await oauth.callback({ code: 'c', state: new URL(started.redirectURL as string).searchParams.get('state') as string })
    // A 1 s token is refreshed once less than half its life remains (issue 11 item 11), not on arrival.
    await new Promise((r) => setTimeout(r, 600))
    const row = await store.getConnection(tenantId, started.id)
    answer = () => Response.json({ access_token: 'at-2', expires_in: 3600 })
    const before = calls.length
    const rows = await Promise.all([1, 2, 3, 4, 5].map(() => oauth.schemes.OAUTH2.prepare?.(acme, row as never)))
    expect(calls.length - before).toBe(1)
    expect(calls.at(-1)?.form).toMatchObject({ grant_type: 'refresh_token', refresh_token: 'rt-1' })
    expect(new Set(rows.map((r) => r?.version)).size).toBe(1)
    expect(openConnectionSecrets(vault, rows[0] as never)).toMatchObject({ access_token: 'at-2', refresh_token: 'rt-1' })

    answer = () => Response.json({ error: 'invalid_grant' }, { status: 400 })
    await expect(oauth.schemes.OAUTH2.onUnauthorized?.(acme, rows[0] as never)).rejects.toMatchObject({ code: 'CONNECTION_NOT_ACTIVE' })
    expect((await store.getConnection(tenantId, started.id))?.status).toBe('EXPIRED')
  })

  it('leaves the connection in ERROR when the user refuses', async () => {
    const started = await connect({ store, vault, oauth }, tenantId, acme, { authScheme: 'OAUTH2' })
    const state = new URL(started.redirectURL as string).searchParams.get('state') as string
    expect(await oauth.callback({ error: 'access_denied', state })).toMatchObject({ ok: false, title: 'Access denied' })
    expect((await store.getConnection(tenantId, started.id))?.status).toBe('ERROR')
  })
})
