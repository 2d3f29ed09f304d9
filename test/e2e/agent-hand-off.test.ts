/**
 * The hand-off for agents, end to end against the real hub: an end user's agent (the official
 * MCP SDK client on `/mcp?end_user=…`) calls a tool of an integration the user has not connected,
 * gets a Connect link (a tool result, or error -32042 URLElicitationRequired when the client
 * declares URL elicitation), the user connects, and the same call runs on that user's connection,
 * never another user's. The execute endpoint and the SDK (`runForEndUser`, `AuthRequiredError`,
 * `createConnectSession`) the same way.
 */
import { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js'
import { type CallToolResult, McpError, UrlElicitationRequiredError } from '@modelcontextprotocol/sdk/types.js'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { AuthRequiredError, createClient, createConnectSession, ValidationError } from '@patchbay/sdk'
import { hashConnectToken } from '@patchbay/hub'
import { startEchoService, type EchoService } from '../support/echo-service.js'
import { call, startTestHub, type TestHub } from '../support/test-hub.js'

let hub: TestHub
let echo: EchoService
const clients: Client[] = []

beforeAll(async () => {
  echo = await startEchoService()
  hub = await startTestHub({ catalogDirs: [echo.catalogDir] })
})
afterAll(async () => {
  for (const c of clients) await c.close().catch(() => {})
  await hub?.close()
  await echo?.close()
})

async function agent(endUser: string, options: { urlElicitation?: boolean; integrations?: string } = {}): Promise<Client> {
  const client = new Client({ name: 'end-user-agent', version: '1.0.0' }, { capabilities: options.urlElicitation ? { elicitation: { url: {} } } : {} })
  const q = new URLSearchParams({ end_user: endUser, ...(options.integrations !== undefined ? { integrations: options.integrations } : { integrations: 'echo' }) })
  await client.connect(new StreamableHTTPClientTransport(new URL(`${hub.url}/mcp?${q}`), { requestInit: { headers: { Authorization: `Bearer ${hub.key}` } } }))
  clients.push(client)
  return client
}

/** Connects Echo for an end user through the API (what the Connect page does for them). */
async function connectFor(endUserId: string, token: string): Promise<string> {
  const r = await call(hub, 'POST', '/api/v2/execute/echo', { authScheme: 'BEARER_TOKEN', data: { token }, name: `Echo of ${endUserId}`, endUserId })
  expect(r.body.status, r.text).toBe('SUCCESS')
  return r.body.data.id as string
}

/** What the end user does on the Connect page the link opens: submits the form (the page's own POST, no API key). */
async function connectThroughPage(connectUrl: string, token: string): Promise<{ connectionId: string; endUserId: string }> {
  const session = new URL(connectUrl).searchParams.get('session')
  const page = await fetch(connectUrl)
  expect(page.status).toBe(200)
  const r = await fetch(`${hub.url}/connect/api/submit`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ session, integration: 'echo', scheme: 'BEARER_TOKEN', data: { token } }),
  })
  const body = (await r.json()) as { connectionId: string; endUserId: string }
  expect(r.status, JSON.stringify(body)).toBe(200)
  return body
}

/** The stored session behind a connect link. */
async function sessionOf(connectUrl: string) {
  const token = new URL(connectUrl).searchParams.get('session') ?? ''
  expect(token).toMatch(/^pbcs_/)
  return hub.hub.store.db.selectFrom('connect_sessions').selectAll().where('token_hash', '=', hashConnectToken(token)).executeTakeFirst()
}

const bearers = () => echo.upstream.received.map((r) => r.headers['authorization'])

