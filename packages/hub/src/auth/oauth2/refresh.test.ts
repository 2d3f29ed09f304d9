import { describe, expect, it } from 'vitest'
import { toIntegration } from '../../catalog/catalog.js'
import type { ConnectionRow } from '../../store/store.js'
import { generateMasterKey, parseMasterKey, Vault } from '../../vault/vault.js'
import { tokenEndpoint } from './endpoint.js'
import { expiring, processRefreshResponse, refreshTokenRequest, tokenPatch } from './refresh.js'

const o2 = { tokenUrl: 'https://auth.example.com/token', authorizationUrl: 'https://auth.example.com/a', defaultExpiresIn: 100 }
const integration = toIntegration({ id: 'acme', name: 'Acme', description: 'd', baseUrl: 'https://api.example.com', auth: { OAUTH2: { oauth2: o2 } }, actions: [] }, 'test')
const vault = new Vault([parseMasterKey(generateMasterKey())])

describe('refresh', () => {
  it('posts grant_type=refresh_token with the refresh token and reads the new set (no network)', async () => {
    let body = ''
    const fake = (async (input: RequestInfo | URL, init?: RequestInit) => {
      body = await new Request(input, init).text()
      return Response.json({ access_token: 'new', expires_in: 60 })
    }) as typeof fetch
    const endpoint = tokenEndpoint(integration, o2, { integrationId: 'x', clientId: 'c', clientSecret: 's', scopes: undefined }, { fetch: fake, timeoutMs: 5000 })
    const tokens = await processRefreshResponse(await refreshTokenRequest(endpoint, 'old-refresh'), o2)
    expect(Object.fromEntries(new URLSearchParams(body))).toMatchObject({ grant_type: 'refresh_token', refresh_token: 'old-refresh' })
    expect(tokens).toMatchObject({ accessToken: 'new', expiresIn: 60, refreshToken: undefined })
  })

  it('keeps the previous refresh token when the provider sends none, and seals tokens with the inputs', () => {
    const patch = tokenPatch(
      vault,
      't1',
      'c1',
      o2,
      { accessToken: 'a', refreshToken: undefined, expiresIn: undefined, tokenType: undefined, scope: undefined, raw: {} },
      { region: 'eu' },
      'kept',
    )
    expect(vault.open(patch.secrets as string, { tenantId: 't1', connectionId: 'c1' })).toEqual({ region: 'eu', access_token: 'a', refresh_token: 'kept', raw: {} })
    // No expires_in: the definition's defaultExpiresIn (100 s).
    const left = Date.parse(patch.token_expires_at as string) - Date.now()
    expect(left).toBeGreaterThan(95_000)
    expect(left).toBeLessThanOrEqual(100_000)
  })

  it('calls a token expiring when it is within the margin', () => {
    const now = Date.now()
    const row = { token_expires_at: new Date(now + 30_000).toISOString() } as ConnectionRow
    expect(expiring(row, 60_000, now)).toBe(true)
    expect(expiring(row, 10_000, now)).toBe(false)
    expect(expiring({ token_expires_at: null } as ConnectionRow, 60_000, now)).toBe(false)
  })

  it('refreshes a short-lived token only when less than half its lifetime remains (issue 11 item 11)', () => {
    const now = Date.now()
    const stored = new Date(now).toISOString()
    const threeSeconds = { token_expires_at: new Date(now + 3_000).toISOString(), updated_at: stored } as ConnectionRow
    // With the default 60 s margin, a 3 s token used to be "expiring" the moment it arrived.
    expect(expiring(threeSeconds, 60_000, now)).toBe(false)
    expect(expiring(threeSeconds, 60_000, now + 1_400)).toBe(false)
    expect(expiring(threeSeconds, 60_000, now + 1_600)).toBe(true)
    expect(expiring(threeSeconds, 60_000, now + 3_000)).toBe(true)
    // A long-lived token keeps the full margin.
    const hour = { token_expires_at: new Date(now + 3_600_000).toISOString(), updated_at: stored } as ConnectionRow
    expect(expiring(hour, 60_000, now + 3_600_000 - 59_000)).toBe(true)
    expect(expiring(hour, 60_000, now + 3_600_000 - 61_000)).toBe(false)
  })
})
