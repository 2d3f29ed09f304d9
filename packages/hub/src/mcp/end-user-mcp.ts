/**
 * `/mcp?end_user=<id>`: the hub as the MCP server of one end user's agent. Its tools run on that
 * user's own connections only; a tool of an integration the user has not connected (or whose
 * connection expired) answers with a Connect link: as a URL-mode elicitation (error -32042,
 * SEP-1036) when the client declared `elicitation.url` at initialize, else as a tool result that
 * says what to do. Once the user has connected, the same call runs.
 *
 * The route is stateless, so the client's capabilities are carried in the session id the hub
 * answers at initialize (`pbmcp-u-…` when URL elicitation is declared); clients send it back on
 * every request. It changes only the form of the hand-off, so a client gains nothing by forging it.
 *
 * @see https://modelcontextprotocol.io/specification/2025-11-25/client/elicitation#url-mode-elicitation-requests
 */
import { randomUUID } from 'node:crypto'
import type { Server } from '@modelcontextprotocol/sdk/server/index.js'
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js'
import type { FastifyBaseLogger } from 'fastify'
import { PatchbayError } from '@patchbay/core'
import type { Integration } from '../catalog/catalog.js'
import { execute, type ExecuteDeps, type RunCaller } from '../connections/execute.js'
import { collectEndUserTools } from '../tools/end-user-tools.js'
import { formatTools } from '../tools/tool-schemas.js'

/** What an end user's MCP server is built for. */
export interface EndUserMcpScope {
  endUserId: string
  /** Integrations offered even before the user connects them (`?integrations=`). */
  offered: readonly Integration[]
  /** Whether the client declared URL-mode elicitation. */
  urlElicitation: boolean
}

const SESSION_PREFIX = { url: 'pbmcp-u-', plain: 'pbmcp-n-' } as const

/** The session id answered at initialize: it records whether the client declared URL elicitation. */
export function endUserSessionId(initializeBody: unknown): string {
  const caps = (initializeBody as { params?: { capabilities?: { elicitation?: { url?: unknown } } } })?.params?.capabilities
  const url = typeof caps?.elicitation?.url === 'object' && caps.elicitation.url !== null
  return `${url ? SESSION_PREFIX.url : SESSION_PREFIX.plain}${randomUUID()}`
}

/** Whether the session id a client sent says it declared URL elicitation. */
export function declaresUrlElicitation(sessionId: unknown): boolean {
  return typeof sessionId === 'string' && sessionId.startsWith(SESSION_PREFIX.url)
}

const INSTRUCTIONS =
  "Tools of one end user's connected accounts in this Patchbay hub, named <integration>__<ACTION>. " +
  'When the user has not connected an integration yet, a call answers a link: give it to the user, wait until they say they have connected, then call the same tool again.'

function text(t: string): CallToolResult['content'] {
  return [{ type: 'text', text: t }]
}

/** Builds the MCP server of one request for one end user. */
export async function createEndUserMcpServer(deps: ExecuteDeps, tenantId: string, scope: EndUserMcpScope, log: FastifyBaseLogger, caller: RunCaller): Promise<Server> {
  const [{ Server }, { CallToolRequestSchema, ErrorCode, ListToolsRequestSchema, McpError, UrlElicitationRequiredError }] = await Promise.all([
    import('@modelcontextprotocol/sdk/server/index.js'),
    import('@modelcontextprotocol/sdk/types.js'),
  ])
  const server = new Server({ name: 'patchbay', version: '0.1.0' }, { capabilities: { tools: {} }, instructions: INSTRUCTIONS })
  server.setRequestHandler(ListToolsRequestSchema, async () => {
    const tools = await collectEndUserTools(deps, tenantId, scope.endUserId, scope.offered)
    return { tools: formatTools(tools, 'mcp') as never[] }
  })
  server.setRequestHandler(CallToolRequestSchema, async (request): Promise<CallToolResult> => {
    const tools = await collectEndUserTools(deps, tenantId, scope.endUserId, scope.offered)
    const tool = tools.find((t) => t.name === request.params.name)
    if (!tool) throw new McpError(ErrorCode.InvalidParams, `Unknown tool ${request.params.name}; call tools/list for the available names`)
    let res: Awaited<ReturnType<typeof execute>>
    try {
      const body = { action: tool.action, data: request.params.arguments ?? {}, endUserId: scope.endUserId }
      res = await execute(deps, tenantId, { kind: 'integration', integration: tool.integration }, body, caller)
    } catch (err) {
      if (err instanceof PatchbayError) return { isError: true, content: text(err.message) }
      log.error({ err }, 'MCP tool call failed unexpectedly')
      return { isError: true, content: text('Internal error; the hub log has the details') }
    }
    if (res.status === 'FAILED' && res.code === 'AUTH_REQUIRED' && 'connectUrl' in res && typeof res.connectUrl === 'string') {
      if (scope.urlElicitation) {
        throw new UrlElicitationRequiredError([{ mode: 'url', message: res.error_message, url: res.connectUrl, elicitationId: randomUUID() }], res.error_message)
      }
      return {
        isError: true,
        content: text(`${res.error_message}\nConnect link for the user: ${res.connectUrl}`),
        _meta: { 'patchbay/connectUrl': res.connectUrl, 'patchbay/code': 'AUTH_REQUIRED' },
      }
    }
    if (res.status === 'FAILED') return { isError: true, content: text(res.error_message) }
    const data = res.data
    return { content: text(typeof data === 'string' ? data : JSON.stringify(data ?? null)) }
  })
  return server
}
