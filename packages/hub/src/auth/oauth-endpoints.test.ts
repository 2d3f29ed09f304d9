import { describe, expect, it } from 'vitest'
import type { IntegrationDefinition, OAuth2Definition } from '@patchbay/core'
import { oauthPlaceholders, oauthUrlsTemplated, resolveOAuth1, resolveOAuth2 } from './oauth-endpoints.js'

const open = { allowPrivateNetwork: true }
const strict = { allowPrivateNetwork: false }
const okta: OAuth2Definition = { authorizationUrl: 'https://{subdomain}.okta.com/oauth2/v1/authorize', tokenUrl: 'https://{subdomain}.okta.com/oauth2/v1/token' }
const httpApi: OAuth2Definition = { grant: '{grant}', authorizationUrl: '{authorization_url}', tokenUrl: '{token_url}' }

describe('resolveOAuth2', () => {
  it('fills {subdomain} in every URL and leaves fixed definitions untouched (same object)', () => {
    expect(resolveOAuth2('Okta', okta, { subdomain: 'acme' }, strict)).toEqual({
      authorizationUrl: 'https://acme.okta.com/oauth2/v1/authorize',
      tokenUrl: 'https://acme.okta.com/oauth2/v1/token',
    })
    const fixed = { tokenUrl: 'https://x.example/token', grant: 'client_credentials' as const }
    expect(resolveOAuth2('X', fixed, {}, strict)).toBe(fixed)
  })

  it('names the missing input', () => {
    expect(() => resolveOAuth2('Okta', okta, {}, strict)).toThrow(/connection input subdomain/)
  })

  it('refuses a value that would add user info, a query or a fragment', () => {
    for (const v of ['evil.com@acme', 'acme?x=1', 'acme#f', 'a b']) expect(() => resolveOAuth2('Okta', okta, { subdomain: v }, strict), v).toThrow(/host name/)
  })

  it('allows a host with a path for a placeholder that is the whole host (Keycloak)', () => {
    const kc = { tokenUrl: 'https://{subdomain}/protocol/openid-connect/token', grant: 'client_credentials' as const }
    expect(resolveOAuth2('Keycloak', kc, { subdomain: 'id.acme.com/realms/main' }, strict).tokenUrl).toBe('https://id.acme.com/realms/main/protocol/openid-connect/token')
  })

  it('takes the grant from an input, drops an empty optional authorization URL under client credentials', () => {
    const out = resolveOAuth2('HTTP API', httpApi, { grant: 'client_credentials', token_url: 'https://auth.example.com/token' }, strict)
    expect(out).toEqual({ grant: 'client_credentials', tokenUrl: 'https://auth.example.com/token' })
    expect(resolveOAuth2('HTTP API', httpApi, { authorization_url: 'https://a.example/auth', token_url: 'https://a.example/token' }, strict).grant).toBe('authorization_code')
    expect(() => resolveOAuth2('HTTP API', httpApi, { token_url: 'https://a.example/token' }, strict)).toThrow(/authorization URL/)
    expect(() => resolveOAuth2('HTTP API', httpApi, { grant: 'password', token_url: 'https://a.example/token' }, strict)).toThrow(/authorization_code or client_credentials/)
  })

  it('refuses http, loopback, private and non-http URLs unless private networks are allowed', () => {
    const cc = (token_url: string, policy = strict) => resolveOAuth2('HTTP API', httpApi, { grant: 'client_credentials', token_url }, policy)
    expect(() => cc('http://auth.example.com/token')).toThrow(/https/)
    expect(() => cc('https://127.0.0.1/token')).toThrow(/PATCHBAY_ALLOW_PRIVATE_NETWORK/)
    expect(() => cc('https://[::1]/token')).toThrow(/PATCHBAY_ALLOW_PRIVATE_NETWORK/)
    expect(() => cc('https://192.168.1.4/token')).toThrow(/PATCHBAY_ALLOW_PRIVATE_NETWORK/)
    expect(() => cc('https://localhost/token')).toThrow(/PATCHBAY_ALLOW_PRIVATE_NETWORK/)
    expect(() => cc('file:///etc/passwd', open)).toThrow(/http or https/)
    expect(() => cc('not a url', open)).toThrow(/not an absolute URL/)
    expect(cc('http://127.0.0.1:8080/token', open).tokenUrl).toBe('http://127.0.0.1:8080/token')
  })
})

describe('resolveOAuth1', () => {
  it('fills the three URLs', () => {
    const o1 = { requestTokenUrl: '{r}', authorizationUrl: '{a}', accessTokenUrl: 'https://{host}/access' }
    expect(resolveOAuth1('X', o1, { r: 'https://x.example/req', a: 'https://x.example/auth', host: 'x.example' }, strict)).toEqual({
      requestTokenUrl: 'https://x.example/req',
      authorizationUrl: 'https://x.example/auth',
      accessTokenUrl: 'https://x.example/access',
    })
  })
})

describe('oauthPlaceholders / oauthUrlsTemplated', () => {
  it('lists the placeholders of the URLs and grant, and tells templated definitions apart', () => {
    expect(oauthPlaceholders(httpApi).sort()).toEqual(['authorization_url', 'grant', 'token_url'])
    const def = (oauth2: OAuth2Definition) =>
      ({ id: 'x', name: 'X', description: 'X.', baseUrl: 'https://x.example', auth: { OAUTH2: { oauth2 } }, actions: [] }) as IntegrationDefinition
    expect(oauthUrlsTemplated(def(okta))).toBe(true)
    expect(oauthUrlsTemplated(def({ tokenUrl: 'https://x.example/token', authorizationUrl: 'https://x.example/a' }))).toBe(false)
  })
})
