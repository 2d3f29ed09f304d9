/**
 * `ConnectionTool`: a connected integration. It exposes actions, each with inputs, and runs them.
 *
 * @see ../../../shared/spec/aixplain-wire-contract.md §10.4
 */
import { ExecuteAction, FunctionType, ResponseStatus } from '@patchbay/core'
import type { ActionInputSpec } from '@patchbay/core'
import { errorFromCode, errorFromStatus, InternalError, isAixplainErrorCode, ResourceError } from './errors.js'
import type { AixplainError } from './errors.js'
import { executeHeaders, isRecord, joinUrl, sendRequest } from './http.js'
import { Model } from './model.js'
import type { ModelInit, ModelOptions, RunOptions } from './model.js'
import type { ModelResponse } from './model-response.js'

/** The inputs of one action, keyed by input `code`. */
export type ActionInputs = Record<string, ActionInputSpec>

/** What a {@link ConnectAction} is built with. */
export interface ConnectActionInit {
  /** Machine name, e.g. `GITHUB_GET_REPOSITORY`; what `run` sends as `action`. */
  code: string
  /** Display name. */
  name: string
  description: string
  /** Cached inputs, keyed by input code. */
  inputs?: ActionInputs | undefined
}

/**
 * One action of a connection. `code` is what you pass to `run`; `name` is for people.
 *
 * @example
 * ```ts
 * const action = tool.actions.find((a) => a.code === 'GITHUB_GET_REPOSITORY')
 * String(action) // 'Action(code=GITHUB_GET_REPOSITORY, name=Get a repository)'
 * ```
 */
export class ConnectAction {
  /** Machine name, e.g. `GITHUB_GET_REPOSITORY`: what {@link ConnectionTool.run} sends as `action`. */
  code: string
  /** Display name, e.g. `Get a repository`. */
  name: string
  /** What the action does. */
  description: string
  /** Inputs keyed by code, filled in by `getActionInputs`. */
  inputs: ActionInputs | undefined

  constructor(init: ConnectActionInit) {
    this.code = init.code
    this.name = init.name
    this.description = init.description
    this.inputs = init.inputs
  }

  /** `Action(code=<code>, name=<name>)`. */
  toString(): string {
    return `Action(code=${this.code}, name=${this.name})`
  }
}

/** Tool-definition formats of {@link ConnectionTool.toToolSchemas}. */
export type ToolSchemaFormat = 'openai' | 'anthropic' | 'mcp'

/** Options of {@link ConnectionTool.toToolSchemas}. */
export interface ToolSchemaOptions {
  /** OpenAI only: strict-mode schemas (all properties required, optional ones nullable, closed objects). */
  strict?: boolean
}

/** One entry of {@link ConnectionTool.getParameters}: an action with its inputs. */
export interface ActionParameters {
  code: string
  name: string
  description: string
  inputs: ActionInputs | undefined
}

/**
 * The input of an action run: usually an object of inputs; some tools take a string (SQL) or a
 * list. (Typed `object` rather than a record so `ConnectionTool.run` stays a valid override.)
 */
export type ActionRunInput = object | string

/**
 * The error for a FAILED discovery call, of the class its `errorCode` (or HTTP status) names.
 *
 * @example
 * ```ts
 * throw errorForFailedResponse(response, `It was not possible to get the actions for the connection ${id}.`)
 * ```
 */
export function errorForFailedResponse(response: ModelResponse<unknown>, lead: string): AixplainError {
  const message = `${lead} Error${response.errorCode ? ` ${response.errorCode}` : ''}: ${response.errorMessage}`
  const statusCode = response.additionalFields['statusCode']
  const options = typeof statusCode === 'number' ? { statusCode, details: { response: response.toDict() } } : {}
  if (isAixplainErrorCode(response.errorCode)) return errorFromCode(response.errorCode, message, options)
  if (typeof statusCode === 'number' && statusCode >= 400) {
    return errorFromCode(errorFromStatus(statusCode).code, message, options)
  }
  return new ResourceError(message, { details: { response: response.toDict() } })
}

function toActionInputs(item: Record<string, unknown>): ActionInputs {
  const inputs = item['inputs']
  if (!Array.isArray(inputs)) throw new Error("the action has no 'inputs' list")
  const byCode: ActionInputs = {}
  for (const input of inputs) {
    if (!isRecord(input) || typeof input['code'] !== 'string') throw new Error("an input has no 'code'")
    byCode[input['code']] = input as unknown as ActionInputSpec
  }
  return byCode
}

