import { describe, expect, it } from 'vitest'
import { AUTHENTICATION_SCHEMAS } from '@patchbay/core'
import { createAuthSchemes } from './registry.js'
import { schemeOf } from './scheme.js'

describe('the scheme registry', () => {
  it('has a scheme for every name, and only OAuth redirects', () => {
    const schemes = createAuthSchemes()
    for (const name of AUTHENTICATION_SCHEMAS) expect(schemeOf(schemes, name)).toBeDefined()
    expect(AUTHENTICATION_SCHEMAS.filter((s) => schemes[s].redirects).sort()).toEqual(['OAUTH1', 'OAUTH2'])
  })

  it('refuses OAuth connects on a hub built without OAuth, but still runs an OAUTH2 row with its token', async () => {
    const schemes = createAuthSchemes()
    await expect(schemes.OAUTH1.connect({} as never)).rejects.toMatchObject({ code: 'UNSUPPORTED_SCHEME' })
    const out = await schemes.OAUTH2.decorate(
      { method: 'GET', url: 'https://x/', headers: {}, body: undefined },
      { config: {}, secrets: { access_token: 'at' }, sensitive: [] },
      { integration: {} as never, connection: {} as never, apply: undefined },
    )
    expect(out.headers['Authorization']).toBe('Bearer at')
  })

  it('throws a TypeError for a name that is no scheme', () => {
    expect(() => schemeOf(createAuthSchemes(), 'KERBEROS')).toThrow(TypeError)
  })
})
