/**
 * `Model`: anything that can be run on the execute service. Integrations and connections are
 * models too; they add connect and action logic on top of the run machinery here.
 *
 * @see ../../../shared/spec/aixplain-wire-contract.md §10.6, §4
 */
import { FunctionType, ResponseStatus } from '@patchbay/core'
import type { AttributeEntry, SupplierRecord } from '@patchbay/core'
import { isResolvedConfig, resolveConfig } from './config.js'
import type { ConfigOptions, ResolvedConfig } from './config.js'
import { errorFromCode, errorFromStatus, NetworkError } from './errors.js'
import { backendHeaders, executeHeaders, isRecord, joinUrl, sendRequest } from './http.js'
import type { HttpResult } from './http.js'
import { isResponseStatus, ModelResponse } from './model-response.js'

/** Who provides a model: a `{id, name, code}` record, or a bare name. */
export type Supplier = SupplierRecord | string

/** The platform function a model performs, e.g. `{ id: 'utilities', name: 'Utilites' }`. */
export interface ModelFunction {
  id: string
  name?: string
}

/** What a {@link Model} is built with. Only `id` is required. */
export interface ModelInit {
  id: string
  name?: string
  description?: string
  /** API key used for this model's calls; default the config's key. */
  apiKey?: string
  /** Default `'aiXplain'`. */
  supplier?: Supplier
  /** The version id (the record's `version.id`). */
  version?: string
  function?: ModelFunction
  /** Default `'ai'`. */
  functionType?: FunctionType | (string & {})
  /** The record's `pricing`. */
  cost?: Record<string, unknown>
  isSubscribed?: boolean
  /** An asset status such as `onboarded`; default `onboarded`. */
  status?: string
  createdAt?: Date
  /** `{name, code}` entries; `code` is JSON text. */
  attributes?: AttributeEntry[]
  /** Every other key of the record (`params`, `parentModelId`, `connectionType`, …). */
  additionalInfo?: Record<string, unknown>
}

/** Options of model constructors: the configuration to use. */
export type ModelOptions = ConfigOptions

/** Per-call options of {@link Model.run}. Times are in seconds, as in aiXplain's SDK. */
export interface RunOptions {
  /** How long to poll an asynchronous run before giving up, in seconds; default 300. */
  timeout?: number
  /** Extra keys merged into the top level of the request body. */
  parameters?: Record<string, unknown>
  /** First wait between polls in seconds (at least 0.2, ×1.1 after each poll); default 0.5. */
  waitTime?: number
}

/** Per-call options of {@link Model.syncPoll}. */
export interface PollOptions {
  /** Seconds before giving up; default 300. */
  timeout?: number
  /** First wait between polls in seconds; default 0.5, never below 0.2. */
  waitTime?: number
}

/** Per-call options of {@link Model.runAsync}. */
export interface RunAsyncOptions {
  /** Extra keys merged into the top level of the request body. */
  parameters?: Record<string, unknown>
}

const RUN_ERROR = 'Model Run: An error occurred while processing your request.'
const NO_RESPONSE = 'No response from the service.'
const DELETE_ERROR = 'Model Deletion Error: Make sure the model exists and you are the owner.'

/**
 * Builds the JSON body of a v1 run from its input (aiXplain's `build_payload`):
 * - an object is used as the body;
 * - a string is JSON-parsed if possible: an object becomes the body, anything else is wrapped as
 *   `{data}` (numbers as strings); an unparsable string becomes `{data: "<text>"}`;
 * - any other value is wrapped as `{data}`;
 * - `parameters` are merged at the top level, over the input's keys.
 *
 * Unlike the Python SDK, local file paths are not uploaded: browsers have no file system.
 *
 * @example
 * ```ts
 * buildPayload('{"text":"hi"}', { language: 'en' }) // { text: 'hi', language: 'en' }
 * buildPayload('hello') // { data: 'hello' }
 * buildPayload('42') // { data: '42' }
 * ```
 * @see ../../../shared/spec/aixplain-wire-contract.md §4.1
 */
