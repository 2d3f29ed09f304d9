import { describe, expect, it } from 'vitest'
import { processAuthorizationResponse } from './callback.js'

describe('processAuthorizationResponse', () => {
  it('answers the code and state', () => {
    expect(processAuthorizationResponse({ code: 'c', state: 's' }, {})).toEqual({ ok: true, code: 'c', state: 's' })
  })
  it('tells a refusal by the user from another provider error', () => {
    expect(processAuthorizationResponse({ error: 'access_denied', state: 's' }, {})).toMatchObject({ ok: false, denied: true, kind: 'error', reason: 'access_denied' })
    expect(processAuthorizationResponse({ error: 'server_error', error_description: 'down', state: 's' }, {})).toMatchObject({
      ok: false,
      denied: false,
      reason: 'server_error: down',
    })
  })
  it('refuses a redirect without a code', () => {
    expect(processAuthorizationResponse({ state: 's' }, {})).toMatchObject({ ok: false, kind: 'invalid', reason: 'the provider redirected without a code' })
  })
  it('requires iss when the definition names an issuer (RFC 9207)', () => {
    expect(processAuthorizationResponse({ code: 'c', state: 's' }, { issuer: 'https://good' })).toMatchObject({
      ok: false,
      kind: 'invalid',
      reason: expect.stringContaining('carries no iss parameter'),
    })
    expect(processAuthorizationResponse({ code: 'c', state: 's', iss: '' }, { issuer: 'https://good' })).toMatchObject({ ok: false, kind: 'invalid' })
  })
  it('refuses another issuer when the definition names one (RFC 9207), ignores iss otherwise', () => {
    expect(processAuthorizationResponse({ code: 'c', state: 's', iss: 'https://evil' }, { issuer: 'https://good' })).toMatchObject({ ok: false, kind: 'invalid' })
    expect(processAuthorizationResponse({ code: 'c', state: 's', iss: 'https://good' }, { issuer: 'https://good' })).toMatchObject({ ok: true })
    expect(processAuthorizationResponse({ code: 'c', state: 's', iss: 'https://any' }, {})).toMatchObject({ ok: true })
  })
})
