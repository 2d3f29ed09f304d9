/**
 * The Remote MCP Server integration (aiXplain's `mcpconnection`): connect by URL, list the
 * server's tools as actions (`LIST_TOOLS`, `LIST_ACTIONS`, `LIST_INPUTS`), run them.
 *
 * @see ../../../../shared/spec/aixplain-wire-contract.md §4.1 (Connect MCP, LIST_TOOLS), §10.5, §15.7
 */
import type { CallToolResult, Tool } from '@modelcontextprotocol/sdk/types.js'
import { ConnectionStatus, ExecuteAction, PatchbayError, type ActionDefinition, type ExecuteFailure, type ExecuteSuccess } from '@patchbay/core'
import { normaliseInput } from '../actions/normalise-input.js'
import { redact, redactValue } from '../actions/redact.js'
import type { Integration } from '../catalog/catalog.js'
import type { ConnectionRow } from '../store/store.js'
import { openConnectionSecrets } from '../vault/connection-secrets.js'
import type { Vault } from '../vault/vault.js'
import { actionInputs, failure, findAction, notActive, success, type ExecuteTarget } from './execute-results.js'

/** The two HTTP transports of MCP. */
export type McpTransportKind = 'streamable-http' | 'sse'

/** Where and how to reach a remote MCP server. Headers and token are secrets. */
export interface McpTarget {
  url: string
  headers?: Record<string, string>
  token?: string
  /** The transport that worked last time. */
  transport?: McpTransportKind
}

/**
 * Sessions with remote MCP servers, as connections use them (implemented by
 * `mcp/remote-client.ts`'s `RemoteMcpClients`; declared here so connections/ needs nothing of mcp/).
 */
export interface McpSessions {
  open(target: McpTarget): Promise<{ client: { listTools(): Promise<unknown>; close(): Promise<void> }; transport: McpTransportKind }>
  listTools(key: string, target: McpTarget): Promise<Tool[]>
  callTool(key: string, target: McpTarget, name: string, args: Record<string, unknown>): Promise<CallToolResult>
  forget(connectionId: string): Promise<void>
  /** Closes every session (the hub is stopping). */
  close(): Promise<void>
}

/** What the MCP integration needs. */
export interface McpDeps {
  vault: Vault
  /** Absent in hubs built without agent services: MCP calls then fail with a clear error. */
  mcpClients?: McpSessions | undefined
}

/** Whether an integration's connections are remote MCP servers (the definition says `kind: mcp`). */
export function isMcpIntegration(integration: Integration): boolean {
  return integration.definition.kind === 'mcp'
}

const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,100}$/
const MAX_HEADERS = 32
const MAX_VALUE = 8_192
/** Headers the transports set themselves; a user value would break the protocol. */
const RESERVED_HEADERS = new Set(['content-type', 'accept', 'content-length', 'host', 'mcp-session-id', 'mcp-protocol-version', 'connection', 'transfer-encoding'])

/** Stored (non-secret) config of an MCP connection. */
interface McpConfig {
  url: string
  transport?: McpTransportKind
}

/** Sealed secrets of an MCP connection. */
interface McpSecrets {
  token?: string
  headers?: Record<string, string>
}

function clients(deps: McpDeps): McpSessions {
  if (!deps.mcpClients) throw new PatchbayError('INTERNAL', 'This hub was built without MCP client support')
  return deps.mcpClients
}

/**
 * Parses the connect `data`: a URL string, or `{url, token?, headers?}`.
 *
 * @throws {PatchbayError} VALIDATION saying which field is wrong (values are never echoed).
 */
