import { PatchbayError } from '@patchbay/core'

/** A `.` or `..` segment, raw or percent-encoded (`%2e`, `%2E`, mixed). */
function isDotSegment(segment: string): boolean {
  const s = segment.replace(/%2e/gi, '.')
  return s === '.' || s === '..'
}

/**
 * Refuses a path parameter that would change the path's structure: a `{name}` value that is a
 * `.` or `..` segment, or a `{+name}` value with such a segment (split on `/` and `\`, which URL
 * parsers treat alike), encoded or not. `new URL` resolves dot segments, so `{owner: '..'}` on
 * `/repos/{owner}/{repo}` would otherwise send `/user`.
 *
 * @example
 * ```ts
 * refuseDotSegments('ACME_GET', 'owner', '..', false) // throws INVALID_ACTION_INPUT (400)
 * ```
 *
 * @throws {PatchbayError} INVALID_ACTION_INPUT naming the input.
 */
export function refuseDotSegments(actionCode: string, name: string, value: unknown, raw: boolean): void {
  if (value === undefined || value === null) return
  const text = typeof value === 'string' ? value : typeof value === 'object' ? JSON.stringify(value) : String(value)
  const segments = raw ? text.split(/[/\\]|%2f|%5c/i) : [text]
  if (segments.some(isDotSegment)) {
    throw new PatchbayError(
      'INVALID_ACTION_INPUT',
      `Invalid input for ${actionCode}: '${name}' may not contain a '.' or '..' path segment (encoded or not); it would change the request's path`,
    )
  }
}

/**
 * Refuses a resolved URL that left the base URL: another origin, or a path not under the base
 * URL's path (`https://api.example.com/v1` admits `/v1` and `/v1/…`, not `/v10` or `/admin`).
 *
 * @example
 * ```ts
 * assertUnderBase('REQUEST', new URL('https://a.example/v1'), new URL('https://a.example/admin')) // throws
 * ```
 *
 * @throws {PatchbayError} INVALID_ACTION_INPUT saying the path must stay under the base URL.
 */
export function assertUnderBase(actionCode: string, base: URL, url: URL): void {
  const basePath = base.pathname.replace(/\/+$/, '')
  const under = url.pathname === basePath || url.pathname.startsWith(`${basePath}/`) || basePath === ''
  if (url.origin !== base.origin || !under) {
    throw new PatchbayError(
      'INVALID_ACTION_INPUT',
      `Invalid input for ${actionCode}: the path must stay under the base URL's path (${basePath || '/'}); it resolved to ${url.pathname}`,
    )
  }
}
