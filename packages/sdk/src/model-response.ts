/**
 * The result of every run, poll and connect: aiXplain's v1 `ModelResponse` with camelCase fields.
 *
 * @see ../../../shared/spec/aixplain-wire-contract.md §10.6
 */
import { ResponseStatus } from '@patchbay/core'
import { isRecord } from './http.js'

/** What a {@link ModelResponse} is built with. Only `status` is required. */
export interface ModelResponseInit<T = unknown> {
  status: ResponseStatus
  /** Default `''`, as in aiXplain's SDK. */
  data?: T
  details?: Record<string, unknown> | unknown[]
  completed?: boolean
  errorMessage?: string
  usedCredits?: number
  runTime?: number
  usage?: Record<string, unknown>
  url?: string
  errorCode?: string
  asset?: Record<string, unknown>
  /** Every other key of the wire body, e.g. `requestId`, `supplierError`, `error`. */
  additionalFields?: Record<string, unknown>
}

/** The plain-object form of a response, as returned by `toDict()`. */
export interface ModelResponseDict<T = unknown> {
  status: ResponseStatus
  data: T
  details: Record<string, unknown> | unknown[]
  completed: boolean
  errorMessage: string
  usedCredits: number
  runTime: number
  usage: Record<string, unknown> | undefined
  asset: Record<string, unknown> | undefined
  url: string | undefined
  errorCode: string | undefined
  [extra: string]: unknown
}

const FIELD_ALIASES: Readonly<Record<string, string>> = {
  error_message: 'errorMessage',
  used_credits: 'usedCredits',
  run_time: 'runTime',
  error_code: 'errorCode',
  additional_fields: 'additionalFields',
}

const FIELDS = new Set(['status', 'data', 'details', 'completed', 'errorMessage', 'usedCredits', 'runTime', 'usage', 'url', 'errorCode', 'asset', 'additionalFields'])

/** Whether `value` is one of the three run statuses. */
export function isResponseStatus(value: unknown): value is ResponseStatus {
  return value === ResponseStatus.IN_PROGRESS || value === ResponseStatus.SUCCESS || value === ResponseStatus.FAILED
}

function fallbackErrorMessage(extra: Record<string, unknown>): string {
  const error = typeof extra['error'] === 'string' ? extra['error'] : ''
  if (!('supplierError' in extra)) return error
  const supplier = String(extra['supplierError'] ?? '')
  return error === '' ? supplier : `${error} - ${supplier}`
}

/**
 * The outcome of a run: its status, the output `data`, and what the service reported about it.
 * It is generic on `data`, so `Integration.connect` returns a `ModelResponse<ConnectResult>`
 * whose `data.id` is typed. `data` is only meaningful when `status` is `SUCCESS`.
 *
 * When `errorMessage` is empty it falls back to the body's `error`, followed by
 * ` - <supplierError>` when the body has one.
 *
 * @example
 * ```ts
 * const response = await model.run('Hello')
 * if (response.status === ResponseStatus.SUCCESS) console.log(response.data)
 * else console.error(response.errorMessage)
 * response.get('requestId') // any field, snake_case alias or extra wire key
 * ```
 */
export class ModelResponse<T = unknown> {
  /** `SUCCESS`, `FAILED` or `IN_PROGRESS`. */
  status: ResponseStatus
  /** The output. `''` when the service sent none. */
  data: T
  /** Extra details of the run (list or object), `{}` when none. */
  details: Record<string, unknown> | unknown[]
  /** Whether the run finished. */
  completed: boolean
  /** Why the run failed; `''` on success. */
  errorMessage: string
  /** Credits the run cost (`usedCredits` on the wire). */
  usedCredits: number
  /** Seconds the run took (`runTime` on the wire). */
  runTime: number
  /** Token usage, when the service reports it. */
  usage: Record<string, unknown> | undefined
  /** The poll URL of an asynchronous run. */
  url: string | undefined
  /** An `AX-…` code when the SDK mapped an HTTP error, or the body's `error_code`. */
  errorCode: string | undefined
  /** The asset that served the run, when reported. */
  asset: Record<string, unknown> | undefined
  /** Every other key of the wire body. */
  additionalFields: Record<string, unknown>

  constructor(init: ModelResponseInit<T>) {
    this.status = init.status
    this.data = init.data === undefined ? ('' as T) : init.data
    this.details = init.details ?? {}
    this.completed = init.completed ?? false
    this.additionalFields = { ...init.additionalFields }
    this.errorMessage = init.errorMessage !== undefined && init.errorMessage !== '' ? init.errorMessage : fallbackErrorMessage(this.additionalFields)
    this.usedCredits = init.usedCredits ?? 0
    this.runTime = init.runTime ?? 0
    this.usage = init.usage
    this.url = init.url
    this.errorCode = init.errorCode
    this.asset = init.asset
  }

