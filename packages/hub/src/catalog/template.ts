/**
 * The `{name}` / `{+name}` templates of connector definitions. Deliberately tiny (no RFC 6570
 * operators beyond `+`): definitions need substitution, not a URI-template language.
 */

const PLACEHOLDER = /\{(\+?)([A-Za-z_][A-Za-z0-9_]*)\}/g
const SINGLE = /^\{\+?([A-Za-z_][A-Za-z0-9_]*)\}$/

/** Looks up a placeholder's value; undefined or null means "no value". */
export type Lookup = (name: string) => unknown

function stringify(v: unknown): string {
  return typeof v === 'string' ? v : typeof v === 'object' ? JSON.stringify(v) : String(v)
}

/**
 * Renders a template to a string. `{name}` values pass through `encode`; `{+name}` values are
 * inserted as they are. Returns undefined when any placeholder has no value.
 *
 * @example
 * ```ts
 * renderTemplate('/repos/{owner}/{repo}', (n) => ({ owner: 'a b', repo: 'x' })[n], encodeURIComponent)
 * // '/repos/a%20b/x'
 * ```
 */
export function renderTemplate(template: string, lookup: Lookup, encode: (s: string) => string): string | undefined {
  // Most templates (methods, base URLs, fixed headers) hold no placeholder: skip the regex.
  if (!template.includes('{')) return template
  let missing = false
  const out = template.replace(PLACEHOLDER, (_, raw: string, name: string) => {
    const v = lookup(name)
    if (v === undefined || v === null) {
      missing = true
      return ''
    }
    return raw ? stringify(v) : encode(stringify(v))
  })
  return missing ? undefined : out
}

/**
 * Renders a template to a value: a template that is exactly one placeholder keeps the value's
 * type (numbers, objects, arrays); anything else renders to a string.
 */
export function renderValue(template: string, lookup: Lookup): unknown {
  const single = SINGLE.exec(template)
  if (single) return lookup(single[1] as string) ?? undefined
  return renderTemplate(template, lookup, (s) => s)
}

/** The placeholders of a template, in order: each name, and whether it is `{+name}` (inserted as it is). */
export function placeholders(template: string): { name: string; raw: boolean }[] {
  return [...template.matchAll(PLACEHOLDER)].map((m) => ({ name: m[2] as string, raw: m[1] === '+' }))
}

/** Placeholder names used in a template. */
export function placeholderNames(template: string): string[] {
  return placeholders(template).map((p) => p.name)
}
