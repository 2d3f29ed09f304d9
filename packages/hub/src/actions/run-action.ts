import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv'
import addFormats from 'ajv-formats'
import { Agent, request, type Dispatcher } from 'undici'
import { PatchbayError, type ActionDefinition, type AuthenticationSchema } from '@patchbay/core'
import type { Integration } from '../catalog/catalog.js'
import type { ConnectionRow } from '../store/store.js'
import type { Vault } from '../vault/vault.js'
import { checkUrl, findPatchbayError } from '../net/ssrf-guard.js'
import { placeholderNames, renderTemplate, renderValue, type Lookup } from './template.js'
import { signBuiltRequest } from '../auth/aws-sigv4-apply.js'

/** What {@link ActionRunner} is built with. */
export interface ActionRunnerConfig {
  vault: Vault
  /** Connect timeout for outbound calls, ms. */
  connectTimeoutMs: number
  /** Total timeout for an outbound call, ms. */
  timeoutMs: number
  /** Largest response body read from a service, bytes (default 10 MiB). */
  maxResponseBytes?: number
  /** Where outbound calls go; default a keep-alive undici Agent owned by the runner. */
  dispatcher?: Dispatcher
  /** OAuth hooks: refresh before expiry and after a 401 (OAUTH2), request signing (OAUTH1). */
  auth?: RunAuth
  /**
   * Network policy for URLs a tenant controls (a templated base URL such as the HTTP API's
   * `{base_url}`, or a definition the tenant registered): those requests go through `dispatcher`,
   * which refuses private, loopback and link-local addresses after DNS resolution. Absent when
   * `PATCHBAY_ALLOW_PRIVATE_NETWORK=true`.
   */
  guard?: { dispatcher: Dispatcher; appliesTo: (integration: Integration) => boolean }
}

/** What the runner asks of the OAuth layer. Implemented by `OAuthService`. */
export interface RunAuth {
  /** The row to run with, refreshed first when its OAuth 2 token is about to expire. */
  ready(integration: Integration, row: ConnectionRow): Promise<ConnectionRow>
  /** After a 401: a refreshed row to retry once with, or undefined. */
  unauthorized(integration: Integration, row: ConnectionRow): Promise<ConnectionRow | undefined>
  /** The OAuth 1.0a `Authorization` header of a built request. */
  signRequest(integration: Integration, row: ConnectionRow, secrets: Record<string, unknown>, req: BuiltRequest): Promise<string>
}

/** Decrypted, per-version view of a connection, cached so the hot path neither decrypts nor parses. */
interface Credentials {
  version: number
  config: Record<string, unknown>
  secrets: Record<string, unknown>
  /** Strings that must never leave the hub: secret values and derived header values. */
  sensitive: string[]
}

/** Plan of an action, computed once per definition. */
interface ActionPlan {
  validate: ValidateFunction
  /** Inputs used by path, query and headers: not sent in a default body. */
  consumed: Set<string>
}

const EXCERPT_CHARS = 2_000
const CREDENTIAL_CACHE_MAX = 10_000

/**
 * Finds an action of an integration by code: exact match first, then case-insensitive
 * (aiXplain's v2 client looks actions up case-insensitively).
 *
 * @throws {PatchbayError} UNKNOWN_ACTION listing the available codes.
 */
export function findAction(integration: Integration, code: string): ActionDefinition {
  const actions = integration.definition.actions
  const action = actions.find((a) => a.code === code) ?? actions.find((a) => a.code.toLowerCase() === code.toLowerCase())
  if (!action) {
    throw new PatchbayError(
      'UNKNOWN_ACTION',
      `Action '${code}' is not an action of ${integration.definition.name}. Available actions: ${JSON.stringify(actions.map((a) => a.code))}`,
    )
  }
  return action
}

/**
 * Runs actions: validates inputs against the action's JSON Schema, builds the request from the
 * definition's template, injects the connection's credentials per scheme, and calls the service
 * with undici (keep-alive pool per origin, connect and total timeouts).
 *
 * The hot path does no database write, no key derivation, and decrypts a connection's secrets
 * once per connection version.
 */
export class ActionRunner {
  readonly #vault: Vault
  readonly #connectTimeoutMs: number
  readonly #timeoutMs: number
  readonly #maxResponseBytes: number
  readonly #dispatcher: Dispatcher
  readonly #ownsDispatcher: boolean
  readonly #ajv = addFormats.default(new Ajv({ allErrors: true, useDefaults: true, strict: false }))
  readonly #plans = new WeakMap<ActionDefinition, ActionPlan>()
  readonly #credentials = new Map<string, Credentials>()
  readonly #auth: RunAuth | undefined
  readonly #guard: ActionRunnerConfig['guard']
  readonly #guarded = new WeakMap<Integration, boolean>()

