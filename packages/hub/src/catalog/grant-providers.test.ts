import { beforeAll, describe, expect, it } from 'vitest'
import { placeholderNames } from './template.js'
import { integrationRecord } from '../connections/records.js'
import { grantDefinitions, readGrantData, type GrantData, type GrantDefinitions } from './grant-providers.js'
import { GRANT_SOURCE, loadCatalog } from './load-catalog.js'
import { validateDefinition } from './validate-definition.js'

let data: GrantData
let result: GrantDefinitions
const def = (id: string) => result.definitions.find((d) => d.id === id)

beforeAll(async () => {
  data = await readGrantData()
  result = grantDefinitions(data)
})

describe('integrations generated from grant', () => {
  it('turns every usable provider of the pinned grant data into one definition, and counts the skipped by reason', () => {
    // grant 5.4.24: 218 providers, 214 profile URLs (keyed partly by providers absent from oauth.json).
    expect(Object.keys(data.oauth)).toHaveLength(218)
    expect(result.definitions).toHaveLength(148)
    const byReason: Record<string, number> = {}
    for (const s of result.skipped) byReason[s.reason] = (byReason[s.reason] ?? 0) + 1
    // No profile URL means no verify action and no known API host; deezer and tumblr use http URLs.
    expect(byReason).toEqual({ 'no-profile-url': 68, 'not-https': 2 })
    expect(result.skipped.filter((s) => s.reason === 'not-https').map((s) => s.id)).toEqual(['deezer', 'tumblr'])
    expect(result.definitions.length + result.skipped.length).toBe(218)
  })

  it('makes only definitions that validate, with unique ids and https URLs', () => {
    const ids = result.definitions.map((d) => d.id)
    expect(new Set(ids).size).toBe(ids.length)
    for (const d of result.definitions) {
      const v = validateDefinition(d)
      expect(v.ok ? [] : v.problems, d.id).toEqual([])
      const o2 = d.auth.OAUTH2?.oauth2
      const o1 = d.auth.OAUTH1?.oauth1
      const urls = [d.baseUrl, o2?.authorizationUrl, o2?.tokenUrl, o1?.requestTokenUrl, o1?.authorizationUrl, o1?.accessTokenUrl]
      for (const url of urls.filter((u) => u !== undefined)) expect(url, d.id).toMatch(/^https:\/\//)
      expect(d.generatedFrom).toBe('grant')
      expect(d.verify).toBe('GET_PROFILE')
    }
  })

  it('builds the OAuth 2 scheme, the profile action and the base URL from the data', () => {
    expect(def('github')).toMatchObject({
      baseUrl: 'https://api.github.com',
      auth: {
        OAUTH2: {
          oauth2: { authorizationUrl: 'https://github.com/login/oauth/authorize', tokenUrl: 'https://github.com/login/oauth/access_token', scopeSeparator: ',', pkce: false },
        },
      },
      actions: [{ code: 'GET_PROFILE', request: { method: 'GET', path: '/user' } }],
    })
    // The scope delimiter when grant gives one, and PKCE for a provider that supports it.
    expect(def('gitlab')?.auth.OAUTH2?.oauth2).toMatchObject({ scopeSeparator: ' ', pkce: true })
  })

  it('builds the OAuth 1 scheme with its three URLs', () => {
    expect(def('twitter')?.auth).toEqual({
      OAUTH1: {
        oauth1: {
          requestTokenUrl: 'https://api.twitter.com/oauth/request_token',
          authorizationUrl: 'https://api.twitter.com/oauth/authenticate',
          accessTokenUrl: 'https://api.twitter.com/oauth/access_token',
        },
      },
    })
    expect(result.definitions.filter((d) => d.auth.OAUTH1).length).toBeGreaterThan(10)
  })

  it('turns [subdomain] placeholders into a non-secret connection input used by every URL', () => {
    const auth0 = def('auth0')
    expect(auth0?.baseUrl).toBe('https://{subdomain}.auth0.com')
    expect(auth0?.auth.OAUTH2?.oauth2?.tokenUrl).toBe('https://{subdomain}.auth0.com/oauth/token')
    expect(auth0?.auth.OAUTH2?.inputs?.map((i) => [i.name, i.secret ?? false])).toEqual([['subdomain', false]])
    // A whole-host placeholder (self-hosted servers).
    expect(def('keycloak')?.baseUrl).toBe('https://{subdomain}')
    for (const d of result.definitions) {
      const inputs = (d.auth.OAUTH2 ?? d.auth.OAUTH1)?.inputs?.map((i) => i.name) ?? []
      expect(inputs, d.id).toEqual(placeholderNames(d.baseUrl).length ? ['subdomain'] : inputs)
    }
  })

  it('keeps a fixed query of the profile URL as the action query', () => {
    const withQuery = Object.entries(data.profile).filter(([id, p]) => p.profile_url?.includes('?') && def(id))
    expect(withQuery.length).toBeGreaterThan(0)
    for (const [id, p] of withQuery) {
      const url = new URL((p.profile_url as string).replace(/\[subdomain\]/g, 'x'))
      expect(def(id)?.actions[0]?.request.query, id).toEqual(Object.fromEntries(url.searchParams))
    }
  })
})

describe('the loaded catalog', () => {
  it('serves generated integrations, replaced by a curated definition with the same id, flagged in the record', async () => {
    const catalog = await loadCatalog()
    expect(catalog.size).toBeGreaterThan(140)
    const github = catalog.get('github')
    expect(github?.source).not.toBe(GRANT_SOURCE)
    expect(github?.definition.generatedFrom).toBeUndefined()
    expect(github?.definition.actions.length).toBeGreaterThan(3)
    const twitch = catalog.get('twitch')
    expect(twitch?.source).toBe(GRANT_SOURCE)
    expect(twitch?.definition.actions.map((a) => a.code)).toEqual(['GET_PROFILE', 'REQUEST'])
    const record = integrationRecord(twitch as never)
    expect(record.attributes).toContainEqual({ name: 'generated_from', code: '"grant"' })
    expect(integrationRecord(github as never).attributes.map((a) => a.name)).not.toContain('generated_from')
  })

  it('leaves them out with generated: false, and without the built-in catalog', async () => {
    const builtInOnly = await loadCatalog({ generated: false })
    expect(builtInOnly.get('twitch')).toBeUndefined()
    expect(builtInOnly.get('github')).toBeDefined()
    expect((await loadCatalog({ builtIn: false })).size).toBe(0)
  })
})
