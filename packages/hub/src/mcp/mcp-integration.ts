/**
 * The Remote MCP Server integration (aiXplain's `mcpconnection`): connect by URL, list the
 * server's tools as actions (`LIST_TOOLS`, `LIST_ACTIONS`, `LIST_INPUTS`), run them.
 *
 * @see ../../../../shared/spec/aixplain-wire-contract.md §4.1 (Connect MCP, LIST_TOOLS), §10.5, §15.7
 */
import type { CallToolResult, Tool } from '@modelcontextprotocol/sdk/types.js'
import {
  ConnectionStatus,
  ExecuteAction,
  PatchbayError,
  type ActionDefinition,
  type ConnectResult,
  type ExecuteFailure,
  type ExecuteSuccess,
} from '@patchbay/core'
import { normaliseInput } from '../actions/run-action.js'
import type { Integration } from '../catalog/catalog.js'
import { newConnectionRow } from '../connections/connection-row.js'
import { connectionDescription } from '../http/records.js'
import { newId } from '../ids.js'
import type { ConnectionRow, Store } from '../store/store.js'
import type { Vault } from '../vault/vault.js'
import { MCP_INTEGRATION_MODEL_ID } from './mcp-ids.js'
import type { McpTransportKind, RemoteMcpClients, RemoteMcpTarget } from './remote-client.js'

export { MCP_INTEGRATION_MODEL_ID } from './mcp-ids.js'

/** What the MCP integration needs. */
export interface McpDeps {
  store: Store
  vault: Vault
  /** Absent in hubs built without agent services: MCP calls then fail with a clear error. */
  mcpClients?: RemoteMcpClients | undefined
}

