import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { toIntegration } from '../catalog/catalog.js'
import { buildRequest } from './build-request.js'
import { assertUnderBase } from './path-guard.js'

// buildRequest writes `base + path` without parsing when both are already in the form `new URL`
// writes them (build-request.ts, isPlainBase/isPlainPath). These properties hold it to what
// parsing gives: the same URL, or the same refusal, for bases and paths made to hit the edges.

const integration = toIntegration(
  {
    id: 'plain',
    name: 'Plain',
    description: 'd',
    baseUrl: '{base_url}',
    auth: { NO_AUTH: { inputs: [{ name: 'base_url', displayName: 'Base URL', description: 'd' }] } },
    actions: [
      { code: 'RAW', name: 'n', description: 'd', input: { type: 'object' }, request: { method: 'GET', path: '/x/{+p}' } },
      { code: 'ENCODED', name: 'n', description: 'd', input: { type: 'object' }, request: { method: 'GET', path: 'items/{p}' } },
    ],
  },
  'test',
)
const action = (code: string) => integration.definition.actions.find((a) => a.code === code) as (typeof integration.definition.actions)[number]

const BASES = [
  'http://127.0.0.1:8080',
  'http://127.0.0.1:8080/',
  'http://127.0.0.1:80',
  'HTTP://Example.COM',
  'https://a.example/v1',
  'https://a.example/v1/',
  'https://a.example:443/v1',
  'https://a.example/v1/../admin',
  'https://a.example/v%7e1',
  'https://a.example/v 1',
  'https://user:pw@a.example',
  'https://a.example?x=1',
  'https://a.example#f',
  'http://[::1]:3000/api',
  'ftp://a.example',
  'not a url',
  '',
]
const PATH_CHARS = [...'aZ09-._~!$&\'()*+,;=:@/%2eE?#\\ {}|^`"<>é\t']

/** What buildRequest answered before the plain path: parse, check the scheme and the base, write. */
function parsed(base: string, path: string): string | 'refused' {
  try {
    const trimmed = base.replace(/\/+$/, '')
    const url = new URL(trimmed + path)
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return 'refused'
    assertUnderBase('RAW', trimmed ? new URL(trimmed) : new URL(url.origin), url)
    return url.toString()
  } catch {
    return 'refused'
  }
}

function built(code: string, base: string, p: string): string | 'refused' {
  try {
    return buildRequest(integration, action(code), { p }, { base_url: base }).url
  } catch {
    return 'refused'
  }
}

describe('buildRequest without parsing the URL', () => {
  it('writes the URL parsing would write, or refuses what it refuses ({+raw} paths)', () => {
    fc.assert(
      fc.property(fc.constantFrom(...BASES), fc.array(fc.constantFrom(...PATH_CHARS), { maxLength: 12 }), (base, chars) => {
        const p = chars.join('')
        const got = built('RAW', base, p)
        // A dot segment in the value is refused before the URL is made (path-guard.ts); else as parsing.
        if (got !== 'refused') expect(got).toBe(parsed(base, `/x/${p}`))
        else if (parsed(base, `/x/${p}`) !== 'refused') expect(p).toMatch(/(^|[/\\]|%2f|%5c)(\.|%2e){1,2}([/\\]|%2f|%5c|$)/i)
      }),
      { numRuns: 3_000 },
    )
  })

  it('writes the URL parsing would write for encoded values', () => {
    fc.assert(
      fc.property(fc.constantFrom(...BASES), fc.string({ maxLength: 10 }), (base, p) => {
        const got = built('ENCODED', base, p)
        if (got !== 'refused') expect(got).toBe(parsed(base, `/items/${encodeURIComponent(p)}`))
      }),
      { numRuns: 2_000 },
    )
  })

  it('takes the plain path for the common case and keeps it exact', () => {
    expect(built('RAW', 'http://127.0.0.1:8080/', 'a/b')).toBe('http://127.0.0.1:8080/x/a/b')
    expect(built('ENCODED', 'https://a.example/v1', 'a b')).toBe('https://a.example/v1/items/a%20b')
    // Not plain: parsing lower-cases the host and drops the default port, as before.
    expect(built('RAW', 'HTTP://Example.COM:80', 'a')).toBe('http://example.com/x/a')
    expect(built('RAW', 'https://a.example/v1', 'a b|c')).toBe('https://a.example/v1/x/a%20b|c')
  })
})