export function parseMcpData(raw: unknown): { url: string; token?: string; headers?: Record<string, string>; assetId?: string } {
  if (typeof raw === 'string' && raw.trim()) return { url: raw.trim() }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new PatchbayError('VALIDATION', 'data must be the MCP server URL, or {"url": "https://…/mcp", "token"?: "…", "headers"?: {…}}')
  }
  const d = raw as Record<string, unknown>
  const url = d['url']
  if (typeof url !== 'string' || !url.trim()) {
    throw new PatchbayError('MISSING_INPUT', 'Parameter \'url\' is required for MCP Server: give the server\'s endpoint, e.g. {"url": "https://mcp.example.com/mcp"}')
  }
  const out: { url: string; token?: string; headers?: Record<string, string>; assetId?: string } = { url: url.trim() }
  const token = d['token']
  if (token !== undefined && token !== null && token !== '') {
    if (typeof token !== 'string' || token.length > MAX_VALUE || /[\r\n]/.test(token)) {
      throw new PatchbayError('VALIDATION', `token must be a single-line string of at most ${MAX_VALUE} characters`)
    }
    out.token = token
  }
  const headers = d['headers']
  if (headers !== undefined && headers !== null) {
    if (typeof headers !== 'object' || Array.isArray(headers)) {
      throw new PatchbayError('VALIDATION', 'headers must be an object of header name → string value, e.g. {"X-API-Key": "…"}')
    }
    const entries = Object.entries(headers as Record<string, unknown>)
    if (entries.length > MAX_HEADERS) throw new PatchbayError('VALIDATION', `At most ${MAX_HEADERS} headers`)
    const clean: Record<string, string> = {}
    for (const [k, v] of entries) {
      if (!HEADER_NAME.test(k)) throw new PatchbayError('VALIDATION', `"${k.slice(0, 100)}" is not a valid header name`)
      if (RESERVED_HEADERS.has(k.toLowerCase())) throw new PatchbayError('VALIDATION', `Header ${k} is set by the MCP transport; leave it out`)
      if (typeof v !== 'string' || v.length > MAX_VALUE || /[\r\n]/.test(v)) {
        throw new PatchbayError('VALIDATION', `Header ${k} must be a single-line string of at most ${MAX_VALUE} characters`)
      }
      clean[k] = v
    }
    if (Object.keys(clean).length) out.headers = clean
  }
  if (typeof d['assetId'] === 'string') out.assetId = d['assetId']
  return out
}

/** What connecting an MCP server stores, once the server answered. */
export interface McpConnection {
  schema: 'BEARER_TOKEN' | 'NO_AUTH'
  config: McpConfig
  secrets: McpSecrets
  assetId: string | undefined
  /** The default name and description of a new connection. */
  name: (id: string) => string
  description: string
}

/**
 * Prepares the connect of a remote MCP server (§15.7 "MCP"): checks the URL against the network
 * policy, opens a session (Streamable HTTP, else SSE) and lists its tools, so a wrong URL or token
 * fails now rather than at the first run. connect.ts then saves it like any connection, the token
 * and headers sealed.
 *
 * @throws {PatchbayError} VALIDATION (bad or refused URL), UPSTREAM_UNREACHABLE (no MCP server there).
 */
export async function probeMcp(deps: McpDeps, rawData: unknown): Promise<McpConnection> {
  const data = parseMcpData(rawData)
  const target: McpTarget = { url: data.url, ...(data.token ? { token: data.token } : {}), ...(data.headers ? { headers: data.headers } : {}) }
  let session: Awaited<ReturnType<McpSessions['open']>>
  try {
    session = await clients(deps).open(target)
  } catch (err) {
    // A refused token is the caller's input to fix: 400 with what to do, never a retryable 504.
    if (err instanceof PatchbayError && err.details?.['tokenRefused'] === true) throw new PatchbayError('VALIDATION', err.message, { details: { ...err.details } })
    throw err
  }
  try {
    await session.client.listTools()
  } catch (err) {
    // The server's error text may quote the token or headers it was sent.
    const why = redact((err as Error).message, mcpSecrets(target)).slice(0, 300)
    throw new PatchbayError('UPSTREAM_UNREACHABLE', `The MCP server at ${new URL(data.url).origin} accepted a session but failed to list its tools: ${why}`)
  } finally {
    await session.client.close().catch(() => {})
  }
  const url = new URL(data.url)
  return {
    schema: data.token ? 'BEARER_TOKEN' : 'NO_AUTH',
    config: { url: data.url, transport: session.transport },
    secrets: { ...(data.token ? { token: data.token } : {}), ...(data.headers ? { headers: data.headers } : {}) },
    assetId: data.assetId,
    // aiXplain's v1 client sends no name; its default names start with "MCP Server" (§10.5).
    name: (id) => `MCP Server ${url.host} ${id.slice(-6)}`,
    description: `Tools of the MCP server at ${url.origin}`,
  }
}

