import { describe, expect, it } from 'vitest'
import type { OAuth2Definition } from '@patchbay/core'
import { toIntegration } from '../../catalog/catalog.js'
import { clientSecretBasic, scopeParam, sendTokenRequest, tokenEndpoint } from './endpoint.js'

const o2: OAuth2Definition = { tokenUrl: 'https://auth.example.com/token', authorizationUrl: 'https://auth.example.com/authorize', scopes: ['a', 'b'], scopeSeparator: ',' }
const integration = toIntegration({ id: 'acme', name: 'Acme', description: 'd', baseUrl: 'https://api.example.com', auth: { OAUTH2: { oauth2: o2 } }, actions: [] }, 'test')
const app = { integrationId: 'x', clientId: '1234.5678', clientSecret: 's-e.c_r*t', scopes: undefined }

describe('OAuth 2 token endpoint', () => {
  it('authenticates with Basic credentials form-encoded as RFC 6749 §2.3.1 says, not over-escaped', () => {
    const headers = new Headers()
    clientSecretBasic('s-e.c_r*t')({} as never, { client_id: 'cid-1.2' }, new URLSearchParams(), headers)
    expect(Buffer.from((headers.get('authorization') as string).slice(6), 'base64').toString()).toBe('cid-1.2:s-e.c_r*t')
  })

  it('joins the scopes with the definition separator, the app overriding the definition', () => {
    expect(scopeParam(o2, app)).toEqual({ scope: 'a,b' })
    expect(scopeParam(o2, { ...app, scopes: ['z'] })).toEqual({ scope: 'z' })
    expect(scopeParam({ tokenUrl: o2.tokenUrl }, app)).toEqual({})
  })

  it('refuses a plain-http token URL outside loopback', () => {
    expect(() => tokenEndpoint(integration, { ...o2, tokenUrl: 'http://auth.example.com/token' }, app, { fetch, timeoutMs: 1000 })).toThrow(/tokenUrl must be an https URL/)
    expect(() => tokenEndpoint(integration, { ...o2, tokenUrl: 'http://127.0.0.1:9/token' }, app, { fetch, timeoutMs: 1000 })).not.toThrow()
  })

  it('maps a network failure to UPSTREAM_UNREACHABLE naming the origin and grant, never the path', async () => {
    const err = await sendTokenRequest(integration, o2, 'refresh_token', () => Promise.reject(Object.assign(new Error('x'), { code: 'ECONNREFUSED' }))).catch((e: unknown) => e)
    expect(err).toMatchObject({ code: 'UPSTREAM_UNREACHABLE' })
    expect((err as Error).message).toBe("Could not reach Acme's token endpoint at https://auth.example.com (refresh_token): ECONNREFUSED")
  })

  it('says a token endpoint that never answers timed out, with the limit, not a numeric code (issue 11 item 13)', async () => {
    // A listening socket that accepts and never answers (loopback only; unit tests block the network).
    const { createServer } = await import('node:net')
    const silent = createServer(() => {})
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r))
    const url = `http://127.0.0.1:${(silent.address() as { port: number }).port}/token`
    try {
      const local = { ...o2, tokenUrl: url }
      const endpoint = tokenEndpoint(integration, local, app, { fetch, timeoutMs: 300 })
      const err = await sendTokenRequest(integration, local, 'authorization_code', () => fetch(url, { method: 'POST', signal: endpoint.opts.signal as AbortSignal }), 300).catch(
        (e: unknown) => e,
      )
      expect(err).toMatchObject({ code: 'UPSTREAM_UNREACHABLE' })
      expect((err as Error).message).toMatch(/\(authorization_code\): the token endpoint did not answer within 300 ms$/)
      expect((err as Error).message).not.toMatch(/: 23$/)
    } finally {
      silent.close()
    }
  })
})