export function buildPayload(data: unknown, parameters: Record<string, unknown> = {}): Record<string, unknown> {
  let payload: Record<string, unknown>
  if (isRecord(data)) {
    payload = { ...data }
  } else if (typeof data === 'string') {
    try {
      const parsed: unknown = JSON.parse(data)
      payload = isRecord(parsed) ? parsed : { data: typeof parsed === 'number' ? String(parsed) : parsed }
    } catch {
      payload = { data }
    }
  } else {
    payload = { data }
  }
  return { ...payload, ...parameters }
}

function failed(errorMessage: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { status: ResponseStatus.FAILED, completed: true, error_message: errorMessage, ...extra }
}

function causeText(cause: unknown): string {
  return cause instanceof Error ? cause.message : String(cause)
}

/**
 * POSTs a run body and classifies the answer the way aiXplain's `call_run_endpoint` does. It
 * never throws: transport and HTTP failures become a FAILED body.
 *
 * | HTTP | Body | Result |
 * |---|---|---|
 * | 2xx | status missing or IN_PROGRESS, `data` set | `{status: IN_PROGRESS, url: data, completed: false}` |
 * | 2xx | status missing or IN_PROGRESS, no `data` | FAILED |
 * | 2xx | any other status | the body as it is |
 * | non-2xx | anything | FAILED with the §4.6 message, `error_code` and `statusCode` |
 *
 * @example
 * ```ts
 * const body = await callRunEndpoint(config, `${config.modelsRunUrl}/${id}`, config.apiKey, { data: 'hi' })
 * ```
 * @see ../../../shared/spec/aixplain-wire-contract.md §10.6
 */
export async function callRunEndpoint(config: ResolvedConfig, url: string, apiKey: string, payload: Record<string, unknown>): Promise<Record<string, unknown>> {
  let result: HttpResult
  try {
    result = await sendRequest(config, 'POST', url, executeHeaders(apiKey), payload)
  } catch (cause) {
    return failed(`${RUN_ERROR} (${causeText(cause)})`, { error_code: 'AX-NET-1000' })
  }
  if (!result.ok) {
    // aiXplain's client reads the body's `error` (or the whole body); a non-JSON body is
    // reported as "unspecified error", exactly as it does.
    const error = errorFromStatus(result.status, result.isJson ? result.body : 'unspecified error')
    const extra: Record<string, unknown> = { error_code: error.code, statusCode: result.status }
    if (isRecord(result.body) && typeof result.body['supplierError'] === 'string') {
      extra['supplierError'] = result.body['supplierError']
    }
    return failed(error.message, extra)
  }
  const body = result.body
  if (!isRecord(body)) return failed(`${RUN_ERROR} (the response is not a JSON object)`)
  const status = body['status']
  if (status === undefined || status === ResponseStatus.IN_PROGRESS) {
    const data = body['data']
    if (data === undefined || data === null) return failed(RUN_ERROR)
    return { status: ResponseStatus.IN_PROGRESS, url: data, completed: false }
  }
  return body
}

function responseFromRun<T>(body: Record<string, unknown>): ModelResponse<T> {
  // An unknown or missing status is coerced to FAILED, as in aiXplain's `run`.
  const status = isResponseStatus(body['status']) ? body['status'] : ResponseStatus.FAILED
  return ModelResponse.fromBody<T>(body, status)
}

function noResponse<T>(): ModelResponse<T> {
  return new ModelResponse<T>({ status: ResponseStatus.FAILED, completed: false, errorMessage: NO_RESPONSE })
}

/**
 * The name of a supplier: `supplier.name` for a record, else the value itself.
 *
 * @example
 * ```ts
 * supplierName({ id: 1, name: 'Patchbay', code: 'patchbay' }) // 'Patchbay'
 * ```
 */
export function supplierName(supplier: Supplier): string {
  if (typeof supplier === 'string') return supplier
  return typeof supplier?.name === 'string' ? supplier.name : String(supplier)
}

/**
 * A runnable asset of the platform (aiXplain's v1 `Model`). Get one with `ModelFactory.get`.
 *
 * Run calls never throw on HTTP errors: they resolve to a FAILED {@link ModelResponse} whose
 * `errorMessage` is the §4.6 message.
 *
 * @example
 * ```ts
 * const model = await ModelFactory.get('69b7e5f1b2fe44704ab0e7d0')
 * const response = await model.run('Write a haiku about patch cables')
 * console.log(String(model), response.status, response.data)
 * ```
 */
