import type { Ajv, ValidateFunction } from 'ajv'
import type { Dispatcher } from 'undici'
import { PatchbayError, type ActionDefinition, type AuthenticationSchema } from '@patchbay/core'
import { createAuthSchemes } from '../auth/registry.js'
import { schemeOf, type AuthSchemes, type SchemeCredentials } from '../auth/scheme.js'
import type { Integration } from '../catalog/catalog.js'
import { integrationLabel, metrics, metricsEnabled } from '../metrics/metrics.js'
import { createAjv } from '../catalog/ajv.js'
import { checkUrl } from '../net/ssrf-guard.js'
import { undici } from '../net/undici.js'
import { requestBuffered, type BufferedResponse } from '../net/buffered-request.js'
import { networkReason, unreachable } from '../net/upstream-error.js'
import type { ConnectionRow } from '../store/store.js'
import { openConnectionSecrets } from '../vault/connection-secrets.js'
import type { Vault } from '../vault/vault.js'
import { buildRequest, consumedInputs } from './build-request.js'
import { Deadlines } from './deadlines.js'
import { describeInputError, normaliseInput } from './normalise-input.js'
import { MIN_SECRET_LENGTH, redact, redactHeaders, redactValue } from './redact.js'
import { jsonDepth } from './json-depth.js'
import { MAX_JSON_DEPTH } from '../limits.js'

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
  /**
   * Every authentication scheme by name (`OAuthService.schemes`); default the static schemes,
   * with OAUTH1/OAUTH2 refused. The runner asks the connection's scheme to prepare the row,
   * decorate each request, and react to a 401.
   */
  schemes?: AuthSchemes
  /**
   * Network policy for URLs a tenant controls (a templated base URL such as the HTTP API's
   * `{base_url}`, or a definition the tenant registered): those requests go through `dispatcher`,
   * which refuses private, loopback and link-local addresses after DNS resolution. Absent when
   * `PATCHBAY_ALLOW_PRIVATE_NETWORK=true`.
   */
  guard?: { dispatcher: Dispatcher; appliesTo: (integration: Integration) => boolean }
}

/** Decrypted, per-version view of a connection, cached so the hot path neither decrypts nor parses. */
interface Credentials extends SchemeCredentials {
  version: number
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
 * definition's template (build-request.ts), has the connection's auth scheme decorate it
 * (auth/scheme.ts), and calls the service
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
  /** The dispatcher given, or the runner's own Agent once the first call made it (undici loads then). */
  #dispatcher: Dispatcher | undefined
  readonly #ownsDispatcher: boolean
  /** Made on the first action run (catalog/ajv.ts). */
  #ajvInstance: Ajv | undefined
  readonly #plans = new WeakMap<ActionDefinition, ActionPlan>()
  readonly #credentials = new Map<string, Credentials>()
  readonly #schemes: AuthSchemes
  readonly #guard: ActionRunnerConfig['guard']
  readonly #guarded = new WeakMap<Integration, boolean>()
  readonly #deadlines: Deadlines

  constructor(config: ActionRunnerConfig) {
    this.#vault = config.vault
    this.#schemes = config.schemes ?? createAuthSchemes()
    this.#guard = config.guard
    this.#connectTimeoutMs = config.connectTimeoutMs
    this.#timeoutMs = config.timeoutMs
    this.#deadlines = new Deadlines(config.timeoutMs)
    this.#maxResponseBytes = config.maxResponseBytes ?? 10 * 1024 * 1024
    this.#ownsDispatcher = config.dispatcher === undefined
    this.#dispatcher = config.dispatcher
  }

