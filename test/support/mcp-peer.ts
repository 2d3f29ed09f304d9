import { createServer, type IncomingHttpHeaders, type IncomingMessage, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js'
import { SSEServerTransport } from '@modelcontextprotocol/sdk/server/sse.js'
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js'
import { z } from 'zod'

/** A real MCP server (the official SDK's McpServer) on 127.0.0.1, standing in for a remote one. */
export interface McpPeer {
  /** Streamable HTTP endpoint (`…/mcp`). */
  mcpUrl: string
  /** Legacy SSE endpoint (`…/sse`). */
  sseUrl: string
  /** With `echoCredentials`: an endpoint that answers 500 quoting the request's credentials. */
  brokenUrl: string
  /** Changes the token the peer requires from now on (a rotated token at the server). */
  setToken(token: string): void
  /** Headers of every HTTP request the peer received. */
  headers: IncomingHttpHeaders[]
  /** Tool calls it served: name and arguments. */
  calls: Array<{ name: string; args: unknown }>
  close(): Promise<void>
}

/** Options of {@link startMcpPeer}. */
export interface McpPeerOptions {
  /** When set, every request must carry `Authorization: Bearer <token>` (else 401). */
  token?: string
  /** Serve only the legacy SSE transport (Streamable HTTP answers 404, as old servers do). */
  sseOnly?: boolean
  /**
   * A careless server: tools `whoami` and `whoami_fail` answer the request's Authorization and
   * X-Api-Key values (raw, token alone, JSON-escaped, percent-encoded, base64) in their result
   * and error; a refused token's 401 body, and every answer of `/broken` (500), quote them too.
   */
  echoCredentials?: boolean
}

/** Every form a careless server might echo a credential in. */
function echoForms(v: string): string[] {
  const token = v.replace(/^Bearer\s+/i, '')
  return [
    v,
    token,
    JSON.stringify(token).slice(1, -1).replace(/\//g, '\\/'),
    encodeURIComponent(token),
    new URLSearchParams({ t: token }).toString().slice(2),
    Buffer.from(token).toString('base64'),
  ]
}

function build(calls: McpPeer['calls'], echo?: IncomingHttpHeaders): McpServer {
  const server = new McpServer({ name: 'test-peer', version: '1.0.0' })
  if (echo) {
    const seen = () => [String(echo.authorization ?? ''), String(echo['x-api-key'] ?? '')].filter(Boolean).flatMap(echoForms)
    server.registerTool('whoami', { description: 'Answers the credentials it was called with.', inputSchema: {} }, async () => ({
      content: [
        { type: 'text', text: `you are ${seen().join(' | ')}` },
        { type: 'text', text: JSON.stringify({ auth: echo.authorization }) },
      ],
      structuredContent: { auth: echo.authorization, forms: seen(), [String(echo['x-api-key'] ?? 'k')]: 'key as a key' },
    }))
    server.registerTool('whoami_fail', { description: 'Fails quoting the credentials.', inputSchema: {} }, async () => ({
      isError: true,
      content: [{ type: 'text', text: `refused ${seen().join(' ')}` }],
    }))
  }
  server.registerTool(
    'add',
    {
      title: 'Add numbers',
      description: 'Adds two numbers and answers the sum.',
      inputSchema: { a: z.number().describe('First number'), b: z.number().describe('Second number') },
    },
    async ({ a, b }) => {
      calls.push({ name: 'add', args: { a, b } })
      return { content: [{ type: 'text', text: String(a + b) }] }
    },
  )
  server.registerTool(
    'echo_headers',
    {
      description: 'Answers a greeting for a name, as structured content.',
      inputSchema: { name: z.string().min(1).describe('Who to greet') },
      outputSchema: { greeting: z.string() },
    },
    async ({ name }) => {
      calls.push({ name: 'echo_headers', args: { name } })
      return { content: [{ type: 'text', text: `hello ${name}` }], structuredContent: { greeting: `hello ${name}` } }
    },
  )
  server.registerTool('fail', { description: 'Always fails with a message, to test tool errors.', inputSchema: { reason: z.string().optional() } }, async ({ reason }) => {
    calls.push({ name: 'fail', args: { reason } })
    return { isError: true, content: [{ type: 'text', text: `it failed: ${reason ?? 'no reason'}` }] }
  })
  return server
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = []
  for await (const c of req) chunks.push(c as Buffer)
  const text = Buffer.concat(chunks).toString('utf8')
  return text ? JSON.parse(text) : undefined
}

/** Starts the peer: tools `add`, `echo_headers` (structured content) and `fail` (always an error). */
export async function startMcpPeer(options: McpPeerOptions = {}): Promise<McpPeer> {
  const headers: IncomingHttpHeaders[] = []
  const calls: McpPeer['calls'] = []
  const sse = new Map<string, SSEServerTransport>()
  const http: Server = createServer((req, res) => {
    headers.push(req.headers)
    void (async () => {
      const quoted = options.echoCredentials
        ? JSON.stringify({ authorization: req.headers.authorization, apiKey: req.headers['x-api-key'], forms: echoForms(String(req.headers.authorization ?? '')) })
        : ''
      if (options.token && req.headers.authorization !== `Bearer ${options.token}`) {
        res.writeHead(401, { 'content-type': 'application/json' }).end(options.echoCredentials ? `{"error":"unauthorized","you_sent":${quoted}}` : '{"error":"unauthorized"}')
        return
      }
      const url = new URL(req.url ?? '/', 'http://127.0.0.1')
      if (url.pathname === '/broken' && options.echoCredentials) {
        res.writeHead(500, { 'content-type': 'application/json' }).end(`{"error":"crashed handling ${quoted.replace(/"/g, "'")}"}`)
        return
      }
      if (url.pathname === '/mcp' && !options.sseOnly) {
        // Stateless Streamable HTTP: a server and transport per request.
        const server = build(calls, options.echoCredentials ? req.headers : undefined)
        const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined })
        res.on('close', () => {
          void transport.close()
          void server.close()
        })
        await server.connect(transport)
        await transport.handleRequest(req, res, req.method === 'POST' ? await readJson(req) : undefined)
        return
      }
      if (url.pathname === '/sse' && req.method === 'GET') {
        const transport = new SSEServerTransport('/messages', res)
        sse.set(transport.sessionId, transport)
        res.on('close', () => sse.delete(transport.sessionId))
        await build(calls, options.echoCredentials ? req.headers : undefined).connect(transport)
        return
      }
      if (url.pathname === '/messages' && req.method === 'POST') {
        const transport = sse.get(url.searchParams.get('sessionId') ?? '')
        if (!transport) {
          res.writeHead(404).end('no session')
          return
        }
        await transport.handlePostMessage(req, res, await readJson(req))
        return
      }
      res.writeHead(404).end('not found')
    })().catch((err: unknown) => {
      if (!res.headersSent) res.writeHead(500).end(String(err))
    })
  })
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve))
  const base = `http://127.0.0.1:${(http.address() as AddressInfo).port}`
  return {
    brokenUrl: `${base}/broken`,
    setToken: (t: string) => {
      options.token = t
    },
    mcpUrl: `${base}/mcp`,
    sseUrl: `${base}/sse`,
    headers,
    calls,
    close: () =>
      new Promise<void>((resolve) => {
        http.closeAllConnections()
        http.close(() => resolve())
      }),
  }
}
