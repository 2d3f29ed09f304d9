import { describe, expect, it } from 'vitest'
import { toIntegration } from '../../catalog/catalog.js'
import { tokenEndpoint } from './endpoint.js'
import { processRevocationResponse, revocationRequest, tokenToRevoke } from './revoke.js'

const o2 = { tokenUrl: 'https://auth.example.com/token', authorizationUrl: 'https://auth.example.com/a', revocationUrl: 'https://auth.example.com/revoke' }
const integration = toIntegration({ id: 'acme', name: 'Acme', description: 'd', baseUrl: 'https://api.example.com', auth: { OAUTH2: { oauth2: o2 } }, actions: [] }, 'test')

describe('token revocation (RFC 7009)', () => {
  it('revokes the refresh token when there is one, else the access token', () => {
    expect(tokenToRevoke({ access_token: 'a', refresh_token: 'r' })).toEqual({ token: 'r', hint: 'refresh_token' })
    expect(tokenToRevoke({ access_token: 'a' })).toEqual({ token: 'a', hint: 'access_token' })
    expect(tokenToRevoke({})).toBeUndefined()
  })

  it('posts the token with its hint to the revocation endpoint (no network)', async () => {
    let req: Request | undefined
    const fake = (async (input: RequestInfo | URL, init?: RequestInit) => {
      req = new Request(input, init)
      return new Response(null, { status: 200 })
    }) as typeof fetch
    const endpoint = tokenEndpoint(integration, o2, { integrationId: 'x', clientId: 'c', clientSecret: 's', scopes: undefined }, { fetch: fake, timeoutMs: 5000 })
    expect(await processRevocationResponse(await revocationRequest(endpoint, 'r', 'refresh_token'))).toEqual({ ok: true, status: 200 })
    expect(req?.url).toBe('https://auth.example.com/revoke')
    expect(Object.fromEntries(new URLSearchParams(await (req as Request).text()))).toMatchObject({ token: 'r', token_type_hint: 'refresh_token' })
  })

  it('reports a refused revocation', async () => {
    expect(await processRevocationResponse(new Response('no', { status: 503 }))).toEqual({ ok: false, status: 503 })
  })
})