  /**
   * Builds a response from a wire body (§4.2–§4.5). Known keys become fields; the rest go to
   * `additionalFields`. The caller decides the status (run and poll derive it differently).
   *
   * @example
   * ```ts
   * ModelResponse.fromBody({ completed: true, data: 'hi', runTime: 1.2 }, ResponseStatus.SUCCESS)
   * ```
   */
  static fromBody<T = unknown>(body: Record<string, unknown>, status: ResponseStatus): ModelResponse<T> {
    const extra: Record<string, unknown> = {}
    for (const [key, value] of Object.entries(body)) {
      if (!WIRE_KEYS.has(key)) extra[key] = value
    }
    // aiXplain's hub sends both spellings; the v1 field is error_message.
    const errorMessage = firstString(body['error_message'], body['errorMessage'])
    const details = body['details']
    return new ModelResponse<T>({
      status,
      data: body['data'] === undefined || body['data'] === null ? ('' as T) : (body['data'] as T),
      details: Array.isArray(details) || isRecord(details) ? details : {},
      completed: body['completed'] === true,
      ...(errorMessage === undefined ? {} : { errorMessage }),
      usedCredits: numberOr(body['usedCredits'], 0),
      runTime: numberOr(body['runTime'], 0),
      ...(isRecord(body['usage']) ? { usage: body['usage'] } : {}),
      ...(typeof body['url'] === 'string' ? { url: body['url'] } : {}),
      ...(typeof body['error_code'] === 'string' ? { errorCode: body['error_code'] } : {}),
      ...(isRecord(body['asset']) ? { asset: body['asset'] } : {}),
      additionalFields: extra,
    })
  }

  /**
   * Reads a field by name (camelCase, snake_case alias, or wire name such as `usedCredits`), or
   * an extra wire key; `defaultValue` when there is none.
   *
   * @example
   * ```ts
   * response.get('error_message') === response.errorMessage // true
   * response.get('requestId', 'n/a')
   * ```
   */
  get(key: string, defaultValue?: unknown): unknown {
    const field = FIELD_ALIASES[key] ?? key
    if (FIELDS.has(field)) return (this as unknown as Record<string, unknown>)[field]
    if (Object.hasOwn(this.additionalFields, key)) return this.additionalFields[key]
    return defaultValue
  }

  /**
   * Whether {@link ModelResponse.get} would find `key`.
   *
   * @example
   * ```ts
   * response.has('supplierError')
   * ```
   */
  has(key: string): boolean {
    return FIELDS.has(FIELD_ALIASES[key] ?? key) || Object.hasOwn(this.additionalFields, key)
  }

  /**
   * All fields as a plain object, with the extra wire keys at the top level (fields win over
   * extra keys of the same name).
   *
   * @example
   * ```ts
   * JSON.stringify(response.toDict())
   * ```
   */
  toDict(): ModelResponseDict<T> {
    return {
      ...this.additionalFields,
      status: this.status,
      data: this.data,
      details: this.details,
      completed: this.completed,
      errorMessage: this.errorMessage,
      usedCredits: this.usedCredits,
      runTime: this.runTime,
      usage: this.usage,
      asset: this.asset,
      url: this.url,
      errorCode: this.errorCode,
    }
  }

  /** Same as {@link ModelResponse.toDict}, so `JSON.stringify(response)` works. */
  toJSON(): ModelResponseDict<T> {
    return this.toDict()
  }

  /** `ModelResponse(status=SUCCESS, data='…', …)`, listing only the fields that are set. */
  toString(): string {
    const parts: string[] = [`status=${this.status}`]
    const show = (value: unknown): string => (typeof value === 'string' ? `'${value}'` : JSON.stringify(value))
    if (isSet(this.data)) parts.push(`data=${show(this.data)}`)
    if (isSet(this.details)) parts.push(`details=${show(this.details)}`)
    if (this.completed) parts.push('completed=true')
    if (this.errorMessage) parts.push(`errorMessage=${show(this.errorMessage)}`)
    if (this.usedCredits) parts.push(`usedCredits=${this.usedCredits}`)
    if (this.runTime) parts.push(`runTime=${this.runTime}`)
    if (isSet(this.usage)) parts.push(`usage=${show(this.usage)}`)
    if (isSet(this.asset)) parts.push(`asset=${show(this.asset)}`)
    if (this.url) parts.push(`url=${show(this.url)}`)
    if (this.errorCode) parts.push(`errorCode=${show(this.errorCode)}`)
    for (const [key, value] of Object.entries(this.additionalFields)) parts.push(`${key}=${show(value)}`)
    return `ModelResponse(${parts.join(', ')})`
  }
}

const WIRE_KEYS = new Set(['status', 'data', 'details', 'completed', 'error_message', 'errorMessage', 'usedCredits', 'runTime', 'usage', 'url', 'error_code', 'asset'])

function firstString(...values: unknown[]): string | undefined {
  for (const value of values) if (typeof value === 'string' && value !== '') return value
  return undefined
}

function numberOr(value: unknown, fallback: number): number {
  return typeof value === 'number' && Number.isFinite(value) ? value : fallback
}

function isSet(value: unknown): boolean {
  if (value === undefined || value === null || value === '' || value === false || value === 0) return false
  if (Array.isArray(value)) return value.length > 0
  if (typeof value === 'object') return Object.keys(value).length > 0
  return true
}
