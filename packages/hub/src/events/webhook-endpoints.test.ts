import { describe, expect, it } from 'vitest'
import { openStore } from '../store/store.js'
import { generateMasterKey, parseMasterKey, Vault } from '../vault/vault.js'
import { newWebhookSecret, WebhookEndpoints } from './webhook-endpoints.js'

const vault = new Vault([parseMasterKey(generateMasterKey())])

describe('WebhookEndpoints', () => {
  it('accepts https only, and no private address, unless the operator allows private networks', () => {
    const strict = new WebhookEndpoints({ store: openStore(':memory:'), vault, allowPrivateNetwork: false })
    expect(strict.checkEndpointUrl('https://hooks.example.com/x')).toBe('https://hooks.example.com/x')
    expect(() => strict.checkEndpointUrl('http://hooks.example.com/x')).toThrow(/must use https/)
    expect(() => strict.checkEndpointUrl('https://127.0.0.1/x')).toThrow(/loopback/)
    expect(() => strict.checkEndpointUrl('https://10.0.0.5/x')).toThrow(/PATCHBAY_ALLOW_PRIVATE_NETWORK/)
    expect(() => strict.checkEndpointUrl('https://user:pw@hooks.example.com/x')).toThrow(/not in the URL/)
    expect(() => strict.checkEndpointUrl(42)).toThrow(/url is required/)
    const open = new WebhookEndpoints({ store: openStore(':memory:'), vault, allowPrivateNetwork: true })
    expect(open.checkEndpointUrl('http://127.0.0.1:9/x')).toBe('http://127.0.0.1:9/x')
  })

  it('makes Standard Webhooks secrets: whsec_ and 24 random bytes', () => {
    const s = newWebhookSecret()
    expect(s).toMatch(/^whsec_/)
    expect(Buffer.from(s.slice(6), 'base64')).toHaveLength(24)
    expect(newWebhookSecret()).not.toBe(s)
  })
})