  /** The outbound pool: the one given, else a keep-alive Agent made on the first call. */
  #pool(): Dispatcher {
    this.#dispatcher ??= new (undici().Agent)({
      connect: { timeout: this.#connectTimeoutMs },
      headersTimeout: this.#timeoutMs,
      bodyTimeout: this.#timeoutMs,
      keepAliveTimeout: 10_000,
    })
    return this.#dispatcher
  }

  /** Closes the outbound connection pool (when the runner created it). */
  async close(): Promise<void> {
    if (this.#ownsDispatcher) await this.#dispatcher?.close()
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
      throw new PatchbayError('INVALID_ACTION_INPUT', `Invalid input for ${action.code} (${integration.definition.name}): ${problems.join('; ')}`, { details: { problems } })
    }
    return input
  }

  /**
   * Runs `action` on a connection and returns what goes in the response's `data`.
   *
   * @throws {PatchbayError} INVALID_ACTION_INPUT, UPSTREAM_ERROR (with `details.upstreamStatus`),
   *   UPSTREAM_UNREACHABLE. `observed.httpStatus` is set to the service's final HTTP status.
   */
  run(integration: Integration, connection: ConnectionRow, action: ActionDefinition, raw: unknown, observed?: { httpStatus?: number }): Promise<unknown> {
    // Without metrics (the default) no measuring frame around the run: one async function less.
    if (!metricsEnabled()) return this.#run(integration, connection, action, raw, observed)
    return this.#measured(integration, connection, action, raw, observed)
  }

  async #measured(integration: Integration, connection: ConnectionRow, action: ActionDefinition, raw: unknown, observed?: { httpStatus?: number }): Promise<unknown> {
    const started = performance.now()
    const label = integrationLabel(integration)
    try {
      const out = await this.#run(integration, connection, action, raw, observed)
      metrics.runs.inc({ integration: label, status: 'success' })
      return out
    } catch (err) {
      metrics.runs.inc({ integration: label, status: err instanceof PatchbayError ? err.code : 'INTERNAL' })
      throw err
    } finally {
      metrics.runDuration.observe({ integration: label }, (performance.now() - started) / 1000)
    }
  }

  async #run(integration: Integration, connection: ConnectionRow, action: ActionDefinition, raw: unknown, observed?: { httpStatus?: number }): Promise<unknown> {
    const input = this.validateInput(integration, action, raw)
    const scheme = schemeOf(this.#schemes, connection.auth_scheme)
    const row = scheme.prepare ? await scheme.prepare(integration, connection) : connection
    let { res, creds } = await this.#send(integration, row, action, input)
    if (res.statusCode === 401 && scheme.onUnauthorized) {
      // The token was refused: refresh once (shared with every concurrent caller) and retry.
      const next = await scheme.onUnauthorized(integration, row)
      if (next) ({ res, creds } = await this.#send(integration, next, action, input))
    }
    if (observed) observed.httpStatus = res.statusCode
    const text = redact(res.text, creds.sensitive)
    const contentType = String(res.headers['content-type'] ?? '')
    const parsed = parseBody(text, contentType)
    if (jsonDepth(parsed, MAX_JSON_DEPTH) > MAX_JSON_DEPTH) {
      throw new PatchbayError(
        'UPSTREAM_ERROR',
        `${integration.definition.name} answered ${action.code} with JSON nested more than ${MAX_JSON_DEPTH} levels deep, which the hub does not return`,
        {
          details: { upstreamStatus: res.statusCode },
        },
      )
    }
    const body = redactValue(parsed, creds.sensitive)
    if (action.request.response === 'envelope') {
      return { status: res.statusCode, headers: redactHeaders(res.headers, creds.sensitive), body }
    }
    if (res.statusCode < 200 || res.statusCode >= 300) {
      const excerpt = text.length > EXCERPT_CHARS ? `${text.slice(0, EXCERPT_CHARS)}… (${text.length} characters)` : text
      throw new PatchbayError('UPSTREAM_ERROR', `${integration.definition.name} answered HTTP ${res.statusCode} to ${action.code}${excerpt ? `: ${excerpt}` : ''}`, {
        supplierError: excerpt || `HTTP ${res.statusCode}`,
        details: { upstreamStatus: res.statusCode },
      })
    }
    return body
  }

  async #send(integration: Integration, row: ConnectionRow, action: ActionDefinition, input: Record<string, unknown>): Promise<{ res: BufferedResponse; creds: Credentials }> {
    const creds = this.#credentialsOf(row)
    const scheme = schemeOf(this.#schemes, row.auth_scheme)
    const apply = integration.definition.auth[row.auth_scheme as AuthenticationSchema]?.apply
    // Credentials go on last, so an input can never replace them.
    const decorated = scheme.decorate(buildRequest(integration, action, input, creds.config, this.#plan(action).consumed, row.auth_scheme), creds, {
      integration,
      connection: row,
      apply,
    })
    const built = decorated instanceof Promise ? await decorated : decorated
    let dispatcher = this.#dispatcher ?? this.#pool()
    if (this.#guard) {
      let guarded = this.#guarded.get(integration)
      if (guarded === undefined) this.#guarded.set(integration, (guarded = this.#guard.appliesTo(integration)))
      if (guarded) {
        checkUrl(built.url, { allowPrivateNetwork: false })
        dispatcher = this.#guard.dispatcher
      }
    }
    // The total timeout, request and body: a deadline on the runner's shared sweep (deadlines.ts);
    // no timer and no AbortController per call (docs/performance.md).
    const deadline = this.#deadlines.start()
    const sent = metricsEnabled() ? performance.now() : undefined
    try {
      // Given origin and path: undici's top-level request(url) parses the URL string again and
      // looks the Agent up per call.
      const { origin, path } = splitUrl(built.url)
      const res = await requestBuffered(
        dispatcher,
        { origin, path, method: built.method as Dispatcher.HttpMethod, headers: built.headers, body: built.body ?? null, signal: deadline },
        this.#maxResponseBytes,
      )
      if (sent !== undefined) metrics.upstreamDuration.observe({ integration: integrationLabel(integration) }, (performance.now() - sent) / 1000)
      return { res, creds }
    } catch (cause) {
      if (cause instanceof PatchbayError) throw cause
      throw this.#unreachable(integration, built.url, cause)
    } finally {
      deadline.clear()
    }
  }

  #unreachable(integration: Integration, url: string, cause: unknown): PatchbayError {
    // Only the origin is named: the full URL may carry a query-string credential.
    return unreachable(cause, `Could not reach ${integration.definition.name} at ${new URL(url).origin}`, networkReason(cause, this.#timeoutMs))
  }

  #plan(action: ActionDefinition): ActionPlan {
    let plan = this.#plans.get(action)
    if (!plan) {
      this.#ajvInstance ??= createAjv({ allErrors: true, useDefaults: true, strict: false })
      plan = { validate: this.#ajvInstance.compile(action.input), consumed: consumedInputs(action) }
      this.#plans.set(action, plan)
    }
    return plan
  }

  #credentialsOf(row: ConnectionRow): Credentials {
    const hit = this.#credentials.get(row.id)
    if (hit && hit.version === row.version) return hit
    const config = JSON.parse(row.config) as Record<string, unknown>
    const secrets = openConnectionSecrets(this.#vault, row) as Record<string, unknown>
    const sensitive: string[] = []
    for (const v of Object.values(secrets)) {
      if (typeof v === 'string' && v.length >= MIN_SECRET_LENGTH) sensitive.push(v)
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
 * Origin and path (with query) of an absolute http(s) URL as `URL.toString()` writes it (what
 * buildRequest and the auth schemes produce), without parsing it again.
 */
export function splitUrl(url: string): { origin: string; path: string } {
  const slash = url.indexOf('/', url.indexOf('//') + 2)
  if (slash < 0) {
    const q = url.indexOf('?')
    return q < 0 ? { origin: url, path: '/' } : { origin: url.slice(0, q), path: `/${url.slice(q)}` }
  }
  return { origin: url.slice(0, slash), path: url.slice(slash) }
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