export class Model {
  /** The asset id. */
  readonly id: string
  /** Display name; `''` when the record has none. */
  name: string
  /** Description; a connection's ends with the scheme suffix the hub appends. */
  description: string
  /** Who provides it: a `{id, name, code}` record or a bare name; default `'aiXplain'`. */
  supplier: Supplier
  /** The version id, e.g. `slack`. */
  version: string | undefined
  /** The platform function, e.g. `{ id: 'utilities', name: 'Utilites' }` for integrations. */
  function: ModelFunction | undefined
  /** `ai`, `connector`, `connection`, `mcpconnection`, … */
  functionType: FunctionType | (string & {})
  /** Pricing (the record's `pricing`). */
  cost: Record<string, unknown> | undefined
  /** Whether the record carries a `subscription`. */
  isSubscribed: boolean
  /** The API key sent with this model's calls. */
  apiKey: string
  /** Asset status, e.g. `onboarded`. */
  status: string
  /** When the asset was created, if the record says. */
  createdAt: Date | undefined
  /** `{name, code}` entries; `code` is JSON text. */
  attributes: AttributeEntry[]
  /** Every other key of the record. */
  additionalInfo: Record<string, unknown>
  /** The resolved configuration this model calls with. */
  protected readonly config: ResolvedConfig

  constructor(init: ModelInit, options: ModelOptions = {}) {
    if (typeof init?.id !== 'string' || init.id === '') throw new TypeError('A model needs a non-empty string `id`')
    const config = options.config ?? {}
    // A key given for this model is enough: no need for one in the environment as well.
    this.config = init.apiKey !== undefined && !isResolvedConfig(config) ? resolveConfig({ ...config, apiKey: config.apiKey ?? init.apiKey }) : resolveConfig(config)
    this.id = init.id
    this.name = init.name ?? ''
    this.description = init.description ?? ''
    this.supplier = init.supplier ?? 'aiXplain'
    this.version = init.version
    this.function = init.function
    this.functionType = init.functionType ?? FunctionType.AI
    this.cost = init.cost
    this.isSubscribed = init.isSubscribed ?? false
    this.apiKey = init.apiKey ?? this.config.apiKey
    this.status = init.status ?? 'onboarded'
    this.createdAt = init.createdAt
    this.attributes = init.attributes ?? []
    this.additionalInfo = init.additionalInfo ?? {}
  }

  /** The execute base URL this model runs on (`modelsRunUrl`). */
  get url(): string {
    return this.config.modelsRunUrl
  }

  /** The backend base URL this model is read and deleted on. */
  get backendUrl(): string {
    return this.config.backendUrl
  }

  /**
   * Runs the model and waits for the result: POST `{modelsRunUrl}/{id}` with `/api/v1/execute`
   * rewritten to `/api/v2/execute`; an asynchronous answer is polled with {@link Model.syncPoll}.
   * Never throws on HTTP errors (see {@link callRunEndpoint}).
   *
   * @param data The input: an object (sent as the body), a JSON string, or any other value
   *   (sent as `{data}`); see {@link buildPayload}.
   * @example
   * ```ts
   * const response = await model.run({ text: 'Hello' }, { parameters: { language: 'en' }, timeout: 60 })
   * ```
   * @see ../../../shared/spec/aixplain-wire-contract.md §10.6
   */
  run<T = unknown>(data: unknown, options: RunOptions = {}): Promise<ModelResponse<T>> {
    return this.execute<T>(data, options)
  }

  /**
   * The v1 run algorithm, shared by every subclass whatever its own `run` signature is.
   */
  protected async execute<T = unknown>(data: unknown, options: RunOptions = {}): Promise<ModelResponse<T>> {
    const payload = buildPayload(data, options.parameters)
    const url = this.executeUrl().replaceAll('api/v1/execute', 'api/v2/execute')
    const response = await callRunEndpoint(this.config, url, this.apiKey, payload)
    if (response['status'] === ResponseStatus.IN_PROGRESS) {
      return this.syncPoll<T>(String(response['url']), { timeout: options.timeout, waitTime: options.waitTime })
    }
    return responseFromRun<T>(response)
  }

