import { LRUCache } from 'lru-cache'
import { PatchbayError, type ActionDefinition } from '@patchbay/core'
import type { OutgoingRequest } from '../auth/scheme.js'
import { setHeader } from '../auth/scheme.js'
import type { Integration } from '../catalog/catalog.js'
import { baseUrlTemplate } from '../catalog/scheme-base-url.js'
import { placeholderNames, placeholders, renderTemplate, renderValue, type Lookup } from '../catalog/template.js'
import { formEncode } from './form-encode.js'
import { assertUnderBase, refuseDotSegments } from './path-guard.js'

/** An outbound request, fully built (the same shape auth schemes decorate). */
export type BuiltRequest = OutgoingRequest

const METHODS = new Set(['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD'])

// Bounded like the hub's other caches (lru-cache, as tenants/api-keys.ts): the sets are small.
const placeholderCache = new LRUCache<string, { name: string; raw: boolean }[]>({ max: 1_000 })
const baseCache = new LRUCache<string, URL>({ max: 1_000 })

function remember<V extends object>(cache: LRUCache<string, V>, key: string, make: (k: string) => V): V {
  let v = cache.get(key)
  if (v === undefined) {
    v = make(key)
    cache.set(key, v)
  }
  return v
}

/** The `{name}` and `{+name}` placeholders of a path template, parsed once per template. */
function pathPlaceholders(path: string): { name: string; raw: boolean }[] {
  return remember(placeholderCache, path, placeholders)
}

/**
 * A base URL, parsed once per distinct text (a catalog's base URL, or a connection's rendered
 * one): parsing URLs was a tenth of an action run's own code (docs/performance.md). Callers
 * only read it.
 */
function baseUrlOf(base: string): URL {
  return remember(baseCache, base, (b) => new URL(b))
}

/**
 * Whether a base URL (trailing slashes removed) is already written the way `new URL` writes it:
 * http(s), no credentials, query or fragment, and the same text after parsing (lower-case scheme
 * and host, no default port, no dot segment). Cached per distinct text.
 */
function isPlainBase(base: string): boolean {
  let plain = plainBases.get(base)
  if (plain === undefined) {
    // Not a URL at all: not plain, and the parse below says what is wrong with it.
    const url = URL.canParse(base) ? baseUrlOf(base) : undefined
    plain =
      url !== undefined &&
      (url.protocol === 'http:' || url.protocol === 'https:') &&
      url.username === '' &&
      url.password === '' &&
      url.search === '' &&
      url.hash === '' &&
      (url.href === base || (url.pathname === '/' && url.href === `${base}/`))
    plainBases.set(base, plain)
  }
  return plain
}
const plainBases = new LRUCache<string, boolean>({ max: 1_000 })