/** The values redaction looks for in what an MCP server answers: the token (also as a Bearer header) and every header value. */
export function mcpSecrets(target: Pick<McpTarget, 'token' | 'headers'>): string[] {
  const out: string[] = []
  if (target.token) out.push(target.token, `Bearer ${target.token}`)
  for (const v of Object.values(target.headers ?? {})) out.push(v)
  return out
}

function targetOf(deps: McpDeps, row: ConnectionRow): McpTarget {
  const config = JSON.parse(row.config) as McpConfig
  const secrets = openConnectionSecrets<McpSecrets>(deps.vault, row)
  return {
    url: config.url,
    ...(config.transport ? { transport: config.transport } : {}),
    ...(secrets.token ? { token: secrets.token } : {}),
    ...(secrets.headers ? { headers: secrets.headers } : {}),
  }
}

const poolKey = (row: ConnectionRow) => `${row.id}:${row.version}`

/** A remote tool as an action definition (code = tool name, input = its input JSON Schema). */
export function toolToAction(tool: Tool): ActionDefinition {
  const input = (tool.inputSchema ?? { type: 'object' }) as Record<string, unknown>
  return {
    code: tool.name,
    name: tool.title ?? tool.annotations?.title ?? tool.name,
    description: tool.description ?? '',
    input,
    // Never used to build a request: MCP tools are called through the MCP session.
    request: { method: 'POST', path: '' },
  }
}

/** The tools of an MCP connection's server, as actions. */
export async function mcpActions(deps: McpDeps, connection: ConnectionRow): Promise<ActionDefinition[]> {
  const tools = await clients(deps).listTools(poolKey(connection), targetOf(deps, connection))
  return tools.map(toolToAction)
}

/** The integration of an MCP connection with its actions filled in from the live tool list. */
export async function withMcpActions(deps: McpDeps, integration: Integration, connection: ConnectionRow): Promise<Integration> {
  const actions = await mcpActions(deps, connection)
  return { ...integration, definition: { ...integration.definition, actions } }
}

/**
 * Calls a tool on an MCP connection and maps the result: `structuredContent` when the tool gives
 * one, else the text of a single text block, else the content blocks. A tool error throws
 * UPSTREAM_ERROR carrying the tool's own message (answered as a FAILED body).
 */
export async function runMcpTool(deps: McpDeps, connection: ConnectionRow, tool: string, raw: unknown): Promise<unknown> {
  const args = normaliseInput(raw, tool, 'tool arguments')
  const target = targetOf(deps, connection)
  // Redacted here too (the sessions already do): whatever a server echoes reaches an agent.
  const result = redactValue(await clients(deps).callTool(poolKey(connection), target, tool, args), mcpSecrets(target)) as CallToolResult
  const text = result.content.filter((c): c is { type: 'text'; text: string } => c.type === 'text').map((c) => c.text)
  if (result.isError) {
    const message = text.join('\n').slice(0, 2_000) || 'the tool reported an error without a message'
    throw new PatchbayError('UPSTREAM_ERROR', `MCP tool ${tool} failed: ${message}`, { supplierError: message })
  }
  if (result.structuredContent !== undefined) return result.structuredContent
  if (result.content.length === 1 && text.length === 1) return text[0]
  return result.content
}

