import { beforeEach, describe, expect, it } from 'vitest'
import { ResponseStatus } from '@patchbay/core'
import { BASE, FakeHub, GITHUB_ID, MCP_ID } from '../test/fake-hub.js'
import { ConnectAction, ConnectionTool } from './connection-tool.js'
import { AuthenticationError, InternalError, ResourceError } from './errors.js'
import { createModelFactory } from './factories.js'
import { resolveConfig } from './config.js'
import { MCPConnection } from './mcp-connection.js'

describe('ConnectionTool (§10.4)', () => {
  let hub: FakeHub
  let warnings: string[]
  let id: string
  let tool: ConnectionTool

  beforeEach(async () => {
    hub = new FakeHub()
    warnings = []
    id = hub.addConnection(GITHUB_ID, 'My GitHub')
    const models = createModelFactory(resolveConfig(hub.config({ onWarning: (m) => warnings.push(m) })))
    tool = await models.get(id, { expect: ConnectionTool })
  })

  it("lists its actions while being fetched, with v1's LIST_ACTIONS body", () => {
    const calls = hub.sent('POST', '/api/v2/execute/')
    expect(calls).toHaveLength(1)
    expect(calls[0]?.url).toBe(`${BASE}/api/v2/execute/${id}`)
    expect(calls[0]?.body).toEqual({ action: 'LIST_ACTIONS', data: ' ' })
    expect(tool.actions.map(String)).toEqual(['Action(code=GITHUB_GET_REPOSITORY, name=Get a repository)', 'Action(code=GITHUB_CREATE_ISSUE, name=Create an issue)'])
    expect(tool.actions[0]).toMatchObject({ description: 'Reads one repository', inputs: undefined })
    expect(tool.actionScope).toBeUndefined()
    expect(String(tool)).toBe(`ConnectionTool(id=${id}, name=My GitHub)`)
  })

  it('refuses a functionType other than connection or mcpconnection', () => {
    expect(() => new ConnectionTool({ id: 'c', functionType: 'connector' }, { config: hub.config() })).toThrow('Connection only supports connection function')
  })

  it('fails to load with the error class of the status when LIST_ACTIONS fails', async () => {
    hub.intercept((r) => (r.method === 'POST' ? { status: 401, body: { statusCode: 401, error: 'Unknown API key' } } : undefined))
    const error = await ConnectionTool.load({ id, functionType: 'connection' }, { config: hub.config() }).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(AuthenticationError)
    expect((error as Error).message).toBe(
      `It was not possible to get the actions for the connection ${id}. Error AX-AUTH-1000: ` +
        'Unauthorized API key: Please verify the spelling of the API key and its current validity. Details: Unknown API key',
    )
  })

  it('fails to load with an InternalError when the actions are not {name, displayName, description}', async () => {
    hub.intercept((r) => (r.method === 'POST' ? { body: { status: 'SUCCESS', completed: true, data: [{ name: 'X' }] } } : undefined))
    await expect(ConnectionTool.load({ id, functionType: 'connection' }, { config: hub.config() })).rejects.toThrow(InternalError)
  })

  it('reads the inputs of one action (LIST_INPUTS), keyed by code, cached on the action', async () => {
    const inputs = await tool.getActionInputs('GITHUB_GET_REPOSITORY')
    expect(hub.requests.at(-1)?.body).toEqual({ action: 'LIST_INPUTS', data: { actions: ['GITHUB_GET_REPOSITORY'] } })
    expect(Object.keys(inputs ?? {})).toEqual(['owner', 'repo'])
    expect(inputs?.['owner']).toMatchObject({ name: 'Owner', required: true })
    expect(tool.actions[0]?.inputs).toBe(inputs)
    const count = hub.requests.length
    expect(await tool.getActionInputs(tool.actions[0]!)).toBe(inputs)
    // Unlike v1, the code of a listed action finds the cache too.
    expect(await tool.getActionInputs('GITHUB_GET_REPOSITORY')).toBe(inputs)
    expect(hub.requests.length).toBe(count)
  })

  it('falls back to the first item for answers without a matching name (legacy shape)', async () => {
    hub.intercept((r) => (r.method === 'POST' ? { body: { status: 'SUCCESS', completed: true, data: [{ inputs: [{ code: 'c1', name: 'n1', description: 'd' }] }] } } : undefined))
    expect(await tool.getActionInputs('GITHUB_CREATE_ISSUE')).toEqual({ c1: { code: 'c1', name: 'n1', description: 'd' } })
  })

  it('resolves undefined when LIST_INPUTS does not succeed, and throws when a success cannot be read', async () => {
    let mode: 'fail' | 'bad' = 'fail'
    hub.intercept((r) => {
      if (r.method !== 'POST') return undefined
      if (mode === 'fail') return { status: 500, body: {} }
      return { body: { status: 'SUCCESS', completed: true, data: [{ name: 'GITHUB_GET_REPOSITORY', inputs: [{ name: 'no code' }] }] } }
    })
    expect(await tool.getActionInputs('GITHUB_GET_REPOSITORY')).toBeUndefined()
    expect(tool.actions[0]?.inputs).toBeUndefined()
    mode = 'bad'
    await expect(tool.getActionInputs('GITHUB_GET_REPOSITORY')).rejects.toThrow(
      "It was not possible to get the inputs for the action GITHUB_GET_REPOSITORY. Error an input has no 'code'",
    )
  })

  it('runs an action by code or ConnectAction with {action, data}', async () => {
    const res = await tool.run('GITHUB_GET_REPOSITORY', { owner: 'octocat', repo: 'hello-world' })
    expect(hub.requests.at(-1)?.body).toEqual({ action: 'GITHUB_GET_REPOSITORY', data: { owner: 'octocat', repo: 'hello-world' } })
    expect(res.status).toBe(ResponseStatus.SUCCESS)
    expect(res.data).toEqual({ action: 'GITHUB_GET_REPOSITORY', echo: { owner: 'octocat', repo: 'hello-world' } })
    await tool.run(tool.actions[1]!, 'a string payload')
    expect(hub.requests.at(-1)?.body).toEqual({ action: 'GITHUB_CREATE_ISSUE', data: 'a string payload' })
    await expect(tool.run('GITHUB_GET_REPOSITORY')).rejects.toThrow("run() missing required argument: 'inputs'")
  })

  it('turns an HTTP error of a run into a FAILED response', async () => {
    const res = await tool.run('NOPE', {})
    expect(res.status).toBe(ResponseStatus.FAILED)
    expect(res.errorMessage).toBe('Bad request: Please verify the request payload and ensure it is correct. Details: err.unknown_action')
  })

  it('getParameters: [] with the v1 warning when no scope is set, else the scoped actions with inputs', async () => {
    expect(await tool.getParameters()).toEqual([])
    expect(warnings).toEqual(['No action_scope is specified, by default all 2 actions will be included in Agent execution'])
    tool.actionScope = []
    expect(await tool.getParameters()).toEqual([])
    expect(warnings).toHaveLength(2)
    tool.actionScope = [tool.actions[1]!]
    const parameters = await tool.getParameters()
    expect(parameters).toEqual([
      {
        code: 'GITHUB_CREATE_ISSUE',
        name: 'Create an issue',
        description: 'Opens an issue',
        inputs: { title: { name: 'Title', code: 'title', datatype: 'string', required: true, description: 'Title' } },
      },
    ])
  })

  it('refreshActions replaces the list', async () => {
    tool.actions = []
    expect(await tool.refreshActions()).toHaveLength(2)
    expect(tool.actions).toHaveLength(2)
  })

  it('ConnectAction prints as Action(code, name)', () => {
    expect(String(new ConnectAction({ code: 'A', name: 'B', description: '' }))).toBe('Action(code=A, name=B)')
  })
})