  constructor(config: ActionRunnerConfig) {
    this.#vault = config.vault
    this.#auth = config.auth
    this.#guard = config.guard
    this.#connectTimeoutMs = config.connectTimeoutMs
    this.#timeoutMs = config.timeoutMs
    this.#maxResponseBytes = config.maxResponseBytes ?? 10 * 1024 * 1024
    this.#ownsDispatcher = config.dispatcher === undefined
    this.#dispatcher =
      config.dispatcher ??
      new Agent({
        connect: { timeout: this.#connectTimeoutMs },
        headersTimeout: this.#timeoutMs,
        bodyTimeout: this.#timeoutMs,
        keepAliveTimeout: 10_000,
      })
  }

  /** Closes the outbound connection pool (when the runner created it). */
  async close(): Promise<void> {
    if (this.#ownsDispatcher) await this.#dispatcher.close()
  }

  /** Drops cached credentials of a connection (after a change or a delete). */
  forget(connectionId: string): void {
    this.#credentials.delete(connectionId)
  }

  /**
   * Validates action inputs and returns them with schema defaults applied.
   *
   * @throws {PatchbayError} INVALID_ACTION_INPUT naming every offending field.
   */
  validateInput(integration: Integration, action: ActionDefinition, raw: unknown): Record<string, unknown> {
    const input = normaliseInput(raw, action.code)
    const plan = this.#plan(action)
    if (!plan.validate(input)) {
      const problems = (plan.validate.errors ?? []).map(describeInputError)
      throw new PatchbayError(
        'INVALID_ACTION_INPUT',
        `Invalid input for ${action.code} (${integration.definition.name}): ${problems.join('; ')}`,
        { details: { problems } },
      )
    }
    return input
  }

  /**
   * Runs `action` on a connection and returns what goes in the response's `data`.
   *
   * @throws {PatchbayError} INVALID_ACTION_INPUT, UPSTREAM_ERROR (with `details.upstreamStatus`),
   *   UPSTREAM_UNREACHABLE.
   */
  async run(integration: Integration, connection: ConnectionRow, action: ActionDefinition, raw: unknown): Promise<unknown> {
    const input = this.validateInput(integration, action, raw)
    const oauth2 = connection.auth_scheme === 'OAUTH2' && this.#auth !== undefined
    const row = oauth2 ? await (this.#auth as RunAuth).ready(integration, connection) : connection
    let { res, built, creds, timer } = await this.#send(integration, row, action, input)
    if (res.statusCode === 401 && oauth2) {
      // The token was refused: refresh once (shared with every concurrent caller) and retry.
      let next: ConnectionRow | undefined
      try {
        next = await (this.#auth as RunAuth).unauthorized(integration, row)
      } catch (err) {
        clearTimeout(timer)
        res.body.resume()
        throw err
      }
      if (next) {
        clearTimeout(timer)
        res.body.resume()
        ;({ res, built, creds, timer } = await this.#send(integration, next, action, input))
      }
    }
    let text: string
    try {
      text = redact(await readLimited(res.body, this.#maxResponseBytes), creds.sensitive)
    } catch (cause) {
      if (cause instanceof PatchbayError) throw cause
      throw unreachable(integration, built.url, cause, this.#timeoutMs)
    } finally {
      clearTimeout(timer)
    }
    const contentType = String(res.headers['content-type'] ?? '')
    const body = parseBody(text, contentType)
    if (action.request.response === 'envelope') {
      return { status: res.statusCode, headers: redactHeaders(res.headers, creds.sensitive), body }
    }
    if (res.statusCode < 200 || res.statusCode >= 300) {
      const excerpt = text.length > EXCERPT_CHARS ? `${text.slice(0, EXCERPT_CHARS)}… (${text.length} characters)` : text
      throw new PatchbayError(
        'UPSTREAM_ERROR',
        `${integration.definition.name} answered HTTP ${res.statusCode} to ${action.code}${excerpt ? `: ${excerpt}` : ''}`,
        { supplierError: excerpt || `HTTP ${res.statusCode}`, details: { upstreamStatus: res.statusCode } },
      )
    }
    return body
  }

  async #send(
    integration: Integration,
    row: ConnectionRow,
    action: ActionDefinition,
    input: Record<string, unknown>,
  ): Promise<{ res: Dispatcher.ResponseData; built: BuiltRequest; creds: Credentials; timer: NodeJS.Timeout }> {
    const creds = this.#credentialsOf(row)
    const schema = row.auth_scheme as AuthenticationSchema
    const built = buildRequest(integration, schema, action, input, creds, this.#plan(action).consumed)
    if (schema === 'OAUTH1') {
      if (!this.#auth) throw new PatchbayError('UNSUPPORTED_SCHEME', 'OAUTH1 is not enabled on this hub')
      built.headers['Authorization'] = await this.#auth.signRequest(integration, row, creds.secrets, built)
    }
    let dispatcher = this.#dispatcher
    if (this.#guard) {
      let guarded = this.#guarded.get(integration)
      if (guarded === undefined) this.#guarded.set(integration, (guarded = this.#guard.appliesTo(integration)))
      if (guarded) {
        checkUrl(built.url, { allowPrivateNetwork: false })
        dispatcher = this.#guard.dispatcher
      }
    }
    // One timer per call, cleared by run() once the body is read: AbortSignal.timeout() costs
    // about three times as much per call (docs/performance.md).
    const abort = new AbortController()
    const timer = setTimeout(() => abort.abort(new DOMException('The service did not answer in time', 'TimeoutError')), this.#timeoutMs).unref()
    try {
      const res = await request(built.url, {
        method: built.method as Dispatcher.HttpMethod,
        headers: built.headers,
        body: built.body,
        dispatcher,
        signal: abort.signal,
      })
      return { res, built, creds, timer }
    } catch (cause) {
      clearTimeout(timer)
      const refused = findPatchbayError(cause)
      if (refused) throw refused
      throw unreachable(integration, built.url, cause, this.#timeoutMs)
    }
  }

  #plan(action: ActionDefinition): ActionPlan {
    let plan = this.#plans.get(action)
    if (!plan) {
      const req = action.request
      const consumed = new Set<string>([
        ...placeholderNames(req.method),
        ...placeholderNames(req.path),
        ...Object.values(req.query ?? {}).flatMap(placeholderNames),
        ...Object.values(req.headers ?? {}).flatMap(placeholderNames),
        ...[req.queryFrom, req.headersFrom, req.body?.from].filter((n): n is string => n !== undefined),
      ])
      plan = { validate: this.#ajv.compile(action.input), consumed }
      this.#plans.set(action, plan)
    }
    return plan
  }

  #credentialsOf(row: ConnectionRow): Credentials {
    const hit = this.#credentials.get(row.id)
    if (hit && hit.version === row.version) return hit
    const config = JSON.parse(row.config) as Record<string, unknown>
    const secrets = row.secrets ? this.#vault.open<Record<string, unknown>>(row.secrets, { tenantId: row.tenant_id, connectionId: row.id }) : {}
    const sensitive: string[] = []
    for (const v of Object.values(secrets)) {
      if (typeof v === 'string' && v.length >= 4) sensitive.push(v, encodeURIComponent(v))
    }
    const creds: Credentials = { version: row.version, config, secrets, sensitive: [...new Set(sensitive)] }
    if (this.#credentials.size >= CREDENTIAL_CACHE_MAX) {
      const oldest = this.#credentials.keys().next().value
      if (oldest !== undefined) this.#credentials.delete(oldest)
    }
    this.#credentials.set(row.id, creds)
    return creds
  }
}

/**
 * The `data` of an action run as an object: aiXplain's clients send an object, a JSON string of
 * one, or `" "`/nothing for no inputs. `what` names the inputs in errors ("inputs", "tool arguments").
 *
 * @throws {PatchbayError} INVALID_ACTION_INPUT for anything else.
 */
export function normaliseInput(raw: unknown, code: string, what = 'inputs'): Record<string, unknown> {
  if (raw === undefined || raw === null || raw === '' || raw === ' ') return {}
  let value = raw
  if (typeof raw === 'string') {
    try {
      value = JSON.parse(raw)
    } catch {
      throw new PatchbayError('INVALID_ACTION_INPUT', `data for ${code} must be an object of ${what} (or a JSON string of one)`)
    }
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new PatchbayError('INVALID_ACTION_INPUT', `data for ${code} must be an object of ${what}; got ${Array.isArray(value) ? 'an array' : typeof value}`)
  }
  return { ...(value as Record<string, unknown>) }
}

function describeInputError(e: ErrorObject): string {
  const field = e.instancePath ? `'${e.instancePath.slice(1).replace(/\//g, '.')}'` : 'data'
  switch (e.keyword) {
    case 'required':
      return `'${[e.instancePath.slice(1).replace(/\//g, '.'), String(e.params['missingProperty'])].filter(Boolean).join('.')}' is required`
    case 'additionalProperties':
      return `'${String(e.params['additionalProperty'])}' is not an input of this action`
    case 'enum':
      return `${field} must be one of ${JSON.stringify(e.params['allowedValues'])}`
    default:
      return `${field} ${e.message ?? 'is invalid'}`
  }
}

/** An outbound request, fully built. */
export interface BuiltRequest {
  method: string
  url: string
  headers: Record<string, string>
  body: string | undefined
}

const METHODS = new Set(['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD'])

/** Stringifies a query/header value: arrays comma-joined, objects as JSON. */
function flat(v: unknown): string {
  if (Array.isArray(v)) return v.map(flat).join(',')
  return typeof v === 'string' ? v : typeof v === 'object' ? JSON.stringify(v) : String(v)
}

/**
 * Builds the outbound request of an action from its definition, the validated inputs and the
 * connection's credentials. Pure: no I/O, so it is tested on its own.
 */
export function buildRequest(
  integration: Integration,
  schema: AuthenticationSchema,
  action: ActionDefinition,
  input: Record<string, unknown>,
  creds: { config: Record<string, unknown>; secrets: Record<string, unknown>; sensitive: string[] },
  consumed: ReadonlySet<string>,
): BuiltRequest {
  const def = integration.definition
  const req = action.request
  // Templates in the request see action inputs, then non-secret connection inputs: never secrets.
  const lookup: Lookup = (n) => input[n] ?? creds.config[n]
  const applyLookup: Lookup = (n) => creds.secrets[n] ?? creds.config[n]

  const method = (renderTemplate(req.method, lookup, String) ?? '').toUpperCase()
  if (!METHODS.has(method)) {
    throw new PatchbayError('INVALID_ACTION_INPUT', `method must be one of ${[...METHODS].join(', ')}; got "${method}"`)
  }
  const base = (renderTemplate(def.baseUrl, (n) => creds.config[n], String) ?? '').replace(/\/+$/, '')
  const path = renderTemplate(req.path, lookup, encodeURIComponent)
  if (path === undefined) {
    const absent = placeholderNames(req.path).filter((n) => lookup(n) === undefined || lookup(n) === null)
    throw new PatchbayError('INVALID_ACTION_INPUT', `Invalid input for ${action.code}: ${absent.map((n) => `'${n}' is required`).join('; ')}`)
  }
  const url = new URL(base + (path.startsWith('/') || path === '' ? path : `/${path}`))
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new PatchbayError('INVALID_ACTION_INPUT', `The request URL must be http or https; got ${url.protocol}`)
  }
  for (const [k, t] of Object.entries(req.query ?? {})) {
    const single = /^\{\+?([A-Za-z_][A-Za-z0-9_]*)\}$/.exec(t)
    const v = single ? lookup(single[1] as string) : renderTemplate(t, lookup, String)
    if (v !== undefined && v !== null) url.searchParams.append(k, flat(v))
  }
  const headers: Record<string, string> = {}
  const setHeader = (k: string, v: string) => {
    for (const existing of Object.keys(headers)) if (existing.toLowerCase() === k.toLowerCase()) delete headers[existing]
    headers[k] = v
  }
  for (const [k, t] of Object.entries(def.headers ?? {})) {
    const v = renderTemplate(t, lookup, String)
    if (v !== undefined) setHeader(k, v)
  }
  for (const [k, t] of Object.entries(req.headers ?? {})) {
    const v = renderTemplate(t, lookup, String)
    if (v !== undefined) setHeader(k, v)
  }
  const spread = (name: string | undefined, into: (k: string, v: string) => void, what: string) => {
    if (name === undefined) return
    const v = input[name]
    if (v === undefined || v === null) return
    if (typeof v !== 'object' || Array.isArray(v)) {
      throw new PatchbayError('INVALID_ACTION_INPUT', `'${name}' must be an object of ${what}`)
    }
    for (const [k, x] of Object.entries(v as Record<string, unknown>)) if (x !== undefined && x !== null) into(k, flat(x))
  }
  spread(req.queryFrom, (k, v) => url.searchParams.append(k, v), 'query parameters')
  spread(req.headersFrom, setHeader, 'headers')

  // Credentials last, so an input can never replace them.
  const apply = def.auth[schema]?.apply ?? (schema === 'OAUTH2' ? { headers: { Authorization: 'Bearer {access_token}' } } : undefined)
  if (apply) {
    for (const [kt, vt] of Object.entries(apply.headers ?? {})) {
      const k = renderTemplate(kt, applyLookup, String)
      const v = renderTemplate(vt, applyLookup, String)
      if (k !== undefined && v !== undefined) {
        setHeader(k, v)
        if (v.length >= 8 && !creds.sensitive.includes(v)) creds.sensitive.push(v)
      }
    }
    for (const [k, t] of Object.entries(apply.query ?? {})) {
      const v = renderTemplate(t, applyLookup, String)
      if (v !== undefined) url.searchParams.set(k, v)
    }
    if (apply.basic) {
      const user = renderTemplate(apply.basic.username, applyLookup, String) ?? ''
      const pass = renderTemplate(apply.basic.password, applyLookup, String) ?? ''
      const token = Buffer.from(`${user}:${pass}`, 'utf8').toString('base64')
      setHeader('Authorization', `Basic ${token}`)
      if (!creds.sensitive.includes(token)) creds.sensitive.push(token)
    }
  }

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
      if (!Object.keys(headers).some((h) => h.toLowerCase() === 'content-type')) setHeader('Content-Type', 'text/plain; charset=utf-8')
    } else if (value !== undefined) {
      if (encoding === 'form') {
        body = formEncode(value).toString()
        setHeader('Content-Type', 'application/x-www-form-urlencoded')
      } else {
        body = JSON.stringify(value)
        if (!Object.keys(headers).some((h) => h.toLowerCase() === 'content-type')) setHeader('Content-Type', 'application/json')
      }
    }
  }
  const built = { method, url: url.toString(), headers, body }
  // AWS SigV4 hook (issue 10): signs the finished request. Move into the API_KEY scheme's decoration.
  if (apply?.awsSigV4) signBuiltRequest(apply.awsSigV4, applyLookup, built)
  return built
}

/** Form encoding with bracket notation for nested values (`metadata[k]=v`, `items[0][price]=…`), as Stripe and others expect. */
export function formEncode(value: unknown): URLSearchParams {
  const params = new URLSearchParams()
  const walk = (prefix: string, v: unknown) => {
    if (v === undefined || v === null) return
    if (Array.isArray(v)) v.forEach((x, i) => walk(`${prefix}[${i}]`, x))
    else if (typeof v === 'object') for (const [k, x] of Object.entries(v as Record<string, unknown>)) walk(prefix ? `${prefix}[${k}]` : k, x)
    else params.append(prefix, String(v))
  }
  walk('', value)
  return params
}

async function readLimited(body: Dispatcher.ResponseData['body'], max: number): Promise<string> {
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of body) {
    size += (chunk as Buffer).length
    if (size > max) {
      body.destroy()
      throw new PatchbayError('UPSTREAM_ERROR', `The service's response is larger than ${max} bytes; ask for less (e.g. a smaller page)`)
    }
    chunks.push(chunk as Buffer)
  }
  return Buffer.concat(chunks).toString('utf8')
}

function parseBody(text: string, contentType: string): unknown {
  if (text === '') return null
  if (/[/+]json\b/i.test(contentType) || /^\s*[[{]/.test(text)) {
    try {
      return JSON.parse(text)
    } catch {
      return text
    }
  }
  return text
}

/** Replaces every occurrence of a sensitive string: a service echoing a credential must not leak it. */
function redact(text: string, sensitive: readonly string[]): string {
  let out = text
  for (const s of sensitive) if (out.includes(s)) out = out.split(s).join('[REDACTED]')
  return out
}

function redactHeaders(headers: Record<string, string | string[] | undefined>, sensitive: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {}
  for (const [k, v] of Object.entries(headers)) if (v !== undefined) out[k] = redact(Array.isArray(v) ? v.join(', ') : v, sensitive)
  return out
}

function unreachable(integration: Integration, url: string, cause: unknown, timeoutMs: number): PatchbayError {
  // Only the origin is named: the full URL may carry a query-string credential.
  const origin = new URL(url).origin
  const e = cause as { code?: string; name?: string }
  const reason =
    e.name === 'TimeoutError' || e.code === 'UND_ERR_HEADERS_TIMEOUT' || e.code === 'UND_ERR_BODY_TIMEOUT'
      ? `no answer within ${timeoutMs} ms`
      : e.code === 'UND_ERR_CONNECT_TIMEOUT'
        ? 'the connection timed out'
        : e.code === 'ECONNREFUSED'
          ? 'the connection was refused'
          : e.code === 'ENOTFOUND'
            ? 'the host name does not resolve'
            : (e.code ?? 'a network error')
  return new PatchbayError('UPSTREAM_UNREACHABLE', `Could not reach ${integration.definition.name} at ${origin}: ${reason}`, { cause })
}