/** Path characters `new URL` keeps as they are (no percent-encoding, no `\`, `?` or `#`), and `%XX`. */
const PLAIN_PATH = /^\/(?:[A-Za-z0-9\-._~!$&'()*+,;=:@/]|%[0-9A-Fa-f]{2})*$/
/** A `.` or `..` segment, raw or percent-encoded, which `new URL` would resolve. */
const DOT_SEGMENT = /(?:^|\/)(?:\.|%2e){1,2}(?:\/|$)/i

/**
 * Whether a rendered path (starting with `/`) comes out of `new URL(base + path)` unchanged, so
 * the URL is `base + path` without parsing it (parsing was ~2 % of an action run's CPU;
 * docs/performance.md, "The sixth round"): only characters URL parsing leaves alone and no
 * dot segment, so it stays under the base path as {@link assertUnderBase} demands. A property
 * test holds this to `new URL` (build-request-plain-url.test.ts).
 */
function isPlainPath(path: string): boolean {
  return PLAIN_PATH.test(path) && !DOT_SEGMENT.test(path)
}

/** Stringifies a query/header value: arrays comma-joined, objects as JSON. */
function flat(v: unknown): string {
  if (Array.isArray(v)) return v.map(flat).join(',')
  return typeof v === 'string' ? v : typeof v === 'object' ? JSON.stringify(v) : String(v)
}

/**
 * Inputs an action's path, query and headers use (so they are not sent again in a default body).
 *
 * @example
 * ```ts
 * consumedInputs(action) // Set { 'owner', 'repo' } for path /repos/{owner}/{repo}
 * ```
 */
export function consumedInputs(action: ActionDefinition): Set<string> {
  const req = action.request
  return new Set<string>([
    ...placeholderNames(req.method),
    ...placeholderNames(req.path),
    ...Object.values(req.query ?? {}).flatMap(placeholderNames),
    ...Object.values(req.headers ?? {}).flatMap(placeholderNames),
    ...[req.queryFrom, req.headersFrom, req.body?.from].filter((n): n is string => n !== undefined),
  ])
}

/**
 * Builds the outbound request of an action from its definition, the validated inputs and the
 * connection's non-secret inputs (`config`), without credentials: the connection's auth scheme
 * decorates the result (auth/scheme.ts); `scheme` picks that scheme's own base URL when it has
 * one. Pure: no I/O, so it is tested on its own.
 *
 * @example
 * ```ts
 * const req = buildRequest(github, findAction(github, 'GITHUB_GET_REPOSITORY'), { owner: 'o', repo: 'r' }, {})
 * // { method: 'GET', url: 'https://api.github.com/repos/o/r', headers: {…}, body: undefined }
 * ```
 *
 * @throws {PatchbayError} INVALID_ACTION_INPUT for a method, path or URL the inputs do not make.
 */
export function buildRequest(
  integration: Integration,
  action: ActionDefinition,
  input: Record<string, unknown>,
  config: Record<string, unknown>,
  consumed: ReadonlySet<string> = consumedInputs(action),
  scheme?: string,
): BuiltRequest {
  const def = integration.definition
  const req = action.request
  // Templates in the request see action inputs, then non-secret connection inputs: never secrets.
  const lookup: Lookup = (n) => input[n] ?? config[n]

  const method = (renderTemplate(req.method, lookup, String) ?? '').toUpperCase()
  if (!METHODS.has(method)) {
    throw new PatchbayError('INVALID_ACTION_INPUT', `method must be one of ${[...METHODS].join(', ')}; got "${method}"`)
  }
  const rendered = renderTemplate(baseUrlTemplate(def, scheme), (n) => config[n], String) ?? ''
  const base = rendered.endsWith('/') ? rendered.replace(/\/+$/, '') : rendered
  const path = renderTemplate(req.path, lookup, encodeURIComponent)
  if (path === undefined) {
    const absent = placeholderNames(req.path).filter((n) => lookup(n) === undefined || lookup(n) === null)
    throw new PatchbayError('INVALID_ACTION_INPUT', `Invalid input for ${action.code}: ${absent.map((n) => `'${n}' is required`).join('; ')}`)
  }
  for (const p of pathPlaceholders(req.path)) refuseDotSegments(action.code, p.name, lookup(p.name), p.raw)
  const fullPath = path.startsWith('/') || path === '' ? path : `/${path}`
  const hasQuery = req.queryFrom !== undefined || (req.query !== undefined && Object.keys(req.query).length > 0)
  const url = !hasQuery && isPlainBase(base) && isPlainPath(fullPath) ? base + fullPath : parsedUrl(action, base, fullPath, lookup, input)
  const headers = buildHeaders(def.headers, req.headers, lookup)
  spread(input, req.headersFrom, (k, v) => setHeader(headers, k, v), 'headers')
  return { method, url, headers, body: buildBody(req, method, input, consumed, headers) }
}

/**
 * The request URL by parsing `base + path`: checked to be http(s) and under the base URL's path,
 * with the action's query (and `queryFrom`) appended.
 */
function parsedUrl(action: ActionDefinition, base: string, path: string, lookup: Lookup, input: Record<string, unknown>): string {
  const req = action.request
  const url = new URL(base + path)
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new PatchbayError('INVALID_ACTION_INPUT', `The request URL must be http or https; got ${url.protocol}`)
  }
  assertUnderBase(action.code, base ? baseUrlOf(base) : new URL(url.origin), url)
  for (const [k, t] of Object.entries(req.query ?? {})) {
    const single = /^\{\+?([A-Za-z_][A-Za-z0-9_]*)\}$/.exec(t)
    const v = single ? lookup(single[1] as string) : renderTemplate(t, lookup, String)
    if (v !== undefined && v !== null) url.searchParams.append(k, flat(v))
  }
  spread(input, req.queryFrom, (k, v) => url.searchParams.append(k, v), 'query parameters')
  return url.toString()
}

/** The definition's and the action's headers, rendered (the action's win). */
function buildHeaders(defHeaders: Record<string, string> | undefined, actionHeaders: Record<string, string> | undefined, lookup: Lookup): Record<string, string> {
  const headers: Record<string, string> = {}
  for (const [k, t] of Object.entries(defHeaders ?? {})) {
    const v = renderTemplate(t, lookup, String)
    if (v !== undefined) setHeader(headers, k, v)
  }
  for (const [k, t] of Object.entries(actionHeaders ?? {})) {
    const v = renderTemplate(t, lookup, String)
    if (v !== undefined) setHeader(headers, k, v)
  }
  return headers
}

/** Puts the entries of the object input `name` (the action's `queryFrom` / `headersFrom`) with `into`. */
function spread(input: Record<string, unknown>, name: string | undefined, into: (k: string, v: string) => void, what: string): void {
  if (name === undefined) return
  const v = input[name]
  if (v === undefined || v === null) return
  if (typeof v !== 'object' || Array.isArray(v)) {
    throw new PatchbayError('INVALID_ACTION_INPUT', `'${name}' must be an object of ${what}`)
  }
  for (const [k, x] of Object.entries(v as Record<string, unknown>)) if (x !== undefined && x !== null) into(k, flat(x))
}

/** The request body of an action (none for GET and HEAD), setting its content type on `headers`. */
function buildBody(
  req: ActionDefinition['request'],
  method: string,
  input: Record<string, unknown>,
  consumed: ReadonlySet<string>,
  headers: Record<string, string>,
): string | undefined {
  const set = (k: string, v: string) => setHeader(headers, k, v)
  let body: string | undefined
  if (req.body && method !== 'GET' && method !== 'HEAD') {
    const encoding = req.body.encoding ?? 'json'
    let value: unknown
    if (req.body.from !== undefined) {
      value = renderValue(`{${req.body.from}}`, (n) => input[n])
    } else {
      const fields = req.body.fields ?? Object.keys(input).filter((k) => !consumed.has(k))
      const obj: Record<string, unknown> = {}
      for (const f of fields) if (input[f] !== undefined) obj[f] = input[f]
      value = obj
    }
    if (typeof value === 'string') {
      body = value
      if (!Object.keys(headers).some((h) => h.toLowerCase() === 'content-type')) set('Content-Type', 'text/plain; charset=utf-8')
    } else if (value !== undefined) {
      if (encoding === 'form') {
        body = formEncode(value).toString()
        set('Content-Type', 'application/x-www-form-urlencoded')
      } else {
        body = JSON.stringify(value)
        if (!Object.keys(headers).some((h) => h.toLowerCase() === 'content-type')) set('Content-Type', 'application/json')
      }
    }
  }
  return body
}
