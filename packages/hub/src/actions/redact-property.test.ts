import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { redact, redactHeaders, redactValue } from './redact.js'

/** Every form a service might echo a secret in (what the red-team pass used). */
function echoes(secret: string): string[] {
  const json = JSON.stringify(secret).slice(1, -1)
  const slash = json.replace(/\//g, '\\/')
  const uEsc = (s: string, upper: boolean) =>
    s.replace(/[^\x20-\x7e]/g, (c) => {
      const h = c.charCodeAt(0).toString(16).padStart(4, '0')
      return `\\u${upper ? h.toUpperCase() : h}`
    })
  const comp = encodeURIComponent(secret)
  const form = new URLSearchParams({ a: secret }).toString().slice(2)
  const lower = (s: string) => s.replace(/%[0-9A-F]{2}/g, (m) => m.toLowerCase())
  return [secret, json, slash, uEsc(slash, false), uEsc(json, true), comp, lower(comp), form, lower(form), Buffer.from(secret).toString('base64')]
}

const secretArb = fc
  .string({
    unit: fc.oneof(fc.constantFrom('/', '+', '=', '(', ')', "'", '!', '~', '*', '"', '\\', ' ', '&', '%', 'é', '😀'), fc.string({ unit: 'grapheme', minLength: 1, maxLength: 1 })),
    minLength: 4,
    maxLength: 24,
  })
  .filter((s) => s.length >= 4)

describe('redact (property: no encoding of a secret gets through)', () => {
  it('the raw text, the parsed JSON body and headers never contain the secret after redaction', () => {
    fc.assert(
      fc.property(secretArb, (secret) => {
        const forms = echoes(secret)
        const text = redact(`{"json":${JSON.stringify(secret)},"forms":${JSON.stringify(forms)}} ${forms.join(' ')}`, [secret])
        for (const f of forms) expect(text).not.toContain(f)
        // What the caller sees: the parsed value, JSON escapes decoded.
        const parsed = redactValue({ v: secret, [secret]: [secret, { deep: `x${secret}y` }], list: [...forms] }, [secret])
        const seen = JSON.stringify(parsed)
        expect(seen).not.toContain(JSON.stringify(secret).slice(1, -1))
        expect(Object.keys(parsed as object)).not.toContain(secret)
        const headers = redactHeaders({ 'x-echo': forms, 'x-one': forms[6] }, [secret])
        for (const v of Object.values(headers)) for (const f of forms) expect(v).not.toContain(f)
      }),
      { seed: 20261201, numRuns: 500 },
    )
  })

  it('redacts the token of a Bearer header value and the parts of a Basic one', () => {
    const basic = `Basic ${Buffer.from('ada:pa/ss(w)rd').toString('base64')}`
    const text = redact(`tok=abcd/ef; user=ada:pa/ss(w)rd; pw=pa%2Fss%28w%29rd`, ['Bearer abcd/ef', basic])
    expect(text).toBe('tok=[REDACTED]; user=[REDACTED]; pw=[REDACTED]')
  })

  it('leaves secrets shorter than 4 characters alone (they would mangle data)', () => {
    expect(redact('abc abc', ['abc'])).toBe('abc abc')
  })

  it('redacts a JSON body with \\u escapes once parsed', () => {
    expect(redactValue(JSON.parse('{"t":"s3cr\\u0065t\\/x"}'), ['s3cret/x'])).toEqual({ t: '[REDACTED]' })
  })
})
