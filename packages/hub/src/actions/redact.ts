/**
 * Redaction of credentials in what a service answers. A secret is searched for in every form a
 * service plausibly echoes it in (see {@link secretVariants}); a secret shorter than
 * {@link MIN_SECRET_LENGTH} characters is never searched for, since replacing a 1–3 character
 * string everywhere would mangle legitimate data while hiding almost nothing.
 */

/** Secrets shorter than this are not redacted (documented in docs/security.md). */
export const MIN_SECRET_LENGTH = 4

const AUTH_PREFIX = /^(?:Bearer|Basic|Token|Bot|OAuth|Digest)\s+/i

const lowerHex = (s: string) => s.replace(/%[0-9A-F]{2}/g, (m) => m.toLowerCase())
const hexOf = (c: string) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`

function jsonForms(s: string): string[] {
  const plain = JSON.stringify(s).slice(1, -1)
  const forms = [plain, plain.replace(/\//g, '\\/')]
  for (const f of [...forms]) {
    const u = f.replace(/[^\x20-\x7e]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)
    forms.push(
      u,
      u.replace(/\\u([0-9a-f]{4})/g, (_, h: string) => `\\u${h.toUpperCase()}`),
    )
  }
  return forms
}

function percentForms(s: string): string[] {
  const component = encodeURIComponent(s)
  const strict = component.replace(/[!'()*]/g, hexOf)
  const form = new URLSearchParams({ a: s }).toString().slice(2)
  return [component, strict, form, strict.replace(/%20/g, '+')].flatMap((f) => [f, lowerHex(f)])
}

function base64Forms(s: string): string[] {
  const b = Buffer.from(s, 'utf8').toString('base64')
  return [b, b.replace(/=+$/, ''), Buffer.from(s, 'utf8').toString('base64url')]
}

const variantCache = new Map<string, string[]>()

/**
 * Every form of a secret a service plausibly echoes: raw, JSON-escaped (`\/`, `\uXXXX` in either
 * hex case), percent-encoded as `encodeURIComponent`, RFC 3986 and `URLSearchParams` (`+`) do, in
 * either hex case, base64; for `Bearer x` / `Basic x` the token `x` alone too, and for Basic the
 * decoded `user:password` and the password. Longest first.
 *
 * @example
 * ```ts
 * secretVariants('a/b(c)').includes('a\\/b(c)') // true
 * ```
 */
export function secretVariants(secret: string): string[] {
  const hit = variantCache.get(secret)
  if (hit) return hit
  const roots = new Set([secret])
  const token = secret.replace(AUTH_PREFIX, '')
  if (token !== secret) roots.add(token)
  if (/^Basic\s/i.test(secret)) {
    const decoded = Buffer.from(token, 'base64').toString('utf8')
    if (decoded.includes(':')) {
      roots.add(decoded)
      roots.add(decoded.slice(decoded.indexOf(':') + 1))
    }
  }
  const out = new Set<string>()
  for (const r of roots) {
    if (r.length < MIN_SECRET_LENGTH) continue
    for (const v of [r, ...jsonForms(r), ...percentForms(r), ...base64Forms(r)]) if (v.length >= MIN_SECRET_LENGTH) out.add(v)
  }
  const list = [...out].sort((a, b) => b.length - a.length)
  if (variantCache.size > 10_000) variantCache.clear()
  variantCache.set(secret, list)
  return list
}

/**
 * Variants by the list of secrets: a connection's list is one array for as long as its
 * credentials are cached, and only grows (auth/static.ts adds the header values it builds), so
 * an entry is good while the length is the same.
 */
const listCache = new WeakMap<readonly string[], { length: number; variants: string[] }>()

function variantsOf(sensitive: readonly string[]): string[] {
  const hit = listCache.get(sensitive)
  if (hit && hit.length === sensitive.length) return hit.variants
  const variants = collectVariants(sensitive)
  listCache.set(sensitive, { length: sensitive.length, variants })
  return variants
}

function collectVariants(sensitive: readonly string[]): string[] {
  const all = new Set<string>()
  for (const s of sensitive) if (s.length >= MIN_SECRET_LENGTH) for (const v of secretVariants(s)) all.add(v)
  return [...all].sort((a, b) => b.length - a.length)
}

function replaceAll(text: string, variants: readonly string[]): string {
  let out = text
  for (const v of variants) if (out.includes(v)) out = out.split(v).join('[REDACTED]')
  return out
}

/**
 * Replaces every occurrence of a sensitive string, in every form of {@link secretVariants}: a
 * service echoing a credential must not leak it.
 *
 * @example
 * ```ts
 * redact('token=s3cret-value', ['s3cret-value']) // 'token=[REDACTED]'
 * ```
 */
export function redact(text: string, sensitive: readonly string[]): string {
  if (sensitive.length === 0 || text === '') return text
  return replaceAll(text, variantsOf(sensitive))
}

/**
 * Redacts a parsed value in place (strings and object keys at any depth, without recursion):
 * what the caller sees after JSON escapes are decoded. Returns the value (a string is returned
 * redacted).
 *
 * @example
 * ```ts
 * redactValue(JSON.parse('{"t":"s3cr\\u0065t"}'), ['s3cret']) // { t: '[REDACTED]' }
 * ```
 */
export function redactValue(value: unknown, sensitive: readonly string[]): unknown {
  if (sensitive.length === 0) return value
  const variants = variantsOf(sensitive)
  if (typeof value === 'string') return replaceAll(value, variants)
  const stack: unknown[] = [value]
  while (stack.length > 0) {
    const node = stack.pop()
    if (node === null || typeof node !== 'object') continue
    if (Array.isArray(node)) {
      for (let i = 0; i < node.length; i++) {
        const x = node[i]
        if (typeof x === 'string') node[i] = replaceAll(x, variants)
        else if (x !== null && typeof x === 'object') stack.push(x)
      }
      continue
    }
    const obj = node as Record<string, unknown>
    for (const k of Object.keys(obj)) {
      const x = obj[k]
      const nk = replaceAll(k, variants)
      const nx = typeof x === 'string' ? replaceAll(x, variants) : x
      if (nk !== k) {
        delete obj[k]
        obj[nk] = nx
      } else if (nx !== x) obj[k] = nx
      if (nx !== null && typeof nx === 'object') stack.push(nx)
    }
  }
  return value
}

/** A response's headers as strings (multi-valued ones comma-joined), each value {@link redact}ed. */
export function redactHeaders(headers: Record<string, string | string[] | undefined>, sensitive: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {}
  for (const [k, v] of Object.entries(headers)) if (v !== undefined) out[k] = redact(Array.isArray(v) ? v.join(', ') : v, sensitive)
  return out
}
