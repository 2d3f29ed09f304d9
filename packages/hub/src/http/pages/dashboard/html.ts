/**
 * HTML building for the dashboard's server-rendered pages: a tagged template that escapes every
 * interpolated value unless it is already {@link SafeHtml}, so user content (names, URLs, error
 * messages) can never become markup.
 */

/** Markup that is already safe to place in a page. */
export class SafeHtml {
  /** The markup. */
  readonly value: string
  constructor(value: string) {
    this.value = value
  }
  toString(): string {
    return this.value
  }
}

/** Escapes `&<>"'` as numeric entities. */
export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`)
}

type Part = SafeHtml | string | number | boolean | null | undefined | readonly Part[]

function render(part: Part): string {
  if (part === null || part === undefined || part === false) return ''
  if (part instanceof SafeHtml) return part.value
  if (Array.isArray(part)) return part.map(render).join('')
  return escapeHtml(String(part))
}

/**
 * A tagged template: `html\`<p>${name}</p>\`` escapes `name`; arrays are joined; `null`,
 * `undefined` and `false` render as nothing.
 *
 * @example
 * ```ts
 * html`<td>${row.name}</td>`.value
 * ```
 */
export function html(strings: TemplateStringsArray, ...values: Part[]): SafeHtml {
  let out = strings[0] ?? ''
  for (let i = 0; i < values.length; i++) out += render(values[i] as Part) + (strings[i + 1] ?? '')
  return new SafeHtml(out)
}

/** A date as `2026-01-02 03:04 UTC` (the page has no script to localise it), or a dash. */
export function when(iso: string | null | undefined): string {
  if (!iso) return '—'
  const d = new Date(iso)
  if (Number.isNaN(d.getTime())) return iso
  return `${d.toISOString().slice(0, 16).replace('T', ' ')} UTC`
}