describe('MCP hand-off for an end user', () => {
  it('answers a connect link until the user connects, then the same call runs on their own connection only', async () => {
    // Another end user already connected Echo: user-a's agent must never use it.
    await connectFor('user-b', 'token-of-b')
    const a = await agent('user-a')
    const { tools } = await a.listTools()
    expect(tools.map((t) => t.name)).toContain('echo__ECHO_GET_ITEM')
    expect(tools.find((t) => t.name === 'echo__ECHO_GET_ITEM')?.description).toMatch(/not connected yet/)

    const before = echo.upstream.received.length
    const first = (await a.callTool({ name: 'echo__ECHO_GET_ITEM', arguments: { item_id: '7' } })) as CallToolResult
    expect(first.isError).toBe(true)
    const said = (first.content[0] as { text: string }).text
    expect(said).toMatch(/End user user-a has not connected Echo yet/)
    const link = /Connect link for the user: (\S+)/.exec(said)?.[1] ?? ''
    expect(link.startsWith(`${hub.url}/connect?session=pbcs_`)).toBe(true)
    expect(first._meta?.['patchbay/connectUrl']).toBe(link)
    // The link is a session for user-a, limited to Echo.
    const session = await sessionOf(link)
    expect(session?.end_user_id).toBe('user-a')
    expect(session?.allowed_integrations).toBe('["echo"]')
    expect(echo.upstream.received.length).toBe(before)

    // The user opens the link and connects on the Connect page.
    expect((await connectThroughPage(link, 'token-of-a')).endUserId).toBe('user-a')
    const again = (await a.callTool({ name: 'echo__ECHO_GET_ITEM', arguments: { item_id: '7' } })) as CallToolResult
    expect(again.isError, JSON.stringify(again)).toBeFalsy()
    expect(JSON.parse((again.content[0] as { text: string }).text)).toMatchObject({ ok: true })
    expect(bearers().slice(before)).toEqual(['Bearer token-of-a'])

    // user-b's agent runs on user-b's connection.
    const b = await agent('user-b')
    await b.callTool({ name: 'echo__ECHO_GET_ITEM', arguments: { item_id: '8' } })
    expect(bearers().slice(before)).toEqual(['Bearer token-of-a', 'Bearer token-of-b'])
  })

  it('lists only the end user’s own connected integrations when no integrations are offered', async () => {
    const c = await agent('user-nobody', { integrations: '' })
    expect((await c.listTools()).tools).toEqual([])
    const a = await agent('user-a', { integrations: '' })
    expect((await a.listTools()).tools.map((t) => t.name)).toContain('echo__ECHO_GET_ITEM')
  })

  it('answers -32042 URLElicitationRequired to a client that declares URL elicitation, then runs once connected', async () => {
    const c = await agent('user-c', { urlElicitation: true })
    const err = await c.callTool({ name: 'echo__ECHO_CREATE_ITEM', arguments: { title: 'x' } }).then(
      () => undefined,
      (e: unknown) => e,
    )
    expect(err).toBeInstanceOf(McpError)
    expect((err as McpError).code).toBe(-32042)
    expect(err).toBeInstanceOf(UrlElicitationRequiredError)
    const [elicitation] = (err as UrlElicitationRequiredError).elicitations
    expect(elicitation?.mode).toBe('url')
    expect(elicitation?.url.startsWith(`${hub.url}/connect?session=pbcs_`)).toBe(true)
    expect(elicitation?.message).toMatch(/user-c has not connected Echo/)
    expect((await sessionOf(elicitation?.url ?? ''))?.end_user_id).toBe('user-c')

    await connectFor('user-c', 'token-of-c')
    const ok = (await c.callTool({ name: 'echo__ECHO_CREATE_ITEM', arguments: { title: 'x' } })) as CallToolResult
    expect(ok.isError, JSON.stringify(ok)).toBeFalsy()
    expect(bearers().at(-1)).toBe('Bearer token-of-c')
  })

  it('hands out a reconnect link for an expired connection; after the user reconnects on the page the call runs', async () => {
    const id = await connectFor('user-e', 'token-of-e')
    await hub.hub.store.db.updateTable('connections').set({ status: 'EXPIRED' }).where('id', '=', id).execute()
    const e = await agent('user-e')
    const res = (await e.callTool({ name: 'echo__ECHO_GET_ITEM', arguments: { item_id: '1' } })) as CallToolResult
    expect(res.isError).toBe(true)
    const text = (res.content[0] as { text: string }).text
    expect(text).toMatch(/connection of end user user-e is EXPIRED: the user must reconnect it/)
    const link = /Connect link for the user: (\S+)/.exec(text)?.[1] ?? ''
    expect((await sessionOf(link))?.reconnect_connection_id).toBe(id)
    // The user re-authorises on the page: the same connection is ACTIVE again and the same call runs with the new token.
    expect((await connectThroughPage(link, 'new-token-of-e')).connectionId).toBe(id)
    const ok = (await e.callTool({ name: 'echo__ECHO_GET_ITEM', arguments: { item_id: '1' } })) as CallToolResult
    expect(ok.isError, JSON.stringify(ok)).toBeFalsy()
    expect(bearers().at(-1)).toBe('Bearer new-token-of-e')
  })

  it('refuses a malformed end_user or an unknown offered integration with a clear 400', async () => {
    const init = { jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'x', version: '1' } } }
    const accept = { accept: 'application/json, text/event-stream' }
    const bad = await call(hub, 'POST', `/mcp?end_user=${encodeURIComponent(' padded ')}`, init, accept)
    expect(bad.status).toBe(400)
    expect(bad.body.message).toMatch(/end_user must be a string of 1 to 200 characters/)
    const unknown = await call(hub, 'POST', '/mcp?end_user=u&integrations=echo,nope', init, accept)
    expect(unknown.status).toBe(400)
    expect(unknown.body.message).toMatch(/unknown integration "nope"/)
  })
})

