import { describe, expect, it } from 'vitest'
import { toIntegration } from '../catalog/catalog.js'
import { checkEndpoint, connected, fail, inputsOf, sha256 } from './oauth-context.js'

const integration = toIntegration({ id: 'acme', name: 'Acme', description: 'd', baseUrl: 'https://x', auth: { NO_AUTH: {} }, actions: [] }, 'test')

describe('OAuth shared steps', () => {
  it('allows https endpoints and plain http only on loopback', () => {
    expect(() => checkEndpoint('https://a.example.com/t', 'tokenUrl', integration)).not.toThrow()
    expect(() => checkEndpoint('http://localhost:9/t', 'tokenUrl', integration)).not.toThrow()
    expect(() => checkEndpoint('http://a.example.com/t', 'tokenUrl', integration)).toThrow("Acme's tokenUrl must be an https URL; got http://a.example.com/t")
    expect(() => checkEndpoint('', 'authorizationUrl', integration)).toThrow(/authorizationUrl/)
  })
  it('stores states by hash and keeps connect inputs apart from protocol keys', () => {
    expect(sha256('s')).toMatch(/^[0-9a-f]{64}$/)
    expect(inputsOf({ access_token: 'a', raw: {}, region: 'eu' }, ['access_token', 'refresh_token', 'raw'])).toEqual({ region: 'eu' })
  })
  it('makes the callback pages', () => {
    expect(connected('Acme', 'c1')).toEqual({ ok: true, status: 200, title: 'Connected', message: 'Connected to Acme: you can close this window.', connectionId: 'c1' })
    expect(fail(400, 'T', 'M')).toEqual({ ok: false, status: 400, title: 'T', message: 'M' })
  })
})
