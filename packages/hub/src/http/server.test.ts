import { Writable } from 'node:stream'
import type { InjectOptions } from 'fastify'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Catalog } from '../catalog/catalog.js'
import { createHub, type Hub } from '../hub.js'
import { createLogger } from '../logger.js'
import { openStore } from '../store/store.js'
import { createApiKey } from '../tenants/api-keys.js'
import { generateMasterKey, parseMasterKey, Vault } from '../vault/vault.js'

// The server's own parts, in process: the key hook, the one error mapping, the not-found answer,
// the JSON parser's DELETE rule and the callback page. Routes are covered end to end in test/e2e.
describe('buildServer', () => {
  let hub: Hub
  let key: string
  const logs: string[] = []

  beforeAll(async () => {
    const store = openStore(':memory:')
    await store.migrate()
    key = (await createApiKey(store, { name: 'test' })).key
    const sink = new Writable({
      write(chunk: Buffer, _enc, cb) {
        logs.push(chunk.toString('utf8'))
        cb()
      },
    })
    hub = createHub({
      store,
      vault: new Vault([parseMasterKey(generateMasterKey())]),
      catalog: new Catalog([]),
      logger: createLogger('debug', sink),
      maxBodyBytes: 1024,
      sweepIntervalMs: 0,
    })
    await hub.app.ready()
  })

  afterAll(async () => {
    await hub.close()
  })

  const inject = (opts: InjectOptions) => hub.app.inject(opts)

  it('answers /health without a key', async () => {
    const res = await inject({ method: 'GET', url: '/health' })
    expect(res.statusCode).toBe(200)
    expect(res.json()).toEqual({ status: 'ok' })
  })

  it('refuses a missing or unknown key with 401 saying how to get one', async () => {
    const missing = await inject({ method: 'GET', url: '/sdk/models?ids=x' })
    expect(missing.statusCode).toBe(401)
    expect(missing.json()).toMatchObject({ code: 'UNAUTHORIZED', message: expect.stringContaining('Missing API key') })
    const unknown = await inject({ method: 'GET', url: '/sdk/models?ids=x', headers: { 'x-api-key': 'pb_nope' } })
    expect(unknown.statusCode).toBe(401)
    expect(unknown.json()).toMatchObject({ code: 'UNAUTHORIZED', message: expect.stringContaining('Unknown API key') })
    const token = await inject({ method: 'GET', url: '/sdk/models?ids=x', headers: { authorization: `Token ${key}` } })
    expect(token.statusCode).toBe(200)
    expect(token.json()).toEqual({ items: [], total: 0 })
  })

  it('maps body errors to 4xx with the contract error body', async () => {
    const headers = { 'x-api-key': key, 'content-type': 'application/json' }
    const bad = await inject({ method: 'POST', url: '/sdk/models/paginate', headers, payload: '{nope' })
    expect(bad.statusCode).toBe(400)
    expect(bad.json()).toMatchObject({ statusCode: 400, code: 'INVALID_JSON' })
    const array = await inject({ method: 'POST', url: '/sdk/models/paginate', headers, payload: '[]' })
    expect(array.statusCode).toBe(400)
    expect(array.json()).toMatchObject({ code: 'VALIDATION', message: 'The paginate body must be a JSON object; got an array' })
    const big = await inject({ method: 'POST', url: '/sdk/models/paginate', headers, payload: JSON.stringify({ q: 'x'.repeat(2000) }) })
    expect(big.statusCode).toBe(413)
    expect(big.json()).toMatchObject({ code: 'PAYLOAD_TOO_LARGE', message: expect.stringContaining('1024 bytes') })
    const media = await inject({ method: 'POST', url: '/sdk/models/paginate', headers: { 'x-api-key': key, 'content-type': 'text/csv' }, payload: 'a,b' })
    expect(media.statusCode).toBe(415)
    expect(media.json()).toMatchObject({ code: 'VALIDATION' })
  })

  it('answers an unknown route with 404 naming it', async () => {
    const res = await inject({ method: 'GET', url: '/nowhere?x=1', headers: { 'x-api-key': key } })
    expect(res.statusCode).toBe(404)
    expect(res.json()).toMatchObject({ code: 'NOT_FOUND', message: expect.stringContaining('No route GET /nowhere;') })
  })

  it('reads a bodiless DELETE sent with Content-Type: application/json as no body', async () => {
    const res = await inject({ method: 'DELETE', url: '/sdk/models/0123456789abcdef01234567', headers: { 'x-api-key': key, 'content-type': 'application/json' } })
    expect(res.statusCode).toBe(404)
    expect(res.json()).toMatchObject({ code: 'NOT_FOUND' })
  })

  it('serves the OAuth callback page without a key, locked down and escaped', async () => {
    const res = await inject({ method: 'GET', url: '/oauth/callback?state=<script>' })
    expect(res.statusCode).toBe(400)
    expect(res.headers['content-type']).toBe('text/html; charset=utf-8')
    expect(res.headers['cache-control']).toBe('no-store')
    expect(res.headers['content-security-policy']).toBe("default-src 'none'; style-src 'unsafe-inline'; script-src 'self'; frame-ancestors 'none'")
    expect(res.body).toContain('Unknown authorization')
    expect(res.body).not.toContain('<script>')
  })

  it('answers the OAuth-app admin routes for an unknown integration with 404', async () => {
    const res = await inject({ method: 'GET', url: '/admin/oauth-apps/nope', headers: { 'x-api-key': key } })
    expect(res.statusCode).toBe(404)
    expect(res.json()).toMatchObject({ code: 'NOT_FOUND', message: expect.stringContaining('No integration nope') })
    const list = await inject({ method: 'GET', url: '/admin/oauth-apps', headers: { 'x-api-key': key, host: 'hub.test' } })
    expect(list.json()).toEqual({ items: [], redirectUrl: 'http://hub.test/oauth/callback' })
  })
})
