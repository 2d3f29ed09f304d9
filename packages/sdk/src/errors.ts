/**
 * Error classes of aiXplain's v1 SDK, and the mapping from HTTP statuses to them.
 *
 * @see ../../../shared/spec/aixplain-wire-contract.md §4.6
 */

/**
 * The stable error codes, `AX-<CATEGORY>-<ID>`, one per error class.
 *
 * @example
 * ```ts
 * if (error instanceof AixplainError && error.code === AixplainErrorCode.AUTHENTICATION) relogin()
 * ```
 */
export const AixplainErrorCode = {
  AUTHENTICATION: 'AX-AUTH-1000',
  VALIDATION: 'AX-VAL-1000',
  RESOURCE: 'AX-RES-1000',
  BILLING: 'AX-BIL-1000',
  SUPPLIER: 'AX-SUP-1000',
  NETWORK: 'AX-NET-1000',
  SERVICE: 'AX-SVC-1000',
  INTERNAL: 'AX-INT-1000',
} as const
/** One of the `AX-…-1000` codes. */
export type AixplainErrorCode = (typeof AixplainErrorCode)[keyof typeof AixplainErrorCode]

/**
 * The domain an error belongs to.
 *
 * @example
 * ```ts
 * error.category === ErrorCategory.BILLING
 * ```
 */
export const ErrorCategory = {
  AUTHENTICATION: 'authentication',
  VALIDATION: 'validation',
  RESOURCE: 'resource',
  BILLING: 'billing',
  SUPPLIER: 'supplier',
  NETWORK: 'network',
  SERVICE: 'service',
  INTERNAL: 'internal',
} as const
/** An error category string. */
export type ErrorCategory = (typeof ErrorCategory)[keyof typeof ErrorCategory]

/**
 * How bad an error is. Every error the SDK raises today is `error`.
 *
 * @example
 * ```ts
 * error.severity === ErrorSeverity.ERROR
 * ```
 */
export const ErrorSeverity = {
  INFO: 'info',
  WARNING: 'warning',
  ERROR: 'error',
  CRITICAL: 'critical',
} as const
/** An error severity string. */
export type ErrorSeverity = (typeof ErrorSeverity)[keyof typeof ErrorSeverity]

/** What an {@link AixplainError} may be built with besides its message. */
export interface AixplainErrorOptions {
  /** The HTTP status that caused it, if any. */
  statusCode?: number
  /** Extra structured facts, e.g. `{ response: <body> }`. Never secrets. */
  details?: Record<string, unknown>
  /** Overrides the class default of whether retrying might succeed. */
  retryRecommended?: boolean
  /** The underlying error. */
  cause?: unknown
}

/** The plain-object form of an error, as returned by `toDict()`. */
export interface AixplainErrorDict {
  message: string
  category: ErrorCategory
  severity: ErrorSeverity
  statusCode: number | undefined
  details: Record<string, unknown>
  retryRecommended: boolean
  errorCode: AixplainErrorCode
}

/**
 * Base class of every error the SDK raises for platform problems. Each subclass carries one
 * literal {@link AixplainErrorCode}; catch the base class to handle them all.
 *
 * `String(error)` gives `ClassName [AX-XXX-1000]: message`, as in aiXplain's SDK.
 *
 * @example
 * ```ts
 * try {
 *   await ModelFactory.get(id)
 * } catch (error) {
 *   if (error instanceof AixplainError && error.retryRecommended) await retryLater()
 *   else throw error
 * }
 * ```
 */
export abstract class AixplainError extends Error {
  /** The stable error code of this class. */
  abstract readonly code: AixplainErrorCode
  /** The domain of the error. */
  abstract readonly category: ErrorCategory
  /** Always `error` today. */
  readonly severity: ErrorSeverity = ErrorSeverity.ERROR
  /** The HTTP status that caused the error, if any. */
  readonly statusCode: number | undefined
  /** Extra structured facts (never secrets). */
  readonly details: Record<string, unknown>
  /** Whether retrying the same call might succeed. */
  readonly retryRecommended: boolean

  constructor(message: string, options: AixplainErrorOptions = {}, defaultRetry = false) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause })
    this.statusCode = options.statusCode
    this.details = options.details ?? {}
    this.retryRecommended = options.retryRecommended ?? defaultRetry
  }

  /** Same as {@link AixplainError.code}, under the name aiXplain's SDK uses. */
  get errorCode(): AixplainErrorCode {
    return this.code
  }

  /** `ClassName [AX-XXX-1000]: message`. */
  override toString(): string {
    return `${this.name} [${this.code}]: ${this.message}`
  }

  /** The error as a plain object (aiXplain's `to_dict`, with camelCase keys). */
  toDict(): AixplainErrorDict {
    return {
      message: this.message,
      category: this.category,
      severity: this.severity,
      statusCode: this.statusCode,
      details: this.details,
      retryRecommended: this.retryRecommended,
      errorCode: this.code,
    }
  }

  /** Same as {@link AixplainError.toDict}, so `JSON.stringify(error)` is useful. */
  toJSON(): AixplainErrorDict {
    return this.toDict()
  }
}

