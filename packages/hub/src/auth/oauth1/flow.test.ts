import { describe, expect, it } from 'vitest'
import { authorizationUrl, processCredentialsResponse, processTemporaryCredentialsResponse, temporaryCredentialsRequest, tokenCredentialsRequest } from './flow.js'

const o1 = {
  requestTokenUrl: 'https://p.example.com/request',
  authorizationUrl: 'https://p.example.com/authorize',
  accessTokenUrl: 'https://p.example.com/access',
  authorizationParams: { perms: 'read' },
}
const app = { integrationId: 'x', clientId: 'ck', clientSecret: 'cs', scopes: undefined }
const form = (text: string, status = 200) => new Response(text, { status, headers: { 'content-type': 'application/x-www-form-urlencoded' } })

describe('OAuth 1.0a flow', () => {
  it('asks for temporary credentials with a signed oauth_callback (no network)', async () => {
    let auth = ''
    const fake = (async (_url: RequestInfo | URL, init?: RequestInit) => {
      auth = new Headers(init?.headers).get('authorization') ?? ''
      return form('oauth_token=t&oauth_token_secret=ts&oauth_callback_confirmed=true')
    }) as typeof fetch
    const res = await temporaryCredentialsRequest(o1, app, 'https://hub/oauth/callback', { name: 'P', fetch: fake, timeoutMs: 5000 })
    expect(auth).toMatch(/^OAuth /)
    expect(auth).toContain('oauth_callback="https%3A%2F%2Fhub%2Foauth%2Fcallback"')
    expect(auth).toContain('oauth_consumer_key="ck"')
    expect(await processTemporaryCredentialsResponse(res, 'P')).toEqual({ token: 't', tokenSecret: 'ts', raw: { oauth_callback_confirmed: 'true' } })
  })

  it('refuses temporary credentials without a confirmed callback or without a token', async () => {
    await expect(processTemporaryCredentialsResponse(form('oauth_token=t&oauth_token_secret=ts'), 'P')).rejects.toThrow(/did not confirm the callback/)
    await expect(processTemporaryCredentialsResponse(form('oauth_callback_confirmed=true'), 'P')).rejects.toThrow(/without oauth_token and oauth_token_secret/)
  })

  it('answers an HTTP error as UPSTREAM_ERROR with the status', async () => {
    await expect(processCredentialsResponse(form('nope', 401), 'P')).rejects.toMatchObject({ code: 'UPSTREAM_ERROR', details: { upstreamStatus: 401 } })
  })

  it('exchanges the verifier, signed with the temporary token', async () => {
    let auth = ''
    const fake = (async (_url: RequestInfo | URL, init?: RequestInit) => {
      auth = new Headers(init?.headers).get('authorization') ?? ''
      return form('oauth_token=final&oauth_token_secret=fs&user_id=42')
    }) as typeof fetch
    const res = await processCredentialsResponse(await tokenCredentialsRequest(o1, app, { token: 't', secret: 'ts' }, 'v', { name: 'P', fetch: fake, timeoutMs: 5000 }), 'P')
    expect(auth).toContain('oauth_verifier="v"')
    expect(auth).toContain('oauth_token="t"')
    expect(res.pair).toEqual({ token: 'final', tokenSecret: 'fs', raw: { user_id: '42' } })
  })

  it('sends the user to the authorization URL with the temporary token', () => {
    expect(authorizationUrl(o1, 'tmp').toString()).toBe('https://p.example.com/authorize?oauth_token=tmp&perms=read')
  })
})
