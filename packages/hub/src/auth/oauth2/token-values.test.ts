import { describe, expect, it } from 'vitest'
import type { IntegrationDefinition, OAuth2Definition } from '@patchbay/core'
import type { Integration } from '../../catalog/catalog.js'
import type { TokenSet } from './token-response.js'
import { tokenResponseConfig } from './token-values.js'

const o2: OAuth2Definition = { authorizationUrl: 'https://login.example.com/a', tokenUrl: 'https://login.example.com/t', fromTokenResponse: { instance_url: 'instance_url' } }
const definition = {
  id: 'sf',
  name: 'SF',
  description: 'd',
  baseUrl: 'https://{instance}.example.com',
  auth: { OAUTH2: { baseUrl: '{instance_url}', oauth2: o2 } },
  actions: [],
} as IntegrationDefinition
const integration = { modelId: 'x', path: 'p/sf', supplier: 'P', source: 'test', definition } as Integration
const tokens = (raw: Record<string, unknown>): TokenSet => ({ accessToken: 'a', refreshToken: undefined, expiresIn: undefined, tokenType: 'Bearer', scope: undefined, raw })
const strict = { allowPrivateNetwork: false }

describe('tokenResponseConfig', () => {
  it('merges the declared fields into the connection config', () => {
    expect(tokenResponseConfig(integration, o2, tokens({ instance_url: 'https://acme.my.example.com' }), { other: 1 }, strict)).toEqual({
      other: 1,
      instance_url: 'https://acme.my.example.com',
    })
  })

  it('keeps the stored value when a refresh answer leaves the field out', () => {
    expect(tokenResponseConfig(integration, o2, tokens({}), { instance_url: 'https://old.example.com' }, strict)).toEqual({ instance_url: 'https://old.example.com' })
  })

  it('answers undefined when the definition declares no field', () => {
    expect(tokenResponseConfig(integration, { tokenUrl: 'https://t.example.com' }, tokens({ instance_url: 'https://x' }), {}, strict)).toBeUndefined()
  })

  it('refuses a missing field, a non-string, http (unless private networks are allowed) and a private address', () => {
    expect(() => tokenResponseConfig(integration, o2, tokens({}), {}, strict)).toThrow(/no "instance_url"/)
    expect(() => tokenResponseConfig(integration, o2, tokens({ instance_url: 42 }), {}, strict)).toThrow(/not a string/)
    expect(() => tokenResponseConfig(integration, o2, tokens({ instance_url: 'http://acme.example.com' }), {}, strict)).toThrow(/must be https/)
    expect(() => tokenResponseConfig(integration, o2, tokens({ instance_url: 'https://10.0.0.8' }), {}, strict)).toThrow(/refused/)
    expect(tokenResponseConfig(integration, o2, tokens({ instance_url: 'http://127.0.0.1:9' }), {}, { allowPrivateNetwork: true })).toEqual({ instance_url: 'http://127.0.0.1:9' })
  })
})