/**
 * A connection (`functionType` `connection` or `mcpconnection`): an integration connected with
 * credentials. Its {@link ConnectionTool.actions} are loaded when it is fetched, so they are
 * available synchronously.
 *
 * Constructors cannot be asynchronous, so build one with {@link ConnectionTool.load} (or get it
 * from `ModelFactory.get`); `new ConnectionTool(…)` starts with no actions until
 * {@link ConnectionTool.refreshActions} is awaited.
 *
 * @example
 * ```ts
 * const tool = await ModelFactory.get(connectionId, { expect: ConnectionTool })
 * tool.actions.map(String) // ['Action(code=GITHUB_GET_REPOSITORY, name=Get a repository)', …]
 * await tool.getActionInputs('GITHUB_GET_REPOSITORY')
 * const res = await tool.run('GITHUB_GET_REPOSITORY', { owner: 'octocat', repo: 'hello-world' })
 * await tool.delete()
 * ```
 */
export class ConnectionTool extends Model {
  /** The connection's actions, loaded by {@link ConnectionTool.load}. */
  actions: ConnectAction[] = []
  /** The actions an agent may use; `undefined` means all. */
  actionScope: ConnectAction[] | undefined = undefined

  /**
   * @throws {TypeError} when `functionType` is not `connection` or `mcpconnection`.
   */
  constructor(init: ModelInit, options: ModelOptions = {}) {
    const functionType = init.functionType ?? FunctionType.CONNECTION
    if (functionType !== FunctionType.CONNECTION && functionType !== FunctionType.MCP_CONNECTION) {
      throw new TypeError('Connection only supports connection function')
    }
    super({ ...init, functionType }, options)
  }

  /**
   * Builds a connection and loads its actions before returning it, as aiXplain's constructor
   * does. Works on subclasses too (`MCPConnection.load(…)` returns an `MCPConnection`).
   *
   * @throws {AixplainError} "It was not possible to get the actions for the connection <id>. …"
   * @example
   * ```ts
   * const tool = await ConnectionTool.load({ id, name: 'My GitHub', functionType: 'connection' }, { config })
   * ```
   */
  static async load<T extends ConnectionTool>(this: new (init: ModelInit, options?: ModelOptions) => T, init: ModelInit, options: ModelOptions = {}): Promise<T> {
    const tool = new this(init, options)
    await tool.refreshActions()
    return tool
  }

  /**
   * Lists the actions again (`LIST_ACTIONS`) and replaces {@link ConnectionTool.actions}.
   *
   * @throws {AixplainError} "It was not possible to get the actions for the connection <id>. …"
   * @example
   * ```ts
   * await tool.refreshActions()
   * ```
   */
  async refreshActions(): Promise<ConnectAction[]> {
    this.actions = await this.fetchActions()
    return this.actions
  }

  /** One discovery call: `{"action":"LIST_ACTIONS","data":" "}` (a single space, as v1 sends). */
  protected async fetchActions(): Promise<ConnectAction[]> {
    const response = await this.execute<unknown>({ action: ExecuteAction.LIST_ACTIONS, data: ' ' })
    const lead = `It was not possible to get the actions for the connection ${this.id}.`
    if (response.status !== ResponseStatus.SUCCESS) throw errorForFailedResponse(response, lead)
    const items = response.data
    const valid =
      Array.isArray(items) &&
      items.every((item) => isRecord(item) && typeof item['name'] === 'string' && typeof item['displayName'] === 'string' && typeof item['description'] === 'string')
    if (!valid) {
      throw new InternalError(`${lead} Error: the response data is not a list of {name, displayName, description}.`)
    }
    return (items as Array<Record<string, string>>).map(
      (item) => new ConnectAction({ code: item['name'] ?? '', name: item['displayName'] ?? '', description: item['description'] ?? '' }),
    )
  }

  /**
   * The inputs of one action, keyed by input code (`LIST_INPUTS`), cached on the matching entry
   * of {@link ConnectionTool.actions}: once read, asking again (by code or by action) sends
   * nothing (aiXplain's client re-reads when given a code). The item whose `name` equals the
   * action code is used, else the first item. Resolves to `undefined` when the call does not
   * succeed, as in v1.
   *
   * @throws {InternalError} when a successful answer cannot be read.
   * @example
   * ```ts
   * const inputs = await tool.getActionInputs('GITHUB_GET_REPOSITORY')
   * Object.keys(inputs ?? {}) // ['owner', 'repo']
   * ```
   */
  async getActionInputs(action: string | ConnectAction): Promise<ActionInputs | undefined> {
    const code = typeof action === 'string' ? action : action.code
    const cached = typeof action === 'string' ? this.actions.find((a) => a.code === code) : action
    if (cached?.inputs !== undefined) return cached.inputs
    const response = await this.execute<unknown>({ action: ExecuteAction.LIST_INPUTS, data: { actions: [code] } })
    if (response.status !== ResponseStatus.SUCCESS) return undefined
    let inputs: ActionInputs
    try {
      const items = Array.isArray(response.data) ? response.data.filter(isRecord) : []
      let item = items.find((candidate) => candidate['name'] === code)
      // Older answers have no `name`: the first item is the action asked for.
      if (item === undefined || !('inputs' in item)) item = items[0]
      if (item === undefined) throw new Error(`Action '${code}' not found in response`)
      inputs = toActionInputs(item)
    } catch (cause) {
      const reason = cause instanceof Error ? cause.message : String(cause)
      throw new InternalError(`It was not possible to get the inputs for the action ${code}. Error ${reason}`, { cause })
    }
    this.cacheInputs(action, code, inputs)
    return inputs
  }

