/**
 * The hub as an MCP server: `POST /mcp` (Streamable HTTP, stateless, JSON responses),
 * authenticated with the tenant's API key like every other route. Its tools are the tenant's
 * active connections' actions within their action scopes; calling one runs the action through
 * the execute endpoint's code path.
 *
 * @see https://modelcontextprotocol.io/specification/2025-06-18/basic/transports#streamable-http
 */
// The MCP SDK (with zod) costs ~30 MB resident and a good part of start-up: it is loaded on the
// first /mcp request, not at start (docs/performance.md).
import type { Server } from '@modelcontextprotocol/sdk/server/index.js'
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js'
import type { FastifyBaseLogger, FastifyInstance } from 'fastify'
import { PatchbayError } from '@patchbay/core'
import { execute, type ExecuteDeps, type RunCaller } from '../connections/execute.js'
import { readEndUserId } from '../connections/hand-off.js'
import { collectTools } from '../tools/collect-tools.js'
import { readIntegrationList } from '../tools/end-user-tools.js'
import { createEndUserMcpServer, declaresUrlElicitation, endUserSessionId } from './end-user-mcp.js'
import { formatTools } from '../tools/tool-schemas.js'

/** Name and version the hub announces in the MCP `initialize` answer. */
export const MCP_SERVER_INFO = { name: 'patchbay', version: '0.1.0' } as const

const INSTRUCTIONS =
  'Tools of the connections in this Patchbay hub. Each tool runs one action of one connection (its description ends with the connection); ' +
  'arguments follow the tool input schema. A failed call answers isError with the reason, e.g. a missing input or the service refusing the request.'

function text(t: string): CallToolResult['content'] {
  return [{ type: 'text', text: t }]
}

/**
 * Builds the MCP server of one request: tools of `tenantId`, run through {@link execute}.
 * Stateless: nothing outlives the request, so any hub process can serve any call.
 */
export async function createTenantMcpServer(deps: ExecuteDeps, tenantId: string, log: FastifyBaseLogger, caller?: RunCaller): Promise<Server> {
  const [{ Server }, { CallToolRequestSchema, ErrorCode, ListToolsRequestSchema, McpError }] = await Promise.all([
    import('@modelcontextprotocol/sdk/server/index.js'),
    import('@modelcontextprotocol/sdk/types.js'),
  ])
  const server = new Server(MCP_SERVER_INFO, { capabilities: { tools: {} }, instructions: INSTRUCTIONS })
  server.setRequestHandler(ListToolsRequestSchema, async () => {
    const tools = await collectTools(deps, tenantId, { logger: log as never })
    return { tools: formatTools(tools, 'mcp') as never[] }
  })
  server.setRequestHandler(CallToolRequestSchema, async (request): Promise<CallToolResult> => {
    const tools = await collectTools(deps, tenantId, { logger: log as never })
    const tool = tools.find((t) => t.name === request.params.name)
    if (!tool) throw new McpError(ErrorCode.InvalidParams, `Unknown tool ${request.params.name}; call tools/list for the available names`)
    try {
      const res = await execute(deps, tenantId, tool.target, { action: tool.action, data: request.params.arguments ?? {} }, caller)
      if (res.status === 'FAILED') return { isError: true, content: text(res.error_message) }
      const data = res.data
      return { content: text(typeof data === 'string' ? data : JSON.stringify(data ?? null)) }
    } catch (err) {
      if (err instanceof PatchbayError) return { isError: true, content: text(err.message) }
      log.error({ err }, 'MCP tool call failed unexpectedly')
      return { isError: true, content: text('Internal error; the hub log has the details') }
    }
  })
  return server
}

/**
 * Registers `POST /mcp` (and answers 405 to `GET`/`DELETE /mcp`: this server keeps no sessions
 * and opens no server-initiated streams).
 */
export function registerMcpServerRoute(app: FastifyInstance, deps: ExecuteDeps): void {
  app.post('/mcp', async (req, reply) => {
    // ?end_user=<id>: the MCP server of one end user's agent (end-user-mcp.ts); ?integrations= what it may offer before connecting.
    const query = (req.query ?? {}) as Record<string, unknown>
    const endUserId = readEndUserId(query['end_user'], 'end_user')
    let server: Server
    if (endUserId === undefined) server = await createTenantMcpServer(deps, req.tenantId, req.log, { keyId: req.keyId })
    else {
      const offered = await readIntegrationList(deps, req.tenantId, query['integrations'])
      const body = req.body as { method?: unknown } | undefined
      if (body?.method === 'initialize') reply.raw.setHeader('mcp-session-id', endUserSessionId(body))
      const scope = { endUserId, offered, urlElicitation: declaresUrlElicitation(req.headers['mcp-session-id']) }
      const baseUrl = deps.publicUrl?.() ?? `${req.protocol}://${req.host}`
      server = await createEndUserMcpServer(deps, req.tenantId, scope, req.log, { keyId: req.keyId, baseUrl })
    }
    const { StreamableHTTPServerTransport } = await import('@modelcontextprotocol/sdk/server/streamableHttp.js')
    const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: true })
    reply.raw.on('close', () => {
      void transport.close()
      void server.close()
    })
    await server.connect(transport)
    // The transport writes the response itself.
    reply.hijack()
    await transport.handleRequest(req.raw, reply.raw, req.body)
  })
  const notAllowed = async (_req: unknown, reply: { header: (k: string, v: string) => unknown; status: (n: number) => { send: (b: unknown) => unknown } }) => {
    reply.header('allow', 'POST')
    return reply
      .status(405)
      .send({ jsonrpc: '2.0', error: { code: -32000, message: 'Method not allowed: this MCP endpoint is stateless; send JSON-RPC requests with POST' }, id: null })
  }
  app.get('/mcp', notAllowed as never)
  app.delete('/mcp', notAllowed as never)
}
