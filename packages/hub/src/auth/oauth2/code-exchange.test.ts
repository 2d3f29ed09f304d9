import { describe, expect, it } from 'vitest'
import { toIntegration } from '../../catalog/catalog.js'
import { codeExchangeRequest, processCodeExchangeResponse } from './code-exchange.js'
import { tokenEndpoint } from './endpoint.js'

const o2 = { tokenUrl: 'https://auth.example.com/token', authorizationUrl: 'https://auth.example.com/a', clientAuth: 'client_secret_post' as const }
const integration = toIntegration({ id: 'acme', name: 'Acme', description: 'd', baseUrl: 'https://api.example.com', auth: { OAUTH2: { oauth2: o2 } }, actions: [] }, 'test')
const app = { integrationId: 'x', clientId: 'cid', clientSecret: 'csecret', scopes: undefined }

describe('authorization code exchange', () => {
  it('posts the code, redirect URI and PKCE verifier, and reads the tokens (no network)', async () => {
    let seen: Request | undefined
    const fake = (async (input: RequestInfo | URL, init?: RequestInit) => {
      seen = new Request(input, init)
      return Response.json({ access_token: 'at', refresh_token: 'rt', token_type: 'bearer', expires_in: 10 })
    }) as typeof fetch
    const endpoint = tokenEndpoint(integration, o2, app, { fetch: fake, timeoutMs: 5000 })
    const tokens = await processCodeExchangeResponse(await codeExchangeRequest(endpoint, 'the-code', 'st', 'https://hub/oauth/callback', 'verifier-123'), o2)
    expect(tokens).toMatchObject({ accessToken: 'at', refreshToken: 'rt', expiresIn: 10 })
    expect(seen?.url).toBe('https://auth.example.com/token')
    const form = new URLSearchParams(await (seen as Request).text())
    expect(Object.fromEntries(form)).toMatchObject({
      grant_type: 'authorization_code',
      code: 'the-code',
      redirect_uri: 'https://hub/oauth/callback',
      code_verifier: 'verifier-123',
      client_id: 'cid',
      client_secret: 'csecret',
    })
  })

  it('sends no code_verifier when PKCE is off', async () => {
    let body = ''
    const fake = (async (input: RequestInfo | URL, init?: RequestInit) => {
      body = await new Request(input, init).text()
      return Response.json({ access_token: 'at' })
    }) as typeof fetch
    const endpoint = tokenEndpoint(integration, o2, app, { fetch: fake, timeoutMs: 5000 })
    await codeExchangeRequest(endpoint, 'c', 's', 'https://hub/cb', null)
    expect(new URLSearchParams(body).has('code_verifier')).toBe(false)
  })
})