  /**
   * Starts a run without waiting: POST to the v1 execute URL (not rewritten). The response's
   * `url` is the poll URL; pass it to {@link Model.poll} or {@link Model.syncPoll}.
   *
   * @example
   * ```ts
   * const started = await model.runAsync('Hello')
   * const done = await model.syncPoll(started.url!)
   * ```
   */
  async runAsync<T = unknown>(data: unknown, options: RunAsyncOptions = {}): Promise<ModelResponse<T>> {
    const payload = buildPayload(data, options.parameters)
    const response = await callRunEndpoint(this.config, this.executeUrl(), this.apiKey, payload)
    return responseFromRun<T>(response)
  }

  /**
   * Polls once. The status is the body's `status` when it is a valid one; otherwise it is derived
   * from `completed`: SUCCESS, or FAILED when the body has `error_message` or `supplierError`,
   * and IN_PROGRESS while not completed. A body that cannot be read gives a FAILED,
   * not-completed response.
   *
   * @throws {NetworkError} when the poll URL cannot be reached.
   * @example
   * ```ts
   * const state = await model.poll(started.url!)
   * if (state.completed) console.log(state.data)
   * ```
   * @see ../../../shared/spec/aixplain-wire-contract.md §4.4
   */
  async poll<T = unknown>(pollUrl: string): Promise<ModelResponse<T>> {
    let result: HttpResult
    const url = new URL(pollUrl, this.config.modelsRunUrl).href
    try {
      result = await sendRequest(this.config, 'GET', url, executeHeaders(this.apiKey))
    } catch (cause) {
      throw new NetworkError(`Poll Error: could not reach ${url}: ${causeText(cause)}`, { cause })
    }
    const body = result.body
    if (!isRecord(body) || !('completed' in body)) {
      const problem = isRecord(body) ? "has no 'completed' field" : 'is not a JSON object'
      return new ModelResponse<T>({
        status: ResponseStatus.FAILED,
        completed: false,
        errorMessage: `The poll response (HTTP ${result.status}) ${problem}`,
      })
    }
    let derived: ResponseStatus = ResponseStatus.IN_PROGRESS
    if (body['completed'] === true) {
      derived = 'error_message' in body || 'supplierError' in body ? ResponseStatus.FAILED : ResponseStatus.SUCCESS
    }
    const status = isResponseStatus(body['status']) ? body['status'] : derived
    return ModelResponse.fromBody<T>(body, status)
  }

  /**
   * Polls until the run completes or `timeout` seconds pass. The wait starts at
   * `max(waitTime, 0.2)` seconds and grows ×1.1 after each incomplete poll while below 60 s.
   * On timeout, or when the poll URL cannot be reached, the result is FAILED with
   * "No response from the service.".
   *
   * @example
   * ```ts
   * const done = await model.syncPoll(pollUrl, { timeout: 30, waitTime: 1 })
   * ```
   * @see ../../../shared/spec/aixplain-wire-contract.md §4.7
   */
  async syncPoll<T = unknown>(pollUrl: string, options: PollOptions = {}): Promise<ModelResponse<T>> {
    const timeoutMs = (options.timeout ?? 300) * 1000
    let wait = Math.max(options.waitTime ?? 0.5, 0.2)
    const start = this.config.now()
    let end = start
    let response = new ModelResponse<T>({ status: ResponseStatus.FAILED, completed: false })
    while (!response.completed && end - start < timeoutMs) {
      try {
        response = await this.poll<T>(pollUrl)
        end = this.config.now()
        if (!response.completed) {
          await this.config.sleep(wait * 1000)
          if (wait < 60) wait *= 1.1
        }
      } catch {
        return noResponse<T>()
      }
    }
    return response.completed ? response : noResponse<T>()
  }

