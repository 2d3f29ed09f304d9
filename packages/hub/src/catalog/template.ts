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
  // Most templates (methods, base URLs, fixed headers) hold no placeholder: skip the parse.
  if (!template.includes('{')) return template
  const parts = compiled(template)
  let out = parts[0] as string
  for (let i = 1; i < parts.length; i += 2) {
    const p = parts[i] as Placeholder
    const v = lookup(p.name)
    if (v === undefined || v === null) return undefined
    out += (p.raw ? stringify(v) : encode(stringify(v))) + (parts[i + 1] as string)
  }
  return out
}

/** A placeholder of a compiled template. */
interface Placeholder {
  name: string
  raw: boolean
}

/** Templates compiled so far; the catalog's templates are a few thousand at most. */
const compiledTemplates = new Map<string, readonly (string | Placeholder)[]>()
const COMPILED_MAX = 5_000
/** Longer templates are compiled on each use and not kept: the cache stays a few MB at most. */
const COMPILED_CHARS_MAX = 2_048

/**
 * A template split once into literal text (even indices) and placeholders (odd indices):
 * rendering is then a loop of concatenations, not a regex replace with a callback per call
 * (the template functions were ~2 % of an action run's CPU; docs/performance.md, "The sixth
 * round"). Bounded: past {@link COMPILED_MAX} templates (only tenant-registered definitions
 * could make that many) the cache starts again.
 */
function compiled(template: string): readonly (string | Placeholder)[] {
  const hit = compiledTemplates.get(template)
  if (hit !== undefined) return hit
  const out: (string | Placeholder)[] = []
  let last = 0
  for (const m of template.matchAll(PLACEHOLDER)) {
    out.push(template.slice(last, m.index), { name: m[2] as string, raw: m[1] === '+' })
    last = m.index + m[0].length
  }
  out.push(template.slice(last))
  if (template.length <= COMPILED_CHARS_MAX) {
    if (compiledTemplates.size >= COMPILED_MAX) compiledTemplates.clear()
    compiledTemplates.set(template, out)
  }
  return out
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
