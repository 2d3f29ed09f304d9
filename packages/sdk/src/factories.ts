/**
 * `ModelFactory` and `IntegrationFactory`: read records from the backend and build the right
 * class for each.
 *
 * @see ../../../shared/spec/aixplain-wire-contract.md §5.3–§5.6
 */
import { FunctionType } from '@patchbay/core'
import { resolveConfig } from './config.js'
import type { ConfigOptions, ResolvedConfig } from './config.js'
import { ConnectionTool } from './connection-tool.js'
import { errorFromCode, errorFromStatus, InternalError, NetworkError, ResourceError, ValidationError } from './errors.js'
import { backendHeaders, describeBody, isRecord, joinUrl, sendRequest } from './http.js'
import type { HttpResult } from './http.js'
import { Integration } from './integration.js'
import { MCPConnection } from './mcp-connection.js'
import { Model, modelInitFromRecord } from './model.js'
import type { ModelInit, ModelOptions } from './model.js'

/** Any class `ModelFactory.get` may return. */
export type AnyModel = Model | Integration | ConnectionTool | MCPConnection

/** A model class, used to ask `ModelFactory.get` for a specific one. */
export type ModelClass<T extends Model> = new (init: ModelInit, options?: ModelOptions) => T

/** Options of `ModelFactory.get`. */
export interface GetModelOptions<T extends Model = Model> extends ConfigOptions {
  /**
   * The class the model must be; the result is typed accordingly. When the fetched model is of
   * another class, a {@link ValidationError} is thrown.
   */
  expect?: ModelClass<T>
}

/** Options of the `list` methods (one page of `POST sdk/models/paginate`). */
export interface ListOptions extends ConfigOptions {
  /** Search text (`q`); default `''`. */
  query?: string
  /** Zero-based page; default 0. */
  pageNumber?: number
  /** Default 20. */
  pageSize?: number
}

/** Options of `ModelFactory.list`. */
export interface ListModelsOptions extends ListOptions {
  /** Function ids to keep, e.g. `['connector']`. */
  functions?: string[]
  /**
   * Only the connections of this end user (the `endUser.id` of the Connect session that made
   * them); use with `functions: ['connection']`. Patchbay's own field: aiXplain's backend ignores it.
   */
  endUserId?: string
}

/** One page of a listing (aiXplain's v1 shape, camelCase). */
export interface ListResult<T> {
  results: T[]
  /** `min(pageSize, results.length)`. */
  pageTotal: number
  pageNumber: number
  /** Total number of matches on the backend. */
  total: number
}

/** How to find an integration: its id, `{ id }`, or its exact name `{ name }`. */
export type IntegrationRef = string | { id: string; name?: undefined } | { name: string; id?: undefined }

/** The surface of `ModelFactory` (static, or bound to a config by `createClient`). */
export interface ModelFactoryApi {
  /**
   * Fetches a model (`GET {backendUrl}/sdk/models/{id}`) and builds the class its record asks
   * for: `connector` → Integration, `connection` → ConnectionTool (actions loaded),
   * `mcpconnection` → MCPConnection (tools loaded), anything else → Model.
   */
  get(id: string, options?: ConfigOptions & { expect?: undefined }): Promise<AnyModel>
  /** Same, checked to be an instance of `options.expect` and typed as such. */
  get<T extends Model>(id: string, options: ConfigOptions & { expect: ModelClass<T> }): Promise<T>
  /** One page of models (`POST {backendUrl}/sdk/models/paginate`). */
  list(options?: ListModelsOptions): Promise<ListResult<AnyModel>>
}

/** The surface of `IntegrationFactory` (static, or bound to a config by `createClient`). */
export interface IntegrationFactoryApi {
  /** Fetches an integration by id, or by exact name among the first 20 search results. */
  get(ref: IntegrationRef, options?: ConfigOptions): Promise<Integration>
  /** One page of integrations (`functions: ['connector']`). */
  list(options?: ListOptions): Promise<ListResult<Integration>>
}

function causeText(cause: unknown): string {
  return cause instanceof Error ? cause.message : String(cause)
}