describe('execute hand-off and the SDK', () => {
  it('execute on an integration with endUserId: FAILED AUTH_REQUIRED with a connect link, then SUCCESS on the user’s connection', async () => {
    const run = { action: 'ECHO_GET_ITEM', data: { item_id: '3' }, endUserId: 'user-x' }
    const r = await call(hub, 'POST', '/api/v2/execute/echo', run)
    expect(r.status).toBe(200)
    expect(r.body).toMatchObject({ status: 'FAILED', completed: true, code: 'AUTH_REQUIRED', integration: 'echo', endUserId: 'user-x' })
    expect(r.body.connectUrl.startsWith(`${hub.url}/connect?session=pbcs_`)).toBe(true)
    expect(r.body.error_message).toContain(r.body.connectUrl)
    await connectFor('user-x', 'token-of-x')
    const ok = await call(hub, 'POST', '/api/v2/execute/echo', run)
    expect(ok.body.status, ok.text).toBe('SUCCESS')
    expect(bearers().at(-1)).toBe('Bearer token-of-x')
  })

  it("a run on an end user's expired connection by id answers AUTH_REQUIRED with a reconnect link", async () => {
    const id = await connectFor('user-w', 'token-of-w')
    await hub.hub.store.db.updateTable('connections').set({ status: 'EXPIRED' }).where('id', '=', id).execute()
    const r = await call(hub, 'POST', `/api/v2/execute/${id}`, { action: 'ECHO_GET_ITEM', data: { item_id: '1' } })
    expect(r.status).toBe(200)
    expect(r.body).toMatchObject({ status: 'FAILED', code: 'AUTH_REQUIRED', endUserId: 'user-w', integration: 'echo' })
    expect((await sessionOf(r.body.connectUrl))?.reconnect_connection_id).toBe(id)
    // A connection without an end user keeps the FAILED answer (statusCode 409) that says how to reconnect.
    const own = await call(hub, 'POST', '/api/v2/execute/echo', { authScheme: 'BEARER_TOKEN', data: { token: 'tenant-own' }, name: 'Tenant Echo' })
    await hub.hub.store.db.updateTable('connections').set({ status: 'EXPIRED' }).where('id', '=', own.body.data.id).execute()
    const plain = await call(hub, 'POST', `/api/v2/execute/${own.body.data.id}`, { action: 'ECHO_GET_ITEM', data: { item_id: '1' } })
    expect(plain.status).toBe(200)
    expect(plain.body).toMatchObject({ status: 'FAILED', statusCode: 409 })
    expect(plain.body.connectUrl).toBeUndefined()
  })

  it("never runs another end user's connection named by id", async () => {
    const id = await connectFor('user-y', 'token-of-y')
    const r = await call(hub, 'POST', `/api/v2/execute/${id}`, { action: 'ECHO_GET_ITEM', data: { item_id: '1' }, endUserId: 'user-z' })
    expect(r.status).toBe(404)
    expect(bearers()).not.toContain('Bearer token-of-y')
  })

  it("the SDK lists one end user's connections only (ModelFactory.list with endUserId)", async () => {
    const mine = await connectFor('user-list-a', 'token-list-a')
    await connectFor('user-list-b', 'token-list-b')
    const patchbay = createClient({ apiKey: hub.key, backendUrl: hub.url, env: {} })
    const page = await patchbay.ModelFactory.list({ functions: ['connection'], endUserId: 'user-list-a', pageSize: 100 })
    expect(page.results.map((m) => m.id)).toEqual([mine])
    expect(page.total).toBe(1)
  })

  it('runForEndUser throws AuthRequiredError with the link, then resolves once the user connected', async () => {
    const patchbay = createClient({ apiKey: hub.key, backendUrl: hub.url, env: {} })
    const input = { integration: 'echo', endUserId: 'user-sdk', action: 'ECHO_GET_ITEM', data: { item_id: '5' } }
    const err = await patchbay.runForEndUser(input).then(
      () => undefined,
      (e: unknown) => e,
    )
    expect(err).toBeInstanceOf(AuthRequiredError)
    const e = err as AuthRequiredError
    expect(e.connectUrl.startsWith(`${hub.url}/connect?session=pbcs_`)).toBe(true)
    expect(e.integration).toBe('echo')
    expect(e.endUserId).toBe('user-sdk')
    expect(Date.parse(e.expiresAt ?? '')).toBeGreaterThan(Date.now())
    expect(String(e)).toMatch(/^AuthRequiredError \[AX-RES-1000\]: End user user-sdk has not connected Echo/)
    await connectFor('user-sdk', 'token-of-sdk')
    const res = await patchbay.runForEndUser(input)
    expect(res.status).toBe('SUCCESS')
    expect(bearers().at(-1)).toBe('Bearer token-of-sdk')
  })

  it('createConnectSession: top level from the environment, and on a client; refusals as typed errors', async () => {
    const viaEnv = await createConnectSession(
      { endUser: { id: 'user-42', email: 'ann@example.com', displayName: 'Ann' }, allowedIntegrations: ['echo'], tags: { plan: 'pro' }, expiresInSeconds: 600 },
      { config: { env: { TEAM_API_KEY: hub.key, BACKEND_URL: hub.url } } },
    )
    expect(viaEnv.connectUrl).toBe(`${hub.url}/connect?session=${viaEnv.token}`)
    const ttl = Date.parse(viaEnv.expiresAt) - Date.now()
    expect(ttl).toBeGreaterThan(500_000)
    expect(ttl).toBeLessThanOrEqual(600_000)
    expect((await sessionOf(viaEnv.connectUrl))?.tags).toBe('{"plan":"pro"}')

    const patchbay = createClient({ apiKey: hub.key, backendUrl: hub.url, env: {} })
    const s = await patchbay.createConnectSession({ endUser: { id: 'user-43' } })
    expect((await sessionOf(s.connectUrl))?.end_user_id).toBe('user-43')
    const refused = await patchbay.createConnectSession({ endUser: { id: 'u' }, allowedIntegrations: ['nope'] }).catch((x: unknown) => x)
    expect(refused).toBeInstanceOf(ValidationError)
    expect((refused as ValidationError).message).toMatch(/unknown integration "nope"/)
    expect((refused as ValidationError).statusCode).toBe(400)
    await expect(patchbay.createConnectSession({} as never)).rejects.toThrow(/endUser.id is required/)
  })
})