/**
 * The API key is missing, unknown or not allowed (HTTP 401), or the configuration names no key.
 *
 * @example
 * ```ts
 * new AuthenticationError('Unauthorized API key', { statusCode: 401 }).code // 'AX-AUTH-1000'
 * ```
 */
export class AuthenticationError extends AixplainError {
  /** The class name, `AuthenticationError`, as `String(error)` shows it. */
  override readonly name: string = 'AuthenticationError'
  readonly code = AixplainErrorCode.AUTHENTICATION
  readonly category = ErrorCategory.AUTHENTICATION
}

/**
 * The request was not valid (HTTP 400, 490–499), or an argument was rejected before sending.
 *
 * @example
 * ```ts
 * new ValidationError('Parameter \'token\' is required').code // 'AX-VAL-1000'
 * ```
 */
export class ValidationError extends AixplainError {
  /** The class name, `ValidationError`, as `String(error)` shows it. */
  override readonly name: string = 'ValidationError'
  readonly code = AixplainErrorCode.VALIDATION
  readonly category = ErrorCategory.VALIDATION
}

/**
 * A resource is missing, forbidden or not subscribed to (HTTP 403, 404, 460–469).
 *
 * @example
 * ```ts
 * new ResourceError('Resource not found', { statusCode: 404 }).code // 'AX-RES-1000'
 * ```
 */
export class ResourceError extends AixplainError {
  /** The class name, `ResourceError`, as `String(error)` shows it. */
  override readonly name: string = 'ResourceError'
  readonly code = AixplainErrorCode.RESOURCE
  readonly category = ErrorCategory.RESOURCE
}

/**
 * Payment or credits are needed (HTTP 402, 470–479).
 *
 * @example
 * ```ts
 * new BillingError('Payment required', { statusCode: 402 }).code // 'AX-BIL-1000'
 * ```
 */
export class BillingError extends AixplainError {
  /** The class name, `BillingError`, as `String(error)` shows it. */
  override readonly name: string = 'BillingError'
  readonly code = AixplainErrorCode.BILLING
  readonly category = ErrorCategory.BILLING
}

/**
 * The external service failed or limited the rate (HTTP 429, 480–489). Retry is recommended.
 *
 * @example
 * ```ts
 * new SupplierError('Rate limit exceeded', { statusCode: 429 }).retryRecommended // true
 * ```
 */
export class SupplierError extends AixplainError {
  /** The class name, `SupplierError`, as `String(error)` shows it. */
  override readonly name: string = 'SupplierError'
  readonly code = AixplainErrorCode.SUPPLIER
  readonly category = ErrorCategory.SUPPLIER
  constructor(message: string, options: AixplainErrorOptions = {}) {
    super(message, options, true)
  }
}

/**
 * The network failed or a gateway timed out (HTTP 504, or `fetch` rejected). Retry is recommended.
 *
 * @example
 * ```ts
 * new NetworkError('Gateway timeout', { statusCode: 504 }).retryRecommended // true
 * ```
 */
export class NetworkError extends AixplainError {
  /** The class name, `NetworkError`, as `String(error)` shows it. */
  override readonly name: string = 'NetworkError'
  readonly code = AixplainErrorCode.NETWORK
  readonly category = ErrorCategory.NETWORK
  constructor(message: string, options: AixplainErrorOptions = {}) {
    super(message, options, true)
  }
}

/**
 * The service is unavailable (HTTP 503). Retry is recommended.
 *
 * @example
 * ```ts
 * new ServiceError('Service unavailable', { statusCode: 503 }).code // 'AX-SVC-1000'
 * ```
 */
export class ServiceError extends AixplainError {
  /** The class name, `ServiceError`, as `String(error)` shows it. */
  override readonly name: string = 'ServiceError'
  readonly code = AixplainErrorCode.SERVICE
  readonly category = ErrorCategory.SERVICE
  constructor(message: string, options: AixplainErrorOptions = {}) {
    super(message, options, true)
  }
}

const RETRYABLE_SERVER_STATUSES: readonly number[] = [500, 502, 503, 504]

/**
 * Something unexpected, on the server (HTTP 500 and unmapped statuses) or in a response the SDK
 * could not understand. Retry is recommended for 500, 502, 503 and 504.
 *
 * @example
 * ```ts
 * new InternalError('Internal server error', { statusCode: 502 }).retryRecommended // true
 * ```
 */
export class InternalError extends AixplainError {
  /** The class name, `InternalError`, as `String(error)` shows it. */
  override readonly name: string = 'InternalError'
  readonly code = AixplainErrorCode.INTERNAL
  readonly category = ErrorCategory.INTERNAL
  constructor(message: string, options: AixplainErrorOptions = {}) {
    const retry = options.statusCode !== undefined && RETRYABLE_SERVER_STATUSES.includes(options.statusCode)
    super(message, options, retry)
  }
}