  /**
   * Deletes the asset: `DELETE {backendUrl}/sdk/models/{id}`. Only HTTP 200 counts as success.
   *
   * @throws {AixplainError} "Model Deletion Error: Make sure the model exists and you are the
   *   owner.", of the class §4.6 gives the status (NetworkError when unreachable).
   * @example
   * ```ts
   * await connection.delete()
   * ```
   */
  async delete(): Promise<void> {
    const url = joinUrl(this.config.backendUrl, `sdk/models/${encodeURIComponent(this.id)}`)
    let result: HttpResult
    try {
      result = await sendRequest(this.config, 'DELETE', url, backendHeaders(this.apiKey))
    } catch (cause) {
      throw new NetworkError(DELETE_ERROR, { cause })
    }
    if (result.status !== 200) {
      const mapped = errorFromStatus(result.status, result.body)
      throw errorFromCode(mapped.code, DELETE_ERROR, { statusCode: result.status, details: mapped.details })
    }
  }

  /** `Model: <name> by <supplier name> (id=<id>)`. */
  toString(): string {
    return `Model: ${this.name} by ${supplierName(this.supplier)} (id=${this.id})`
  }

  /** `{modelsRunUrl}/{id}`, the v1 execute URL of this model. */
  protected executeUrl(): string {
    return joinUrl(this.config.modelsRunUrl, encodeURIComponent(this.id))
  }
}

function attributeEntries(value: unknown): AttributeEntry[] {
  const text = (code: unknown): string => (typeof code === 'string' ? code : JSON.stringify(code ?? null))
  if (Array.isArray(value)) {
    return value.filter(isRecord).flatMap((entry) => {
      if (typeof entry['name'] !== 'string') return []
      // `sdk/models` sometimes sends `{name, value}` instead of `{name, code}`.
      return [{ name: entry['name'], code: text('code' in entry ? entry['code'] : entry['value']) }]
    })
  }
  // The v2 map form `{auth_schemes: "[…]"}`; aiXplain's v1 client crashes on it, we accept it.
  if (isRecord(value)) return Object.entries(value).map(([name, code]) => ({ name, code: text(code) }))
  return []
}

const MAPPED_RECORD_KEYS = new Set(['id', 'name', 'description', 'supplier', 'version', 'function', 'functionType', 'pricing', 'subscription', 'status', 'createdAt', 'attributes'])

/**
 * Turns a v1 record (`GET sdk/models/{id}`, §5.1) into constructor input. Unknown keys go to
 * `additionalInfo`.
 *
 * @throws {TypeError} when the record has no string `id`.
 * @example
 * ```ts
 * const model = new Model(modelInitFromRecord(record), { config })
 * ```
 * @see ../../../shared/spec/aixplain-wire-contract.md §5.1, §5.3
 */
export function modelInitFromRecord(record: Record<string, unknown>, apiKey?: string): ModelInit {
  if (typeof record['id'] !== 'string' || record['id'] === '') throw new TypeError('The model record has no string `id`')
  const supplier = record['supplier']
  const version = record['version']
  const fn = record['function']
  const createdAt = typeof record['createdAt'] === 'string' ? new Date(record['createdAt']) : undefined
  const additionalInfo: Record<string, unknown> = {}
  for (const [key, value] of Object.entries(record)) if (!MAPPED_RECORD_KEYS.has(key)) additionalInfo[key] = value
  const init: ModelInit = {
    id: record['id'],
    name: typeof record['name'] === 'string' ? record['name'] : '',
    description: typeof record['description'] === 'string' ? record['description'] : '',
    supplier: typeof supplier === 'string' || isRecord(supplier) ? (supplier as Supplier) : 'aiXplain',
    functionType: typeof record['functionType'] === 'string' ? record['functionType'] : FunctionType.AI,
    isSubscribed: record['subscription'] !== undefined && record['subscription'] !== null,
    status: typeof record['status'] === 'string' ? record['status'] : 'draft',
    attributes: attributeEntries(record['attributes']),
    additionalInfo,
  }
  if (apiKey !== undefined) init.apiKey = apiKey
  if (isRecord(version) && typeof version['id'] === 'string') init.version = version['id']
  else if (typeof version === 'string') init.version = version
  if (isRecord(fn) && typeof fn['id'] === 'string') {
    init.function = typeof fn['name'] === 'string' ? { id: fn['id'], name: fn['name'] } : { id: fn['id'] }
  }
  if (isRecord(record['pricing'])) init.cost = record['pricing']
  if (createdAt !== undefined && !Number.isNaN(createdAt.getTime())) init.createdAt = createdAt
  return init
}
