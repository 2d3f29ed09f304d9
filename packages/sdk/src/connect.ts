/**
 * Connect for an app's end users: `createConnectSession` (the backend call that gives an end user
 * a Connect page link), and `runForEndUser`, which runs an action on whichever connection the end
 * user has for an integration and throws {@link AuthRequiredError} with a connect link when there
 * is none (the hand-off of docs/agents.md). Patchbay hub extensions: aiXplain has neither.
 */
import { ResponseStatus } from '@patchbay/core'
import type { ConfigOptions, ResolvedConfig } from './config.js'
import { resolveConfig } from './config.js'
import { errorFromCode, errorFromStatus, NetworkError, ResourceError, InternalError, type AixplainErrorOptions } from './errors.js'
import { executeHeaders, isRecord, joinUrl, sendRequest } from './http.js'
import type { HttpResult } from './http.js'
import { callRunEndpoint } from './model.js'
import { ModelResponse } from './model-response.js'

/** The end user a Connect session is for: your app's own user id, and what the page may show. */
export interface ConnectSessionEndUser {
  /** Your id of the user (1–200 characters); the connection it makes carries it as `endUserId`. */
  id: string
  email?: string
  displayName?: string
}

/** What {@link createConnectSession} is called with (the body of `POST /api/v2/connect/sessions`). */
export interface CreateConnectSessionInput {
  endUser: ConnectSessionEndUser
  /** Integration ids the user may connect, e.g. `['github', 'slack']`; default all. */
  allowedIntegrations?: string[]
  /** Copied to the connection, e.g. `{ plan: 'pro' }`. */
  tags?: Record<string, string>
  /** Where a plain link ends after a success (`?connection_id=…`); its origin must be allowed. */
  successRedirectUrl?: string
  /** Where a plain link ends after a failure (`?error=…`); its origin must be allowed. */
  errorRedirectUrl?: string
  /** Re-authorise this connection instead of making a new one. */
  reconnect?: { connectionId: string }
  /** 60–86,400; default 1,800 (30 minutes). */
  expiresInSeconds?: number
}

/** A created Connect session. */
export interface ConnectSession {
  /** Give it to the end user's browser only (`openConnect` of `@patchbay/connect`); shown once. */
  token: string
  /** ISO 8601. */
  expiresAt: string
  /** The hosted page, `<hub>/connect?session=<token>`: a plain link works too. */
  connectUrl: string
}

/** What {@link runForEndUser} is called with. */
export interface RunForEndUserInput {
  /** The integration's id, e.g. `github`. */
  integration: string
  /** Your id of the end user whose connection to use. */
  endUserId: string
  /** The action code, e.g. `GITHUB_GET_AUTHENTICATED_USER`. */
  action: string
  /** The action's inputs. */
  data?: Record<string, unknown>
}

/** What {@link AuthRequiredError} carries besides its message. */
export interface AuthRequiredInit extends AixplainErrorOptions {
  connectUrl: string
  integration: string
  endUserId: string
  /** When the connect link stops working (ISO 8601), if the hub said. */
  expiresAt?: string | undefined
}

/**
 * The end user has no usable connection (none, or an expired one) for the integration a run
 * needs. Send the user to {@link AuthRequiredError.connectUrl} (a fresh Connect session limited to
 * that integration); once they have connected, the same run succeeds.
 *
 * @example
 * ```ts
 * try {
 *   await patchbay.runForEndUser({ integration: 'github', endUserId: 'user-42', action: 'GITHUB_GET_AUTHENTICATED_USER' })
 * } catch (error) {
 *   if (error instanceof AuthRequiredError) return reply(`Connect your GitHub account first: ${error.connectUrl}`)
 *   throw error
 * }
 * ```
 */
export class AuthRequiredError extends ResourceError {
  /** The class name, `AuthRequiredError`, as `String(error)` shows it. */
  override readonly name: string = 'AuthRequiredError'
  /** The hub's code for this case. */
  readonly reason = 'AUTH_REQUIRED'
  /** The Connect page link to give the end user. */
  readonly connectUrl: string
  /** The integration to connect. */
  readonly integration: string
  /** The end user who must connect it. */
  readonly endUserId: string
  /** When the link expires (ISO 8601), if known. */
  readonly expiresAt: string | undefined

  constructor(message: string, init: AuthRequiredInit) {
    super(message, init)
    this.connectUrl = init.connectUrl
    this.integration = init.integration
    this.endUserId = init.endUserId
    this.expiresAt = init.expiresAt
  }
}

function causeText(cause: unknown): string {
  return cause instanceof Error ? cause.message : String(cause)
}

function refused(result: HttpResult, lead: string): Error {
  const mapped = errorFromStatus(result.status, result.body)
  const said = isRecord(result.body) && typeof result.body['message'] === 'string' ? result.body['message'] : result.text.slice(0, 500)
  return errorFromCode(mapped.code, `${lead} ${said}`.trim(), { statusCode: result.status, details: mapped.details })
}

