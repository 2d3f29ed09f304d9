import { describe, expect, it } from 'vitest'
import { toIntegration } from '../../catalog/catalog.js'
import { clientCredentialsRequest, processClientCredentialsResponse } from './client-credentials.js'
import { tokenEndpoint } from './endpoint.js'

const o2 = { tokenUrl: 'https://auth.example.com/token', grant: 'client_credentials' as const, tokenParams: { audience: 'api' } }
const integration = toIntegration({ id: 'acme', name: 'Acme', description: 'd', baseUrl: 'https://api.example.com', auth: { OAUTH2: { oauth2: o2 } }, actions: [] }, 'test')

describe('client credentials grant', () => {
  it('posts grant_type, scope and the definition tokenParams with Basic client auth (no network)', async () => {
    let req: Request | undefined
    const fake = (async (input: RequestInfo | URL, init?: RequestInit) => {
      req = new Request(input, init)
      return Response.json({ access_token: 'm2m', expires_in: 300 })
    }) as typeof fetch
    const endpoint = tokenEndpoint(integration, o2, { integrationId: 'x', clientId: 'c', clientSecret: 's', scopes: undefined }, { fetch: fake, timeoutMs: 5000 })
    const tokens = await processClientCredentialsResponse(await clientCredentialsRequest(endpoint, { scope: 'read write' }), o2)
    expect(tokens).toMatchObject({ accessToken: 'm2m', expiresIn: 300, refreshToken: undefined })
    const form = Object.fromEntries(new URLSearchParams(await (req as Request).text()))
    expect(form).toMatchObject({ grant_type: 'client_credentials', scope: 'read write', audience: 'api' })
    expect(req?.headers.get('authorization')).toBe(`Basic ${Buffer.from('c:s').toString('base64')}`)
  })

  it('rejects an error answer with its OAuth code', async () => {
    await expect(processClientCredentialsResponse(Response.json({ error: 'invalid_client' }, { status: 401 }), o2)).rejects.toMatchObject({
      code: 'invalid_client',
      httpStatus: 401,
    })
  })
})
