/**
 * Every error code Patchbay emits, with the HTTP status the hub answers it with. Codes are stable:
 * clients may match on them. Statuses follow aiXplain's ranges (§4.6 of the wire contract):
 * 490–499 for validation, 480–489 for supplier (upstream) failures.
 */
export const ErrorCodes = {
  /** The request body is not valid JSON, or not an object. */
  INVALID_JSON: { status: 400, error: 'err.invalid_json' },
  /** A field of the request is missing or has the wrong type. */
  VALIDATION: { status: 400, error: 'err.validation_error' },
  /** The API key is missing or unknown. */
  UNAUTHORIZED: { status: 401, error: 'err.unauthorized' },
  /** The caller may not do this (e.g. an admin operation with a tenant key). */
  FORBIDDEN: { status: 403, error: 'err.forbidden' },
  /** No integration, connection or run with that id is visible to this tenant. */
  NOT_FOUND: { status: 404, error: 'err.not_found' },
  /** The request body is larger than the hub accepts. */
  PAYLOAD_TOO_LARGE: { status: 413, error: 'err.payload_too_large' },
  /** The connection name is already used by another connection of this tenant. */
  NAME_EXISTS: { status: 409, error: 'err.supplier_error' },
  /** A limit of the tenant is reached (e.g. how many integrations it may register). */
  LIMIT_REACHED: { status: 409, error: 'err.limit_reached' },
  /** Too many failed API-key checks from this client address; retry after `Retry-After` seconds. */
  TOO_MANY_REQUESTS: { status: 429, error: 'err.too_many_requests' },
  /** The authentication scheme is not one the integration supports. */
  UNSUPPORTED_SCHEME: { status: 400, error: 'err.unsupported_scheme' },
  /** A credential input required by the scheme was not given. */
  MISSING_INPUT: { status: 400, error: 'err.missing_input' },
  /** Action inputs do not match the action's JSON Schema. */
  INVALID_ACTION_INPUT: { status: 400, error: 'err.invalid_action_input' },
  /** The action is not one the connection exposes. */
  UNKNOWN_ACTION: { status: 400, error: 'err.unknown_action' },
  /** The connection is not usable yet (PENDING) or any more (EXPIRED, ERROR). */
  CONNECTION_NOT_ACTIVE: { status: 409, error: 'err.connection_not_active' },
  /** OAuth connect before the tenant set the integration's OAuth app (client id and secret). */
  OAUTH_APP_NOT_CONFIGURED: { status: 400, error: 'err.oauth_app_not_configured' },
  /** The external service answered with a non-2xx status. */
  UPSTREAM_ERROR: { status: 480, error: 'err.supplier_error' },
  /** The external service could not be reached or did not answer in time. */
  UPSTREAM_UNREACHABLE: { status: 504, error: 'err.supplier_unreachable' },
  /** Something the hub did not expect. Details go to the log, never to the response. */
  INTERNAL: { status: 500, error: 'err.internal' },
  /** The Connect session has expired; the app must create a new one. */
  SESSION_EXPIRED: { status: 410, error: 'err.session_expired' },
  /** The Connect session already completed a connection (sessions are single use). */
  SESSION_USED: { status: 410, error: 'err.session_used' },
  /** The service refused the credentials when the definition's `verify` action ran; nothing was saved. */
  VERIFICATION_FAILED: { status: 422, error: 'err.verification_failed' },
} as const satisfies Record<string, { status: number; error: string }>

/** A stable Patchbay error code, such as `'NOT_FOUND'`. */
export type ErrorCode = keyof typeof ErrorCodes

/**
 * The one error class of Patchbay. It carries a literal {@link ErrorCode}, the HTTP status the
 * hub answers it with, an optional `supplierError` text (the wire field aiXplain's SDK surfaces)
 * and the underlying `cause`.
 *
 * Messages are written for the person who must fix the problem, and never contain a secret.
 *
 * @example
 * ```ts
 * throw new PatchbayError('NOT_FOUND', `No connection with id ${id}`)
 * ```
 */
export class PatchbayError extends Error {
  override readonly name = 'PatchbayError'
  /** The stable error code. */
  readonly code: ErrorCode
  /** The HTTP status the hub answers this error with. */
  readonly status: number
  /** Text for the wire's `supplierError` field, when there is one. */
  readonly supplierError: string | undefined
  /** Extra structured facts (e.g. the upstream status); never secrets. */
  readonly details: Readonly<Record<string, unknown>> | undefined

  constructor(
    code: ErrorCode,
    message: string,
    options: {
      cause?: unknown
      status?: number
      supplierError?: string
      details?: Record<string, unknown>
    } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause })
    this.code = code
    this.status = options.status ?? ErrorCodes[code].status
    this.supplierError = options.supplierError
    this.details = options.details
  }

  /** The wire error body aiXplain's clients read (`statusCode`, `message`, `error`, `supplierError`). */
  toBody(): ErrorBody {
    // `error` repeats the message: aiXplain's v1 client shows only `error` as the details of a
    // failed call, and a bare code would not tell its user what to fix. `code` stays machine-readable.
    const body: ErrorBody = {
      statusCode: this.status,
      message: this.message,
      error: this.message,
      code: this.code,
      errorKey: ErrorCodes[this.code].error,
    }
    if (this.supplierError !== undefined) body.supplierError = this.supplierError
    if (this.details !== undefined) body.details = { ...this.details }
    return body
  }
}

/** The JSON body of every non-2xx hub response. */
export interface ErrorBody {
  statusCode: number
  message: string
  /** The human message again (read by aiXplain's v1 client). */
  error: string
  /** The stable Patchbay code. */
  code: ErrorCode
  /** aiXplain-style error key, e.g. `err.supplier_error`. */
  errorKey: string
  supplierError?: string
  details?: Record<string, unknown>
}
