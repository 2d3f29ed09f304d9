/**
 * Clients of remote MCP servers, built on the official `@modelcontextprotocol/sdk` Client.
 * Streamable HTTP is tried first; a server that refuses it (the 2024-11-05 spec's HTTP+SSE
 * servers) is retried with the SSE transport, as the SDK's backwards-compatibility guide does.
 */
// The MCP SDK is loaded on first use, not at start (~30 MB resident; docs/performance.md).
import type { Client } from '@modelcontextprotocol/sdk/client/index.js'
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js'
import type { CallToolResult, Tool } from '@modelcontextprotocol/sdk/types.js'
import { PatchbayError } from '@patchbay/core'
import { redact, redactValue } from '../actions/redact.js'
import { mcpSecrets } from '../connections/mcp.js'
import { LazyGuardedOutbound, checkUrl, findPatchbayError, type GuardedFetch } from '../net/ssrf-guard.js'

/** The two HTTP transports of MCP. */
export type McpTransportKind = 'streamable-http' | 'sse'

/** Where and how to reach a remote MCP server. Headers and token are secrets. */
export interface RemoteMcpTarget {
  url: string
  /** Extra request headers (API keys and the like). */
  headers?: Record<string, string>
  /** Sent as `Authorization: Bearer <token>`. */
  token?: string
  /** The transport that worked last time; tried first (the other is not tried when it is set). */
  transport?: McpTransportKind
}

/** An open session with a remote server. */
export interface RemoteMcpSession {
  client: Client
  transport: McpTransportKind
}

/** What {@link RemoteMcpClients} is built with. */
export interface RemoteMcpClientsConfig {
  allowPrivateNetwork: boolean
  connectTimeoutMs?: number
  /** Timeout of one MCP request (initialize, tools/list, tools/call), ms; default 60 000. */
  requestTimeoutMs?: number
  /** How long an unused session stays open, ms; default 60 000. */
  idleMs?: number
}

interface PooledSession {
  key: string
  session: Promise<RemoteMcpSession>
  tools?: { at: number; list: Tool[] }
  timer: NodeJS.Timeout | undefined
}

const TOOLS_TTL_MS = 30_000
const MAX_TOOL_PAGES = 50

/**
 * Opens, pools and closes sessions with remote MCP servers. Every connection goes through the
 * SSRF-guarded dispatcher. Sessions are pooled per connection (id + version), so consecutive
 * runs skip the initialize handshake, and are closed after an idle period.
 *
 * @example
 * ```ts
 * const clients = new RemoteMcpClients({ allowPrivateNetwork: false })
 * const tools = await clients.listTools('conn-1:3', { url: 'https://mcp.example.com/mcp' })
 * await clients.close()
 * ```
 */
export class RemoteMcpClients {
  /** Outbound calls; undici loads on the first one (net/undici.ts). */
  readonly #outbound: LazyGuardedOutbound
  readonly #fetch: GuardedFetch
  readonly #config: RemoteMcpClientsConfig
  readonly #pool = new Map<string, PooledSession>()