function configFor(base: ResolvedConfig | undefined, options: ConfigOptions | undefined): ResolvedConfig {
  // Per call: an explicit config wins; else the client's; else the environment, read now.
  return resolveConfig(options?.config ?? base ?? {})
}

/**
 * Builds the class a v1 record asks for, in aiXplain's order (§5.3): `text-generation` and
 * `search` functions stay plain models here, then `connector`, `connection`, `mcpconnection`.
 * Connections load their actions before this resolves.
 *
 * @example
 * ```ts
 * const model = await createModelFromRecord(record, resolveConfig({ apiKey }))
 * ```
 */
export async function createModelFromRecord(record: Record<string, unknown>, config: ResolvedConfig): Promise<AnyModel> {
  let init: ModelInit
  try {
    init = modelInitFromRecord(record)
  } catch (cause) {
    throw new InternalError(`Model Creation: Unspecified Error (${causeText(cause)})`, { cause })
  }
  const options = { config }
  const functionId = init.function?.id
  // aiXplain turns these into LLM and IndexModel before looking at functionType.
  if (functionId === 'text-generation' || functionId === 'search') return new Model(init, options)
  switch (init.functionType) {
    case FunctionType.INTEGRATION:
      return new Integration(init, options)
    case FunctionType.CONNECTION:
      return ConnectionTool.load(init, options)
    case FunctionType.MCP_CONNECTION:
      return MCPConnection.load(init, options)
    default:
      return new Model(init, options)
  }
}

function httpError(result: HttpResult, message: string): Error {
  const mapped = errorFromStatus(result.status, result.body)
  return errorFromCode(mapped.code, message, { statusCode: result.status, details: mapped.details })
}

async function fetchModel(config: ResolvedConfig, id: string): Promise<AnyModel> {
  if (typeof id !== 'string' || id === '') throw new TypeError('A model id (a non-empty string) is required')
  const url = joinUrl(config.backendUrl, `sdk/models/${encodeURIComponent(id)}`)
  const lead = `Model GET Error: Failed to retrieve model ${id}.`
  let result: HttpResult
  try {
    result = await sendRequest(config, 'GET', url, backendHeaders(config.apiKey))
  } catch (cause) {
    throw new NetworkError(`${lead} ${causeText(cause)}`, { cause })
  }
  if (!result.ok) throw httpError(result, `${lead} Status Code: ${result.status}. Error: ${describeBody(result)}`)
  if (!isRecord(result.body)) {
    throw new InternalError(`Model Creation: Unspecified Error. The answer for model ${id} is not a record: ${describeBody(result)}`)
  }
  return createModelFromRecord(result.body, config)
}

async function fetchPage(config: ResolvedConfig, options: ListModelsOptions): Promise<ListResult<AnyModel>> {
  const pageNumber = options.pageNumber ?? 0
  const pageSize = options.pageSize ?? 20
  const request: Record<string, unknown> = { q: options.query ?? '', pageNumber, pageSize }
  if (options.functions !== undefined) request['functions'] = options.functions
  if (options.endUserId !== undefined) request['endUserId'] = options.endUserId
  const url = joinUrl(config.backendUrl, 'sdk/models/paginate')
  const lead = 'Listing Models Error: Failed to retrieve models.'
  let result: HttpResult
  try {
    result = await sendRequest(config, 'POST', url, backendHeaders(config.apiKey), request)
  } catch (cause) {
    throw new NetworkError(`${lead} ${causeText(cause)}`, { cause })
  }
  if (!result.ok) throw httpError(result, `${lead} Status Code: ${result.status}. Error: ${describeBody(result)}`)
  const body = result.body
  if (!isRecord(body) || !Array.isArray(body['items']) || typeof body['total'] !== 'number') {
    throw new InternalError(`${lead} The answer has no 'items' list and 'total': ${describeBody(result)}`)
  }
  const results = await Promise.all(body['items'].filter(isRecord).map((record) => createModelFromRecord(record, config)))
  return { results, pageTotal: Math.min(pageSize, results.length), pageNumber, total: body['total'] }
}