describe('MCPConnection (§10.5)', () => {
  let hub: FakeHub
  let server: MCPConnection

  beforeEach(async () => {
    hub = new FakeHub()
    const id = hub.addConnection(MCP_ID, 'MCP Server 1', 'mcpconnection')
    server = await createModelFactory(resolveConfig(hub.config())).get(id, { expect: MCPConnection })
  })

  it('lists tools with LIST_TOOLS " " and uses the tool name as code and name', () => {
    expect(hub.sent('POST', '/api/v2/execute/').map((r) => r.body)).toEqual([{ action: 'LIST_TOOLS', data: ' ' }])
    expect(server.actions.map(String)).toEqual(['Action(code=ask_question, name=ask_question)'])
    expect(server).toBeInstanceOf(ConnectionTool)
  })

  it("reads one tool's inputs with LIST_TOOLS {actions}, and throws when that fails", async () => {
    const inputs = await server.getActionInputs('ask_question')
    expect(hub.requests.at(-1)?.body).toEqual({ action: 'LIST_TOOLS', data: { actions: ['ask_question'] } })
    expect(Object.keys(inputs ?? {})).toEqual(['repoName'])
    expect(server.actions[0]?.inputs).toBe(inputs)
    hub.intercept((r) => (r.method === 'POST' ? { status: 404, body: { error: 'gone' } } : undefined))
    await expect(server.getActionInputs('other_tool')).rejects.toThrow(ResourceError)
  })

  it('refuses a functionType other than mcpconnection', () => {
    expect(() => new MCPConnection({ id: 'm', functionType: 'connection' }, { config: hub.config() })).toThrow('Connection only supports mcp connection function')
  })
})
