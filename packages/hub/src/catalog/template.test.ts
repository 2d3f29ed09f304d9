import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { placeholderNames, renderTemplate, renderValue } from './template.js'

/** The regex-replace rendering the compiled one replaced: the reference it is held to. */
function reference(template: string, lookup: (n: string) => unknown, encode: (s: string) => string): string | undefined {
  let missing = false
  const str = (v: unknown) => (typeof v === 'string' ? v : typeof v === 'object' ? JSON.stringify(v) : String(v))
  const out = template.replace(/\{(\+?)([A-Za-z_][A-Za-z0-9_]*)\}/g, (_, raw: string, name: string) => {
    const v = lookup(name)
    if (v === undefined || v === null) {
      missing = true
      return ''
    }
    return raw ? str(v) : encode(str(v))
  })
  return missing ? undefined : out
}

const NAMES = ['a', 'b', 'owner', '_x1']
const piece = fc.oneof(fc.constantFrom(...NAMES.map((n) => `{${n}}`), ...NAMES.map((n) => `{+${n}}`), '{', '}', '{}', '{1a}', '{+}', '/', '?q=', ' '), fc.string({ maxLength: 4 }))
const values = fc.record(
  { a: fc.oneof(fc.string(), fc.integer(), fc.constant(null)), b: fc.string(), owner: fc.constantFrom('a b', 'x/y', 'é'), _x1: fc.array(fc.integer(), { maxLength: 2 }) },
  { requiredKeys: [] },
)

describe('renderTemplate', () => {
  it('renders exactly as a regex replace would, for any template and values', () => {
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 8 }), values, fc.boolean(), (parts, vals, encoded) => {
        const template = parts.join('')
        const lookup = (n: string) => (vals as Record<string, unknown>)[n]
        const encode = encoded ? encodeURIComponent : String
        let want: string | undefined | 'threw'
        try {
          want = reference(template, lookup, encode)
        } catch {
          want = 'threw'
        }
        let got: string | undefined | 'threw'
        try {
          got = renderTemplate(template, lookup, encode)
        } catch {
          got = 'threw'
        }
        // A missing value before one that cannot be encoded: the compiled one stops at the first.
        if (want === 'threw' && got === undefined) return
        expect(got).toBe(want)
      }),
      { numRuns: 5_000 },
    )
  })

  it('encodes {name} values, inserts {+name} values as they are, and is undefined when one is missing', () => {
    const lookup = (n: string) => ({ owner: 'a b', path: 'x/y', n: 0 })[n]
    expect(renderTemplate('/repos/{owner}/{+path}?n={n}', lookup, encodeURIComponent)).toBe('/repos/a%20b/x/y?n=0')
    expect(renderTemplate('/repos/{owner}/{missing}', lookup, encodeURIComponent)).toBeUndefined()
    expect(renderTemplate('no placeholders {}', lookup, encodeURIComponent)).toBe('no placeholders {}')
    expect(renderValue('{n}', lookup)).toBe(0)
    expect(placeholderNames('{a}/{+b}/{a}')).toEqual(['a', 'b', 'a'])
    // A template too long to keep is compiled on each use, with the same result.
    const long = `${'x'.repeat(3_000)}/{owner}`
    expect(renderTemplate(long, lookup, encodeURIComponent)).toBe(`${'x'.repeat(3_000)}/a%20b`)
    expect(renderTemplate(long, lookup, encodeURIComponent)).toBe(`${'x'.repeat(3_000)}/a%20b`)
  })
})
