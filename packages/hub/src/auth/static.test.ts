import { describe, expect, it } from 'vitest'
import { applyCredentials, APPLY_STRATEGIES, BEARER_TOKEN } from './static.js'
import type { OutgoingRequest, SchemeCredentials } from './scheme.js'

const request = (): OutgoingRequest => ({ method: 'GET', url: 'https://api.example.com/x?a=1', headers: { authorization: 'from-input' }, body: undefined })
const creds = (): SchemeCredentials => ({ config: { user: 'ann' }, secrets: { token: 'tok-123456789', key: 'k-1' }, sensitive: [] })

describe('static schemes', () => {
  it('puts a bearer header over any header of the same name, and remembers the value to redact', async () => {
    const c = creds()
    const out = await applyCredentials({ headers: { Authorization: 'Bearer {token}' } }, request(), c)
    expect(out.headers).toEqual({ Authorization: 'Bearer tok-123456789' })
    expect(c.sensitive).toContain('Bearer tok-123456789')
  })

  it('sets a query credential, replacing one an input gave', async () => {
    const r = request()
    r.url = 'https://api.example.com/x?api_key=mine'
    const out = await applyCredentials({ query: { api_key: '{key}' } }, r, creds())
    expect(new URL(out.url).searchParams.getAll('api_key')).toEqual(['k-1'])
  })

  it('builds Basic from a non-secret and a secret input', async () => {
    const c = creds()
    const out = await applyCredentials({ basic: { username: '{user}', password: '{token}' } }, request(), c)
    const token = Buffer.from('ann:tok-123456789').toString('base64')
    expect(out.headers['Authorization']).toBe(`Basic ${token}`)
    expect(c.sensitive).toContain(token)
  })

  it('leaves a request alone without apply, and skips a header whose placeholder has no value', async () => {
    expect(await applyCredentials(undefined, request(), creds())).toEqual(request())
    expect((await applyCredentials({ headers: { 'X-Missing': '{nope}' } }, request(), creds())).headers).toEqual({ authorization: 'from-input' })
  })

  it('is a scheme that decorates through the context apply', async () => {
    const ctx = { integration: {} as never, connection: {} as never, apply: { headers: { 'X-Key': '{key}' } } }
    expect((await BEARER_TOKEN.decorate(request(), creds(), ctx)).headers['X-Key']).toBe('k-1')
    expect(BEARER_TOKEN.redirects).toBe(false)
    expect(APPLY_STRATEGIES.length).toBeGreaterThanOrEqual(3)
  })
})