/**
 * The execute endpoint for the MCP integration and its connections: connect; `LIST_TOOLS`
 * (§4.1: `" "` lists every tool, `{actions: [name]}` gives that tool with its inputs);
 * `LIST_ACTIONS` and `LIST_INPUTS` as for any connection; any other action runs the tool.
 */
export async function executeMcp(
  deps: McpDeps,
  target: ExecuteTarget,
  body: Record<string, unknown>,
  connect: () => Promise<{ id: string }>,
): Promise<ExecuteSuccess | ExecuteFailure> {
  const started = performance.now()
  const action = body['action']
  if (target.kind === 'integration') {
    if (action === ExecuteAction.LIST_ACTIONS || action === ExecuteAction.LIST_INPUTS || action === 'list_trigger_types') return success([], started)
    if (action !== undefined && action !== null) {
      throw new PatchbayError('VALIDATION', `MCP Server is an integration: connect it first (POST {"data": "<server URL>"}), then run '${String(action)}' on the connection id`)
    }
    return success(await connect(), started)
  }
  const { connection } = target
  if (typeof action !== 'string' || action === '') {
    throw new PatchbayError('VALIDATION', 'action is required: send {"action": "<tool name>", "data": {…}}; list the tools with {"action": "LIST_TOOLS", "data": " "}')
  }
  if (action === 'list_trigger_types') return success([], started)
  if (connection.status !== ConnectionStatus.ACTIVE) return failure(notActive(connection))
  try {
    return await runOnMcpConnection(deps, target.integration, connection, action, body['data'], started)
  } catch (err) {
    if (!(err instanceof PatchbayError) || (err.code !== 'UPSTREAM_ERROR' && err.code !== 'UPSTREAM_UNREACHABLE')) throw err
    // LIST_INPUTS: aiXplain's v2 SDK reads its `data` and, finding none in a FAILED body, raised
    // "Action 'x' not found or has no input parameters defined" instead of the reason; an HTTP
    // error it raises with the message (a refused token: 400, the caller must reconnect).
    if (action === ExecuteAction.LIST_INPUTS) {
      throw err.details?.['tokenRefused'] === true ? new PatchbayError('VALIDATION', err.message, { details: { ...err.details } }) : err
    }
    // Any other action: a FAILED body with the reason, which aiXplain's SDKs show as it is (a 504
    // became "Gateway timeout: Please try again later"; v1 reads LIST_ACTIONS and LIST_TOOLS so).
    return failure(err)
  }
}

async function runOnMcpConnection(deps: McpDeps, parent: Integration, connection: ConnectionRow, action: string, data: unknown, started: number): Promise<ExecuteSuccess> {
  const integration = await withMcpActions(deps, parent, connection)
  const requested = typeof data === 'object' && data !== null && !Array.isArray(data) ? (data as { actions?: unknown }).actions : undefined
  switch (action) {
    case ExecuteAction.LIST_TOOLS: {
      const names = Array.isArray(requested) ? requested.filter((n): n is string => typeof n === 'string') : []
      const picked = names.length ? names.map((n) => findAction(integration, n)) : integration.definition.actions
      const inputs = actionInputs({ ...integration, definition: { ...integration.definition, actions: picked } }, undefined) as Array<{ inputs: unknown }>
      return success(
        picked.map((a, i) => ({ name: a.code, description: a.description, inputs: inputs[i]?.inputs ?? [], inputSchema: a.input })),
        started,
      )
    }
    case ExecuteAction.LIST_ACTIONS:
      return success(
        integration.definition.actions.map((a) => ({ name: a.code, displayName: a.name, description: a.description, slug: a.code })),
        started,
      )
    case ExecuteAction.LIST_INPUTS:
      return success(actionInputs(integration, requested), started)
    default: {
      const tool = findAction(integration, action)
      return success(await runMcpTool(deps, connection, tool.code, data), started)
    }
  }
}