  /** Stores inputs on the listed action with that code (and on the object passed, if another). */
  protected cacheInputs(action: string | ConnectAction, code: string, inputs: ActionInputs): void {
    const listed = this.actions.find((a) => a.code === code)
    if (listed !== undefined) listed.inputs = inputs
    if (typeof action !== 'string') action.inputs = inputs
  }

  /**
   * Runs an action: `Model.run({action: <code>, data: inputs})`. Never throws on HTTP errors.
   *
   * @throws {TypeError} when `inputs` is missing.
   * @example
   * ```ts
   * const res = await tool.run('GITHUB_GET_REPOSITORY', { owner: 'octocat', repo: 'hello-world' })
   * if (res.status === ResponseStatus.SUCCESS) console.log(res.data)
   * ```
   */
  override async run<T = unknown>(action: string | ConnectAction, inputs?: ActionRunInput, options: RunOptions = {}): Promise<ModelResponse<T>> {
    if (inputs === undefined || inputs === null) throw new TypeError("run() missing required argument: 'inputs'")
    const code = typeof action === 'string' ? action : action.code
    return this.execute<T>({ action: code, data: inputs }, options)
  }

  /**
   * The actions of {@link ConnectionTool.actionScope} with their inputs, as an agent needs
   * them. With no scope, warns through `onWarning` ("No action_scope is specified, by default
   * all N actions will be included in Agent execution") and returns `[]`.
   *
   * @example
   * ```ts
   * tool.actionScope = tool.actions.filter((a) => a.code.startsWith('GITHUB_GET_'))
   * const parameters = await tool.getParameters()
   * ```
   */
  async getParameters(): Promise<ActionParameters[]> {
    const scope = this.actionScope
    if (scope === undefined || scope.length === 0) {
      this.config.onWarning(`No action_scope is specified, by default all ${this.actions.length} actions will be included in Agent execution`)
      return []
    }
    const parameters: ActionParameters[] = []
    for (const action of scope) {
      const inputs = await this.getActionInputs(action)
      parameters.push({ code: action.code, name: action.name, description: action.description, inputs })
    }
    return parameters
  }

  /**
   * The connection's actions as tool definitions for a model vendor, ready to pass as `tools`:
   * OpenAI function calling (`{type: 'function', function: {name, description, parameters}}`),
   * Anthropic tool use (`{name, description, input_schema}`) or MCP (`{name, description,
   * inputSchema}`). Only the actions of {@link ConnectionTool.actionScope} when it is set (and
   * within the scope stored on the hub). Tool names are the action codes, made to match
   * `^[a-zA-Z0-9_-]{1,64}$`; run a tool call with `tool.run(<name>, <arguments>)`.
   *
   * A Patchbay hub extension (`GET /api/v2/connections/{id}/tools`); aiXplain's backend has no
   * such endpoint.
   *
   * @throws {AixplainError} of the class the HTTP status maps to, when the hub refuses.
   * @example
   * ```ts
   * tool.actionScope = tool.actions.filter((a) => a.code === 'GITHUB_GET_REPOSITORY')
   * const tools = await tool.toToolSchemas('anthropic')
   * const msg = await anthropic.messages.create({ model, max_tokens: 1024, tools, messages })
   * ```
   */
  async toToolSchemas(format: ToolSchemaFormat = 'openai', options: ToolSchemaOptions = {}): Promise<Array<Record<string, unknown>>> {
    const params = new URLSearchParams({ format })
    if (this.actionScope !== undefined && this.actionScope.length > 0) params.set('actions', this.actionScope.map((a) => a.code).join(','))
    if (options.strict) params.set('strict', 'true')
    const url = joinUrl(this.backendUrl, `api/v2/connections/${encodeURIComponent(this.id)}/tools?${params.toString()}`)
    const result = await sendRequest(this.config, 'GET', url, executeHeaders(this.apiKey))
    if (!result.ok) throw errorFromStatus(result.status, result.body ?? result.text)
    const tools = isRecord(result.body) ? result.body['tools'] : undefined
    if (!Array.isArray(tools)) throw new InternalError(`The tool schemas of ${this.id} could not be read: the answer has no tools list`)
    return tools as Array<Record<string, unknown>>
  }

  /** `ConnectionTool(id=<id>, name=<name>)`. */
  override toString(): string {
    return `ConnectionTool(id=${this.id}, name=${this.name})`
  }
}