/** Whether an integration is the Remote MCP Server integration. */
export function isMcpIntegration(integration: Integration): boolean {
  return integration.modelId === MCP_INTEGRATION_MODEL_ID
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

function clients(deps: McpDeps): RemoteMcpClients {
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
    throw new PatchbayError('MISSING_INPUT', "Parameter 'url' is required for MCP Server: give the server's endpoint, e.g. {\"url\": \"https://mcp.example.com/mcp\"}")
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

/**
 * Connects a remote MCP server (§15.7 "MCP"): checks the URL against the network policy, opens a
 * session (Streamable HTTP, else SSE) and lists its tools, so a wrong URL or token fails now
 * rather than at the first run; then stores the connection with the token and headers sealed.
 * With `data.assetId`, updates that MCP connection in place.
 *
 * @throws {PatchbayError} VALIDATION (bad or refused URL), UPSTREAM_UNREACHABLE (no MCP server there).
 */
export async function connectMcp(deps: McpDeps, tenantId: string, integration: Integration, body: Record<string, unknown>): Promise<ConnectResult> {
  const data = parseMcpData(body['data'])
  const target: RemoteMcpTarget = { url: data.url, ...(data.token ? { token: data.token } : {}), ...(data.headers ? { headers: data.headers } : {}) }
  const session = await clients(deps).open(target)
  try {
    await session.client.listTools()
  } catch (err) {
    throw new PatchbayError('UPSTREAM_UNREACHABLE', `The MCP server at ${new URL(data.url).origin} accepted a session but failed to list its tools: ${(err as Error).message.slice(0, 300)}`, { cause: err })
  } finally {
    await session.client.close().catch(() => {})
  }
  const config: McpConfig = { url: data.url, transport: session.transport }
  const secrets: McpSecrets = { ...(data.token ? { token: data.token } : {}), ...(data.headers ? { headers: data.headers } : {}) }
  const hasSecrets = Object.keys(secrets).length > 0
  const schema = data.token ? 'BEARER_TOKEN' : 'NO_AUTH'

  if (data.assetId !== undefined) {
    const existing = await deps.store.getConnection(tenantId, data.assetId)
    if (!existing || existing.integration_id !== integration.modelId) {
      throw new PatchbayError('NOT_FOUND', `No MCP connection with id ${data.assetId} to update (data.assetId)`)
    }
    const name = typeof body['name'] === 'string' && body['name'].trim() ? body['name'].trim().slice(0, 200) : existing.name
    await deps.store.updateConnection(tenantId, existing.id, {
      name,
      auth_scheme: schema,
      status: ConnectionStatus.ACTIVE,
      status_reason: null,
      config: JSON.stringify(config),
      secrets: hasSecrets ? deps.vault.seal(secrets, { tenantId, connectionId: existing.id }) : null,
    })
    await deps.mcpClients?.forget(existing.id)
    return { id: existing.id }
  }

  const id = newId()
  const given = body['name']
  if (given !== undefined && given !== null && typeof given !== 'string') throw new PatchbayError('VALIDATION', `name must be a string; got ${typeof given}`)
  if (typeof given === 'string' && given.trim().length > 200) throw new PatchbayError('VALIDATION', 'name must be at most 200 characters')
  // aiXplain's v1 client sends no name; its default names start with "MCP Server" (§10.5).
  const name = typeof given === 'string' && given.trim() ? given.trim() : `MCP Server ${new URL(data.url).host} ${id.slice(-6)}`
  const own = typeof body['description'] === 'string' && body['description'].trim() ? body['description'] : `Tools of the MCP server at ${new URL(data.url).origin}`
  const row = newConnectionRow(deps.vault, {
    id,
    tenantId,
    integrationId: integration.modelId,
    name,
    description: connectionDescription(own, schema),
    schema,
    config: { ...config },
    ...(hasSecrets ? { secrets: { ...secrets } } : {}),
  })
  await deps.store.insertConnection(row)
  return { id }
}

function targetOf(deps: McpDeps, row: ConnectionRow): RemoteMcpTarget {
  const config = JSON.parse(row.config) as McpConfig
  const secrets = row.secrets ? deps.vault.open<McpSecrets>(row.secrets, { tenantId: row.tenant_id, connectionId: row.id }) : {}
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
  const result: CallToolResult = await clients(deps).callTool(poolKey(connection), targetOf(deps, connection), tool, args)
  const text = result.content.filter((c): c is { type: 'text'; text: string } => c.type === 'text').map((c) => c.text)
  if (result.isError) {
    const message = text.join('\n').slice(0, 2_000) || 'the tool reported an error without a message'
    throw new PatchbayError('UPSTREAM_ERROR', `MCP tool ${tool} failed: ${message}`, { supplierError: message })
  }
  if (result.structuredContent !== undefined) return result.structuredContent
  if (result.content.length === 1 && text.length === 1) return text[0]
  return result.content
}

/** Helpers from the execute endpoint, passed in to keep this module free of an import cycle. */
export interface McpExecuteHelpers {
  success: <T>(data: T, startedAt: number) => ExecuteSuccess<T>
  failure: (err: PatchbayError) => ExecuteFailure
  actionInputs: (integration: Integration, requested: unknown) => unknown[]
  findAction: (integration: Integration, code: string) => ActionDefinition
  notActive: (c: ConnectionRow) => PatchbayError
}

type Target = { kind: 'integration'; integration: Integration } | { kind: 'connection'; integration: Integration; connection: ConnectionRow }

/**
 * The execute endpoint for the MCP integration and its connections: connect; `LIST_TOOLS`
 * (§4.1: `" "` lists every tool, `{actions: [name]}` gives that tool with its inputs);
 * `LIST_ACTIONS` and `LIST_INPUTS` as for any connection; any other action runs the tool.
 */
export async function executeMcp(
  deps: McpDeps,
  h: McpExecuteHelpers,
  tenantId: string,
  target: Target,
  body: Record<string, unknown>,
): Promise<ExecuteSuccess | ExecuteFailure> {
  const started = performance.now()
  const action = body['action']
  if (target.kind === 'integration') {
    if (action === ExecuteAction.LIST_ACTIONS || action === ExecuteAction.LIST_INPUTS || action === 'list_trigger_types') return h.success([], started)
    if (action !== undefined && action !== null) {
      throw new PatchbayError('VALIDATION', `MCP Server is an integration: connect it first (POST {"data": "<server URL>"}), then run '${String(action)}' on the connection id`)
    }
    return h.success(await connectMcp(deps, tenantId, target.integration, body), started)
  }
  const { connection } = target
  if (typeof action !== 'string' || action === '') {
    throw new PatchbayError('VALIDATION', 'action is required: send {"action": "<tool name>", "data": {…}}; list the tools with {"action": "LIST_TOOLS", "data": " "}')
  }
  if (action === 'list_trigger_types') return h.success([], started)
  if (connection.status !== ConnectionStatus.ACTIVE) throw h.notActive(connection)
  const integration = await withMcpActions(deps, target.integration, connection)
  const data = body['data']
  const requested = typeof data === 'object' && data !== null && !Array.isArray(data) ? (data as { actions?: unknown }).actions : undefined
  switch (action) {
    case ExecuteAction.LIST_TOOLS: {
      const names = Array.isArray(requested) ? requested.filter((n): n is string => typeof n === 'string') : []
      const picked = names.length ? names.map((n) => h.findAction(integration, n)) : integration.definition.actions
      const inputs = h.actionInputs({ ...integration, definition: { ...integration.definition, actions: picked } }, undefined) as Array<{ inputs: unknown }>
      return h.success(
        picked.map((a, i) => ({ name: a.code, description: a.description, inputs: inputs[i]?.inputs ?? [], inputSchema: a.input })),
        started,
      )
    }
    case ExecuteAction.LIST_ACTIONS:
      return h.success(
        integration.definition.actions.map((a) => ({ name: a.code, displayName: a.name, description: a.description, slug: a.code })),
        started,
      )
    case ExecuteAction.LIST_INPUTS:
      return h.success(h.actionInputs(integration, requested), started)
    default: {
      const tool = h.findAction(integration, action)
      try {
        return h.success(await runMcpTool(deps, connection, tool.code, data), started)
      } catch (err) {
        if (err instanceof PatchbayError && (err.code === 'UPSTREAM_ERROR' || err.code === 'UPSTREAM_UNREACHABLE')) return h.failure(err)
        throw err
      }
    }
  }
}