/** The request of {@link createConnectSession} with a resolved configuration. */
export async function createConnectSessionWith(config: ResolvedConfig, input: CreateConnectSessionInput): Promise<ConnectSession> {
  if (!isRecord(input) || !isRecord(input.endUser) || typeof input.endUser.id !== 'string' || input.endUser.id === '') {
    throw new TypeError("createConnectSession: endUser.id is required, e.g. createConnectSession({ endUser: { id: 'user-42' } })")
  }
  const lead = 'Connect session Error: the hub refused to create the session.'
  let result: HttpResult
  try {
    result = await sendRequest(config, 'POST', joinUrl(config.backendUrl, 'api/v2/connect/sessions'), executeHeaders(config.apiKey), input)
  } catch (cause) {
    throw new NetworkError(`Connect session Error: could not reach ${config.backendUrl}: ${causeText(cause)}`, { cause })
  }
  if (!result.ok) throw refused(result, lead)
  const body = result.body
  if (!isRecord(body) || typeof body['token'] !== 'string' || typeof body['connectUrl'] !== 'string' || typeof body['expiresAt'] !== 'string') {
    throw new InternalError('Connect session Error: the answer has no token, expiresAt and connectUrl')
  }
  return { token: body['token'], expiresAt: body['expiresAt'], connectUrl: body['connectUrl'] }
}

/**
 * Creates a Connect session for one of your app's end users: the link (`connectUrl`) and token
 * for the hosted Connect page where they connect their own accounts. Call it from your backend
 * (it needs a key with the `connect` scope, never shipped to a browser). Configured like the
 * factories: `options.config`, else the environment (`TEAM_API_KEY`, `BACKEND_URL`); a
 * `createClient(...)` client has the same method bound to its configuration.
 *
 * @throws {TypeError} when `endUser.id` is missing.
 * @throws {ValidationError} when the hub refuses the body (the message says which field and why).
 * @throws {AuthenticationError} / {ResourceError} for a missing key / a key without the `connect` scope.
 * @example
 * ```ts
 * import { createConnectSession } from '@patchbay/sdk'
 *
 * const { token, connectUrl, expiresAt } = await createConnectSession({
 *   endUser: { id: 'user-42', email: 'ann@example.com', displayName: 'Ann' },
 *   allowedIntegrations: ['github', 'slack'],
 *   tags: { plan: 'pro' },
 * })
 * // send `token` to the browser for openConnect(), or e-mail `connectUrl`
 * ```
 */
export function createConnectSession(input: CreateConnectSessionInput, options: ConfigOptions = {}): Promise<ConnectSession> {
  return createConnectSessionWith(resolveConfig(options.config ?? {}), input)
}

/** The request of {@link runForEndUser} with a resolved configuration. */
export async function runForEndUserWith<T = unknown>(config: ResolvedConfig, input: RunForEndUserInput): Promise<ModelResponse<T>> {
  for (const k of ['integration', 'endUserId', 'action'] as const) {
    if (!isRecord(input) || typeof input[k] !== 'string' || input[k] === '') throw new TypeError(`runForEndUser: ${k} is required (a non-empty string)`)
  }
  const url = joinUrl(config.backendUrl, `api/v2/execute/${encodeURIComponent(input.integration)}`)
  const body = await callRunEndpoint(config, url, config.apiKey, { action: input.action, data: input.data ?? {}, endUserId: input.endUserId })
  const response = ModelResponse.fromBody<T>(body, body['status'] === ResponseStatus.SUCCESS ? ResponseStatus.SUCCESS : ResponseStatus.FAILED)
  if (body['code'] === 'AUTH_REQUIRED' && typeof body['connectUrl'] === 'string') {
    const message = typeof body['error_message'] === 'string' ? body['error_message'] : `Connect ${input.integration} first: ${body['connectUrl']}`
    throw new AuthRequiredError(message, {
      connectUrl: body['connectUrl'],
      integration: typeof body['integration'] === 'string' ? body['integration'] : input.integration,
      endUserId: input.endUserId,
      expiresAt: typeof body['expiresAt'] === 'string' ? body['expiresAt'] : undefined,
      details: { response: body },
    })
  }
  return response
}

/**
 * Runs an action for one of your end users on their connection of an integration
 * (`POST /api/v2/execute/{integration}` with `endUserId`): the hub picks the end user's ACTIVE
 * connection, never another user's. Resolves to a {@link ModelResponse} like every run (a
 * service's failure is FAILED, not thrown), except when the user has no usable connection: then
 * it throws {@link AuthRequiredError} with the link to give them.
 *
 * @throws {AuthRequiredError} when the end user must connect (or reconnect) the integration first.
 * @throws {TypeError} when `integration`, `endUserId` or `action` is missing.
 * @example
 * ```ts
 * const res = await runForEndUser({ integration: 'github', endUserId: 'user-42', action: 'GITHUB_GET_AUTHENTICATED_USER' })
 * console.log(res.status, res.data)
 * ```
 */
export function runForEndUser<T = unknown>(input: RunForEndUserInput, options: ConfigOptions = {}): Promise<ModelResponse<T>> {
  return runForEndUserWith<T>(resolveConfig(options.config ?? {}), input)
}
