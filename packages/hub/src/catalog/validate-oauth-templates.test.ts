import { describe, expect, it } from 'vitest'
import { validateDefinition } from './validate-definition.js'

// Templated OAuth URLs: every placeholder must be a non-secret input of the same scheme.
function definition(oauth: Record<string, unknown>, inputs: unknown[], schema: 'OAUTH2' | 'OAUTH1' = 'OAUTH2') {
  return {
    id: 'tenant-auth',
    name: 'Tenant Auth',
    description: 'An API whose authorization server is per tenant.',
    baseUrl: 'https://api.example.com',
    auth: { [schema]: { inputs, [schema === 'OAUTH2' ? 'oauth2' : 'oauth1']: oauth } },
    actions: [{ code: 'ME', name: 'Me', description: 'Who am I.', input: { type: 'object' }, request: { method: 'GET', path: '/me' } }],
  }
}
const input = (name: string, secret = false) => ({ name, displayName: name, description: `The ${name}.`, ...(secret ? { secret: true } : {}) })
const problems = (def: unknown) => {
  const r = validateDefinition(def)
  return r.ok ? [] : r.problems
}

describe('templated OAuth URLs in a definition', () => {
  it('accepts placeholders that are non-secret inputs of the scheme, and a grant that is one placeholder', () => {
    expect(problems(definition({ authorizationUrl: 'https://{tenant}.auth.example/authorize', tokenUrl: 'https://{tenant}.auth.example/token' }, [input('tenant')]))).toEqual([])
    expect(problems(definition({ grant: '{grant}', authorizationUrl: '{a}', tokenUrl: '{t}' }, [input('grant'), input('a'), input('t')]))).toEqual([])
    expect(problems(definition({ requestTokenUrl: '{r}', authorizationUrl: 'https://x.example/a', accessTokenUrl: 'https://x.example/t' }, [input('r')], 'OAUTH1'))).toEqual([])
  })

  it('reports an undeclared placeholder with its field', () => {
    expect(problems(definition({ authorizationUrl: 'https://x.example/a', tokenUrl: 'https://{tenant}.example/token' }, []))).toContainEqual({
      field: '/auth/OAUTH2/oauth2/tokenUrl',
      message: 'uses {tenant}, which is not an input of this scheme in tenant-auth',
    })
    expect(problems(definition({ requestTokenUrl: '{r}', authorizationUrl: 'https://x.example/a', accessTokenUrl: '{t}' }, [input('r')], 'OAUTH1')).map((p) => p.field)).toEqual([
      '/auth/OAUTH1/oauth1/accessTokenUrl',
    ])
  })

  it('refuses a secret input in an OAuth URL', () => {
    const p = problems(definition({ authorizationUrl: 'https://x.example/a', tokenUrl: 'https://x.example/{key}' }, [input('key', true)]))
    expect(p).toContainEqual({ field: '/auth/OAUTH2/oauth2/tokenUrl', message: 'uses {key}, a secret input: OAuth URLs take only non-secret inputs' })
  })

  it('refuses a grant that is neither a grant name nor one placeholder', () => {
    expect(problems(definition({ grant: 'password', authorizationUrl: 'https://x.example/a', tokenUrl: 'https://x.example/t' }, [])).length).toBeGreaterThan(0)
    expect(problems(definition({ grant: 'x{g}', authorizationUrl: 'https://x.example/a', tokenUrl: 'https://x.example/t' }, [input('g')])).length).toBeGreaterThan(0)
  })
})
