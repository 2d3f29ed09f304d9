/**
 * The static schemes (BEARER_TOKEN, API_KEY, BASIC, NO_AUTH): credentials given at connect time
 * and put on every request as the definition's `apply` says. Each way of putting them is an
 * {@link ApplyStrategy}: a factory that reads its part of `apply` and returns a function that
 * decorates the request, or nothing when that part is absent. A request signer (AWS SigV4) is one
 * more strategy in {@link APPLY_STRATEGIES}.
 */
import { ConnectionStatus, type ApplyDefinition } from '@patchbay/core'
import { renderTemplate, type Lookup } from '../catalog/template.js'
import { applyAwsSigV4 } from './aws-sigv4-apply.js'
import { setHeader, type AuthScheme, type OutgoingRequest, type SchemeCredentials } from './scheme.js'

/** Decorates one request; may be async (a signer that reads a clock or a key store). */
export type RequestDecorator = (request: OutgoingRequest) => OutgoingRequest | Promise<OutgoingRequest>

/**
 * Makes the decorator of one part of `apply` for a connection's credentials, or undefined when
 * the definition does not use that part. `lookup` reads a secret first, then a non-secret input.
 */
export type ApplyStrategy = (apply: ApplyDefinition, credentials: SchemeCredentials, lookup: Lookup) => RequestDecorator | undefined

/** The credential lookup of `apply` templates: secrets first, then non-secret inputs. */
export function credentialLookup(credentials: SchemeCredentials): Lookup {
  return (n) => credentials.secrets[n] ?? credentials.config[n]
}

function remember(credentials: SchemeCredentials, value: string, minLength: number): void {
  if (value.length >= minLength && !credentials.sensitive.includes(value)) credentials.sensitive.push(value)
}

/** `apply.headers`: header name and value templates (`Authorization: Bearer {token}`). */
export const applyHeaders: ApplyStrategy = (apply, credentials, lookup) => {
  const entries = Object.entries(apply.headers ?? {})
  if (entries.length === 0) return undefined
  return (request) => {
    for (const [kt, vt] of entries) {
      const k = renderTemplate(kt, lookup, String)
      const v = renderTemplate(vt, lookup, String)
      if (k !== undefined && v !== undefined) {
        setHeader(request.headers, k, v)
        remember(credentials, v, 8)
      }
    }
    return request
  }
}

/** `apply.query`: query parameters (`api_key={api_key}`), replacing any of the same name. */
export const applyQuery: ApplyStrategy = (apply, _credentials, lookup) => {
  const entries = Object.entries(apply.query ?? {})
  if (entries.length === 0) return undefined
  return (request) => {
    const url = new URL(request.url)
    for (const [k, t] of entries) {
      const v = renderTemplate(t, lookup, String)
      if (v !== undefined) url.searchParams.set(k, v)
    }
    request.url = url.toString()
    return request
  }
}

/**
 * `apply.basic`: HTTP Basic credentials.
 *
 * @see https://www.rfc-editor.org/rfc/rfc7617#section-2
 */
export const applyBasic: ApplyStrategy = (apply, credentials, lookup) => {
  const basic = apply.basic
  if (!basic) return undefined
  return (request) => {
    const user = renderTemplate(basic.username, lookup, String) ?? ''
    const pass = renderTemplate(basic.password, lookup, String) ?? ''
    const token = Buffer.from(`${user}:${pass}`, 'utf8').toString('base64')
    setHeader(request.headers, 'Authorization', `Basic ${token}`)
    remember(credentials, token, 0)
    return request
  }
}

/** Every apply strategy, in the order they run (a signer goes last: it signs what the others set). */
export const APPLY_STRATEGIES: readonly ApplyStrategy[] = [applyHeaders, applyQuery, applyBasic, applyAwsSigV4]

/**
 * Applies a definition's `apply` to a request with every strategy in turn. Synchronous unless a
 * strategy is (a signer that reads a key store): then the rest run after it and the result is a
 * promise. The common case, headers or a query parameter, costs no promise and no microtask turn
 * per action run (docs/performance.md, "The sixth round").
 *
 * @example
 * ```ts
 * await applyCredentials({ headers: { Authorization: 'Bearer {token}' } }, request, credentials)
 * ```
 */
export function applyCredentials(apply: ApplyDefinition | undefined, request: OutgoingRequest, credentials: SchemeCredentials): OutgoingRequest | Promise<OutgoingRequest> {
  if (!apply) return request
  return applyFrom(0, apply, request, credentials, credentialLookup(credentials))
}

function applyFrom(first: number, apply: ApplyDefinition, request: OutgoingRequest, credentials: SchemeCredentials, lookup: Lookup): OutgoingRequest | Promise<OutgoingRequest> {
  let out = request
  for (let i = first; i < APPLY_STRATEGIES.length; i++) {
    const decorate = (APPLY_STRATEGIES[i] as ApplyStrategy)(apply, credentials, lookup)
    if (!decorate) continue
    const next = decorate(out)
    if (next instanceof Promise) return next.then((r) => applyFrom(i + 1, apply, r, credentials, lookup))
    out = next
  }
  return out
}

/**
 * A static scheme: connect saves the given inputs (secrets sealed) as an ACTIVE connection;
 * every request gets the definition's `apply`.
 *
 * @example
 * ```ts
 * const BEARER_TOKEN = staticScheme()
 * ```
 */
export function staticScheme(): AuthScheme {
  return {
    redirects: false,
    async connect(ctx) {
      return { id: await ctx.save({ status: ConnectionStatus.ACTIVE, statusReason: null, secrets: ctx.secrets }) }
    },
    decorate: (request, credentials, { apply }) => applyCredentials(apply, request, credentials),
  }
}

/** `Authorization: Bearer <token>` (or the definition's own `apply`). */
export const BEARER_TOKEN: AuthScheme = staticScheme()
/** An API key in a header or the query, as the definition's `apply` says. */
export const API_KEY: AuthScheme = staticScheme()
/** HTTP Basic (RFC 7617) from the definition's `apply.basic`. */
export const BASIC: AuthScheme = staticScheme()
/** No credentials (an `apply` may still add fixed headers). */
export const NO_AUTH: AuthScheme = staticScheme()