type ErrorClass = new (message: string, options?: AixplainErrorOptions) => AixplainError

const CLASS_BY_CODE: Readonly<Record<AixplainErrorCode, ErrorClass>> = {
  'AX-AUTH-1000': AuthenticationError,
  'AX-VAL-1000': ValidationError,
  'AX-RES-1000': ResourceError,
  'AX-BIL-1000': BillingError,
  'AX-SUP-1000': SupplierError,
  'AX-NET-1000': NetworkError,
  'AX-SVC-1000': ServiceError,
  'AX-INT-1000': InternalError,
}

/** Whether `value` is one of the `AX-…-1000` codes. */
export function isAixplainErrorCode(value: unknown): value is AixplainErrorCode {
  return typeof value === 'string' && Object.hasOwn(CLASS_BY_CODE, value)
}

/**
 * Builds the error class that owns `code`, e.g. to rethrow a FAILED run with the class its
 * `errorCode` names.
 *
 * @example
 * ```ts
 * errorFromCode('AX-AUTH-1000', 'It was not possible…') instanceof AuthenticationError // true
 * ```
 */
export function errorFromCode(code: AixplainErrorCode, message: string, options: AixplainErrorOptions = {}): AixplainError {
  return new CLASS_BY_CODE[code](message, options)
}

/** The leading sentence and class of each status (or range), in the order §4.6 checks them. */
function classify(status: number): [ErrorClass, string] {
  switch (status) {
    case 400:
      return [ValidationError, 'Bad request: Please verify the request payload and ensure it is correct.']
    case 401:
      return [AuthenticationError, 'Unauthorized API key: Please verify the spelling of the API key and its current validity.']
    case 402:
      return [BillingError, 'Payment required: Please ensure you have enough credits to run this asset.']
    case 403:
      return [ResourceError, 'Forbidden access: Please verify the API key and its current validity.']
    case 404:
      return [ResourceError, 'Resource not found: Please verify the spelling of the resource and its current availability.']
    case 429:
      return [SupplierError, 'Rate limit exceeded: Please try again later.']
    case 500:
      return [InternalError, 'Internal server error: Please try again later.']
    case 503:
      return [ServiceError, 'Service unavailable: Please try again later.']
    case 504:
      return [NetworkError, 'Gateway timeout: Please try again later.']
  }
  if (status >= 460 && status < 470) {
    return [ResourceError, 'Subscription-related error: Please ensure that your subscription is active and has not expired.']
  }
  if (status >= 470 && status < 480) {
    return [BillingError, 'Billing-related error: Please ensure you have enough credits to run this asset.']
  }
  if (status >= 480 && status < 490) {
    return [SupplierError, 'Supplier-related error: Please ensure that the selected supplier provides the asset you are trying to access.']
  }
  if (status >= 490 && status < 500) {
    return [ValidationError, 'Validation-related error: Please verify the request payload and ensure it is correct.']
  }
  const side = status >= 400 && status < 500 ? 'Client' : 'Server'
  return [InternalError, `Unspecified ${side} Error (Status ${status})`]
}

function isEmptyDetails(details: unknown): boolean {
  if (details === undefined || details === null || details === '' || details === 0 || details === false) return true
  if (Array.isArray(details)) return details.length === 0
  if (typeof details === 'object') return Object.keys(details).length === 0
  return false
}

function detailsText(details: unknown): string {
  return typeof details === 'string' ? details : JSON.stringify(details)
}

/**
 * Maps an HTTP status and its response body to the error class and message aiXplain's v1 SDK
 * uses (`get_error_from_status_code`). The message is a leading sentence plus
 * ` Details: <details>`, where `<details>` is the body's `error` field, or the whole body when it
 * is not an object with `error`. The body is kept in `details.response`.
 *
 * | Status | Class |
 * |---|---|
 * | 400, 490–499 | ValidationError |
 * | 401 | AuthenticationError |
 * | 402, 470–479 | BillingError |
 * | 403, 404, 460–469 | ResourceError |
 * | 429, 480–489 | SupplierError |
 * | 503 | ServiceError |
 * | 504 | NetworkError |
 * | 500 and anything else | InternalError ("Unspecified Client/Server Error (Status N)") |
 *
 * @example
 * ```ts
 * const error = errorFromStatus(401, { error: 'err.unauthorized' })
 * String(error)
 * // 'AuthenticationError [AX-AUTH-1000]: Unauthorized API key: Please verify … Details: err.unauthorized'
 * ```
 * @see ../../../shared/spec/aixplain-wire-contract.md §4.6
 */
export function errorFromStatus(status: number, body?: unknown): AixplainError {
  const [ErrorType, lead] = classify(status)
  const details = typeof body === 'object' && body !== null && !Array.isArray(body) && 'error' in body ? (body as { error: unknown }).error : body
  const message = isEmptyDetails(details) ? lead : `${lead} Details: ${detailsText(details)}`
  return new ErrorType(message.trim(), {
    statusCode: status,
    details: body === undefined ? {} : { response: body },
  })
}
