import { describe, expect, it } from 'vitest'
import { authorizationRequest, newAuthorization } from './authorize.js'

const o2 = {
  tokenUrl: 'https://a.example.com/token',
  authorizationUrl: 'https://a.example.com/authorize?tenant=1',
  scopes: ['read', 'write'],
  authorizationParams: { prompt: 'consent' },
}
const app = { integrationId: 'x', clientId: 'cid', clientSecret: 's', scopes: undefined }

describe('authorization request', () => {
  it('builds the URL with client id, redirect, scope, state, S256 challenge and extra params', async () => {
    const params = newAuthorization(o2, 'https://hub.example.com/oauth/callback')
    expect(params.state).toMatch(/^[A-Za-z0-9_-]{43}$/)
    expect(params.verifier).toMatch(/^[A-Za-z0-9_-]{43}$/)
    const url = await authorizationRequest(o2, app, params)
    expect(url.origin + url.pathname).toBe('https://a.example.com/authorize')
    const q = Object.fromEntries(url.searchParams)
    expect(q).toMatchObject({
      tenant: '1',
      response_type: 'code',
      client_id: 'cid',
      redirect_uri: 'https://hub.example.com/oauth/callback',
      scope: 'read write',
      state: params.state,
      code_challenge_method: 'S256',
      prompt: 'consent',
    })
    const { createHash } = await import('node:crypto')
    expect(q['code_challenge']).toBe(
      createHash('sha256')
        .update(params.verifier as string)
        .digest('base64url'),
    )
  })

  it('sends no challenge when the definition turns PKCE off', async () => {
    const params = newAuthorization({ ...o2, pkce: false }, 'https://hub/cb')
    expect(params.verifier).toBeUndefined()
    expect((await authorizationRequest(o2, app, params)).searchParams.has('code_challenge')).toBe(false)
  })
})
