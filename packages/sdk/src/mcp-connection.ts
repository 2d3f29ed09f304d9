/**
 * `MCPConnection`: a connection to a remote MCP server, whose actions are the server's tools.
 *
 * @see ../../../shared/spec/aixplain-wire-contract.md §10.5
 */
import { ExecuteAction, FunctionType, ResponseStatus } from '@patchbay/core'
import type { ActionInputSpec } from '@patchbay/core'
import { ConnectAction, ConnectionTool, errorForFailedResponse } from './connection-tool.js'
import type { ActionInputs } from './connection-tool.js'
import { InternalError } from './errors.js'
import { isRecord } from './http.js'
import type { ModelInit, ModelOptions } from './model.js'

/**
 * A connection of `functionType` `mcpconnection`. Same surface as {@link ConnectionTool}, but it
 * lists actions with `LIST_TOOLS` (each MCP tool is an action whose code is the tool name).
 *
 * @example
 * ```ts
 * const res = await mcp.connect(undefined, { data: { url: 'https://mcp.deepwiki.com/mcp' } })
 * const server = await ModelFactory.get(res.data.id, { expect: MCPConnection })
 * server.actions.map((a) => a.code) // ['ask_question', …]
 * await server.run('ask_question', { repoName: 'octocat/hello-world', question: 'What is it?' })
 * ```
 */
export class MCPConnection extends ConnectionTool {
  /**
   * @throws {TypeError} when `functionType` is not `mcpconnection`.
   */
  constructor(init: ModelInit, options: ModelOptions = {}) {
    const functionType = init.functionType ?? FunctionType.MCP_CONNECTION
    if (functionType !== FunctionType.MCP_CONNECTION) throw new TypeError('Connection only supports mcp connection function')
    super({ ...init, functionType }, options)
  }

  /** `{"action":"LIST_TOOLS","data":" "}`; each `{name, description}` becomes an action. */
  protected override async fetchActions(): Promise<ConnectAction[]> {
    const response = await this.execute<unknown>({ action: ExecuteAction.LIST_TOOLS, data: ' ' })
    const lead = `It was not possible to get the actions for the connection ${this.id}.`
    if (response.status !== ResponseStatus.SUCCESS) throw errorForFailedResponse(response, lead)
    const items = response.data
    if (!Array.isArray(items) || !items.every((item) => isRecord(item) && typeof item['name'] === 'string')) {
      throw new InternalError(`${lead} Error: the response data is not a list of {name, description}.`)
    }
    return (items as Array<Record<string, unknown>>).map((item) => {
      const name = String(item['name'])
      const description = typeof item['description'] === 'string' ? item['description'] : ''
      return new ConnectAction({ code: name, name, description })
    })
  }

  /**
   * The inputs of one MCP tool (`{"action":"LIST_TOOLS","data":{"actions":[code]}}`), read from
   * the first item's `inputs` and keyed by code. Accepts a tool name or a {@link ConnectAction}.
   * Unlike {@link ConnectionTool.getActionInputs}, a failed call throws.
   *
   * @throws {AixplainError} "It was not possible to get the inputs for the action <code>. …"
   * @example
   * ```ts
   * const inputs = await server.getActionInputs('ask_question')
   * ```
   */
  override async getActionInputs(action: string | ConnectAction): Promise<ActionInputs | undefined> {
    const code = typeof action === 'string' ? action : action.code
    const cached = typeof action === 'string' ? this.actions.find((a) => a.code === code) : action
    if (cached?.inputs !== undefined) return cached.inputs
    const response = await this.execute<unknown>({ action: ExecuteAction.LIST_TOOLS, data: { actions: [code] } })
    const lead = `It was not possible to get the inputs for the action ${code}.`
    if (response.status !== ResponseStatus.SUCCESS) throw errorForFailedResponse(response, lead)
    const first: unknown = Array.isArray(response.data) ? response.data[0] : undefined
    const list = isRecord(first) ? first['inputs'] : undefined
    if (!Array.isArray(list) || !list.every((input) => isRecord(input) && typeof input['code'] === 'string')) {
      throw new InternalError(`${lead} Error: the response has no list of inputs with a 'code'.`)
    }
    const inputs: ActionInputs = {}
    for (const input of list as Array<Record<string, unknown>>) inputs[String(input['code'])] = input as unknown as ActionInputSpec
    this.cacheInputs(action, code, inputs)
    return inputs
  }
}