  constructor(config: RemoteMcpClientsConfig) {
    this.#config = config
    this.#outbound = new LazyGuardedOutbound({
      allowPrivateNetwork: config.allowPrivateNetwork,
      ...(config.connectTimeoutMs !== undefined ? { connectTimeoutMs: config.connectTimeoutMs } : {}),
      timeoutMs: config.requestTimeoutMs ?? 60_000,
    })
    this.#fetch = this.#outbound.fetch
  }

  /** Whether private addresses are allowed (the operator's switch). */
  get allowPrivateNetwork(): boolean {
    return this.#config.allowPrivateNetwork
  }

  /**
   * Opens a fresh session (not pooled): used at connect time to prove the server works.
   *
   * @throws {PatchbayError} VALIDATION for a refused URL, UPSTREAM_UNREACHABLE when no transport works.
   */
  async open(target: RemoteMcpTarget): Promise<RemoteMcpSession> {
    const url = checkUrl(target.url, this.#config)
    const headers: Record<string, string> = { ...(target.headers ?? {}) }
    if (target.token) headers['Authorization'] = `Bearer ${target.token}`
    const order: McpTransportKind[] = target.transport ? [target.transport] : ['streamable-http', 'sse']
    const failures: string[] = []
    let refusals = 0
    const [{ Client }, { StreamableHTTPClientTransport }, { SSEClientTransport }] = await Promise.all([
      import('@modelcontextprotocol/sdk/client/index.js'),
      import('@modelcontextprotocol/sdk/client/streamableHttp.js'),
      import('@modelcontextprotocol/sdk/client/sse.js'),
    ])
    for (const kind of order) {
      const client = new Client({ name: 'patchbay', version: '0.1.0' })
      const transport: Transport =
        kind === 'streamable-http'
          ? new StreamableHTTPClientTransport(url, { fetch: this.#fetch, requestInit: { headers } })
          : new SSEClientTransport(url, { fetch: this.#fetch, requestInit: { headers }, eventSourceInit: { fetch: this.#sseFetch(headers) } })
      try {
        await client.connect(transport, { timeout: this.#config.requestTimeoutMs ?? 60_000 })
        return { client, transport: kind }
      } catch (err) {
        await client.close().catch(() => {})
        const refused = findPatchbayError(err)
        if (refused) throw refused
        if (refusedToken(err)) refusals++
        failures.push(`${kind}: ${describe(err, target)}`)
      }
    }
    // Refused by every transport tried: the token, not the URL, is wrong.
    if (refusals === order.length) throw tokenRefused(url, target)
    throw new PatchbayError(
      'UPSTREAM_UNREACHABLE',
      `Could not connect to the MCP server at ${url.origin}${url.pathname} (${failures.join('; ')}); check the URL (it usually ends in /mcp or /sse) and its token or headers`,
    )
  }

  /** The EventSource of the SSE transport uses its own fetch; headers must be added to it too. */
  #sseFetch(headers: Record<string, string>) {
    return (url: string | URL, init?: RequestInit) => {
      const merged: Record<string, string> = {}
      new Headers(init?.headers).forEach((v, k) => {
        merged[k] = v
      })
      return this.#fetch(url, { ...init, headers: { ...merged, ...headers } })
    }
  }

  /**
   * Lists every tool of a server (following pagination), cached for 30 s per pooled session.
   *
   * @param key Pool key: a connection id and its version, so a reconnect gets a fresh session.
   */
  async listTools(key: string, target: RemoteMcpTarget): Promise<Tool[]> {
    const pooled = this.#acquire(key, target)
    if (pooled.tools && Date.now() - pooled.tools.at < TOOLS_TTL_MS) return pooled.tools.list
    const list = await this.#use(pooled, target, async ({ client }) => {
      const tools: Tool[] = []
      let cursor: string | undefined
      for (let page = 0; page < MAX_TOOL_PAGES; page++) {
        const r = await client.listTools(cursor ? { cursor } : undefined, { timeout: this.#config.requestTimeoutMs ?? 60_000 })
        tools.push(...r.tools)
        cursor = r.nextCursor
        if (!cursor) break
      }
      return redactValue(tools, mcpSecrets(target)) as Tool[]
    })
    pooled.tools = { at: Date.now(), list }
    return list
  }

  /** Calls a tool. A tool's own failure comes back as a result with `isError: true`, not a throw. */
  async callTool(key: string, target: RemoteMcpTarget, name: string, args: Record<string, unknown>): Promise<CallToolResult> {
    const pooled = this.#acquire(key, target)
    return this.#use(pooled, target, async ({ client }) => {
      const r = await client.callTool({ name, arguments: args }, undefined, { timeout: this.#config.requestTimeoutMs ?? 60_000 })
      // The server's answer goes to the caller (an agent, through /mcp): never the connection's token or headers.
      return redactValue(r, mcpSecrets(target)) as CallToolResult
    })
  }

  /** Closes a connection's pooled session (after a delete or a reconnect). */
  async forget(connectionId: string): Promise<void> {
    for (const [key, pooled] of this.#pool) if (key.startsWith(`${connectionId}:`)) await this.#drop(pooled)
  }

  /** Closes every session and the connection pool. */
  async close(): Promise<void> {
    await Promise.all([...this.#pool.values()].map((p) => this.#drop(p)))
    await this.#outbound.close()
  }

  #acquire(key: string, target: RemoteMcpTarget): PooledSession {
    let pooled = this.#pool.get(key)
    if (!pooled) {
      const session = this.open(target)
      pooled = { key, session, timer: undefined }
      this.#pool.set(key, pooled)
      // A failed open must not stay pooled.
      session.catch(() => {
        if (this.#pool.get(key) === pooled) this.#pool.delete(key)
      })
    }
    this.#touch(pooled)
    return pooled
  }

  #touch(pooled: PooledSession): void {
    if (pooled.timer) clearTimeout(pooled.timer)
    pooled.timer = setTimeout(() => void this.#drop(pooled), this.#config.idleMs ?? 60_000)
    pooled.timer.unref()
  }

  async #use<T>(pooled: PooledSession, target: RemoteMcpTarget, fn: (s: RemoteMcpSession) => Promise<T>): Promise<T> {
    const session = await pooled.session
    try {
      return await fn(session)
    } catch (err) {
      // A transport failure (server restarted, session expired) drops the session so the next call reconnects.
      await this.#drop(pooled)
      const refused = findPatchbayError(err)
      if (refused) throw refused
      if (refusedToken(err)) throw tokenRefused(new URL(target.url), target)
      throw new PatchbayError('UPSTREAM_UNREACHABLE', `The MCP server failed to answer: ${describe(err, target)}`)
    }
  }

  async #drop(pooled: PooledSession): Promise<void> {
    if (pooled.timer) clearTimeout(pooled.timer)
    if (this.#pool.get(pooled.key) === pooled) this.#pool.delete(pooled.key)
    try {
      const s = await pooled.session
      await s.client.close()
    } catch {
      // Already failed or closed: nothing to release.
    }
  }
}

/** Whether the server refused the credentials (HTTP 401 or 403 from either transport). */
function refusedToken(err: unknown): boolean {
  for (let e: unknown = err, i = 0; i < 4 && e; i++, e = (e as { cause?: unknown }).cause) {
    const code = (e as { code?: unknown }).code
    if (code === 401 || code === 403) return true
    const m = e instanceof Error ? e.message : ''
    if (/\(HTTP (401|403)\)|Non-200 status code \((401|403)\)|\b(401|403) (Unauthorized|Forbidden)\b|^Unauthorized\b/i.test(m) || e?.constructor?.name === 'UnauthorizedError')
      return true
  }
  return false
}

/** The error for a server that refused the token: the caller must reconnect with a valid one, not retry. */
function tokenRefused(url: URL, target: RemoteMcpTarget): PatchbayError {
  const what = target.token ? 'the token' : Object.keys(target.headers ?? {}).length ? 'the credentials in the headers' : 'the request: it needs a token'
  return new PatchbayError(
    'UPSTREAM_ERROR',
    `The MCP server at ${url.origin}${url.pathname} refused ${what} (HTTP 401/403): reconnect with a valid token (connect again, with data.assetId set to the connection's id to replace it)`,
    { details: { upstreamStatus: 401, tokenRefused: true } },
  )
}

/** A short reason from an error and its causes (`fetch failed: connect ECONNREFUSED …`), with the target's secrets redacted. */
function describe(err: unknown, target: RemoteMcpTarget): string {
  const parts: string[] = []
  let e: unknown = err
  for (let i = 0; i < 4 && e; i++) {
    const m = e instanceof Error ? e.message : String(e)
    if (m && !parts.includes(m)) parts.push(m)
    e = (e as { cause?: unknown }).cause
  }
  // Redacted before it is cut: a cut secret would no longer be found.
  return redact(parts.join(': '), mcpSecrets(target)).slice(0, 300) || 'unknown error'
}
