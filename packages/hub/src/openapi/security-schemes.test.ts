import { describe, expect, it } from 'vitest'
import { securitySchemes, withBaseUrlInput } from './security-schemes.js'

describe('securitySchemes', () => {
  it('maps bearer and apiKey schemes, and NO_AUTH when none maps', () => {
    const warnings: string[] = []
    const api = { components: { securitySchemes: { b: { type: 'http', scheme: 'bearer' }, k: { type: 'apiKey', in: 'header', name: 'X-Key' } } } }
    const auth = securitySchemes(api, false, 'https://api.example.com', warnings)
    expect(Object.keys(auth).sort()).toEqual(['API_KEY', 'BEARER_TOKEN'])
    expect(Object.keys(securitySchemes({}, false, undefined, []))).toEqual(['NO_AUTH'])
  })

  it('puts a base_url input first, defaulting to the server URL', () => {
    const out = withBaseUrlInput({ NO_AUTH: {} }, 'https://api.example.com')
    expect(out.NO_AUTH?.inputs?.[0]).toMatchObject({ name: 'base_url', required: false, default: 'https://api.example.com' })
  })
})