/**
 * Builds a `ModelFactory` bound to `base` (or, without one, resolving the environment on every
 * call). `createClient` uses this; most code uses the static {@link ModelFactory}.
 *
 * @example
 * ```ts
 * const models = createModelFactory(resolveConfig({ apiKey }))
 * const model = await models.get(id)
 * ```
 */
export function createModelFactory(base?: ResolvedConfig): ModelFactoryApi {
  function get(id: string, options?: ConfigOptions & { expect?: undefined }): Promise<AnyModel>
  function get<T extends Model>(id: string, options: ConfigOptions & { expect: ModelClass<T> }): Promise<T>
  async function get<T extends Model>(id: string, options: GetModelOptions<T> = {}): Promise<AnyModel | T> {
    const model = await fetchModel(configFor(base, options), id)
    const expected = options.expect
    if (expected !== undefined && !(model instanceof expected)) {
      throw new ValidationError(`The model ${id} is a ${model.constructor.name} (functionType '${model.functionType}'), not a ${expected.name}.`)
    }
    return model
  }
  return Object.freeze({
    get,
    list: (options: ListModelsOptions = {}) => fetchPage(configFor(base, options), options),
  })
}

/**
 * Builds an `IntegrationFactory` bound to `base` (or resolving the environment on every call).
 *
 * @example
 * ```ts
 * const integrations = createIntegrationFactory(resolveConfig({ apiKey }))
 * const github = await integrations.get({ name: 'GitHub' })
 * ```
 */
export function createIntegrationFactory(base?: ResolvedConfig): IntegrationFactoryApi {
  async function list(options: ListOptions = {}): Promise<ListResult<Integration>> {
    const page = await fetchPage(configFor(base, options), { ...options, functions: [FunctionType.INTEGRATION] })
    const results = page.results.filter((model): model is Integration => model instanceof Integration)
    return { ...page, results, pageTotal: Math.min(options.pageSize ?? 20, results.length) }
  }

  async function get(ref: IntegrationRef, options: ConfigOptions = {}): Promise<Integration> {
    const byId = typeof ref === 'string' ? ref : ref?.id
    const byName = typeof ref === 'string' ? undefined : ref?.name
    if ((byId === undefined) === (byName === undefined)) {
      throw new TypeError("Must provide exactly one of 'id' or 'name'")
    }
    if (byName !== undefined) {
      // Like aiXplain: search by the name, then keep the exact (case-sensitive) match of page 0.
      const page = await list({ ...options, query: byName, pageNumber: 0, pageSize: 20 })
      const found = page.results.find((integration) => integration.name === byName)
      if (found === undefined) {
        throw new ResourceError(`Integration GET by Name Error: Failed to retrieve integration '${byName}'. ` + 'No integration found with this exact name.')
      }
      return found
    }
    const model = await fetchModel(configFor(base, options), byId as string)
    if (!(model instanceof Integration)) {
      throw new ValidationError(`The provided identifier ('${byId}') is not from an integration model`)
    }
    return model
  }

  return Object.freeze({ get, list })
}

/**
 * Reads models of any kind. Each call resolves its configuration from `options.config`, else
 * from the environment (`TEAM_API_KEY`, `BACKEND_URL`, …); use `createClient` to bind one.
 *
 * `get` returns a union; narrow it with `instanceof`, or pass `expect` to have it checked and
 * typed.
 *
 * @example
 * ```ts
 * const tool = await ModelFactory.get(connectionId, { expect: ConnectionTool })
 * tool.actions // ConnectAction[]
 *
 * const any = await ModelFactory.get(id)
 * if (any instanceof Integration) console.log(any.authenticationMethods)
 *
 * const page = await ModelFactory.list({ query: 'slack', pageSize: 10 })
 * ```
 */
export const ModelFactory: ModelFactoryApi = createModelFactory()

/**
 * Reads integrations (`functionType` `connector`). By name it searches, then keeps the exact,
 * case-sensitive match among the first 20 results.
 *
 * @example
 * ```ts
 * const github = await IntegrationFactory.get({ name: 'GitHub' })
 * const same = await IntegrationFactory.get(github.id)
 * const { results, total } = await IntegrationFactory.list({ query: 'git' })
 * ```
 */
export const IntegrationFactory: IntegrationFactoryApi = createIntegrationFactory()
