/**
 * An in-memory stand-in for a Patchbay hub, answering the v1 wire endpoints the SDK uses the way
 * the contract says a hub does. It is a `fetch` function: no sockets, no network. Every request
 * is recorded so tests can assert exact URLs, headers and bodies.
 */
import type { PatchbayConfig } from '../src/config.js'

export const API_KEY = 'test-key-0123456789'
export const BASE = 'http://hub.test'

export const GITHUB_ID = '6a0000000000000000000001'
export const BASIC_ID = '6a0000000000000000000002'
export const NOAUTH_ID = '6a0000000000000000000003'
export const MCP_ID = '686eb9cd26480723d0634d3e'
export const PLAIN_MODEL_ID = '6a00000000000000000000aa'

/** One request as the fake saw it. */
export interface SeenRequest {
  method: string
  url: string
  path: string
  headers: Record<string, string>
  body: unknown
}

/** What a handler answers: a JSON body, or raw text. */
export interface FakeReply {
  status?: number
  body?: unknown
  text?: string
}

export type Interceptor = (request: SeenRequest) => FakeReply | undefined

interface FakeAction {
  name: string
  displayName: string
  description: string
  inputs: Array<Record<string, unknown>>
}

const supplier = { id: 'patchbay', name: 'Patchbay', code: 'patchbay' }

function integrationRecord(id: string, name: string, schemes: Record<string, unknown[]>): Record<string, unknown> {
  const attributes = [{ name: 'auth_schemes', code: JSON.stringify(Object.keys(schemes)) }]
  for (const [scheme, inputs] of Object.entries(schemes)) {
    if (!scheme.startsWith('OAUTH')) attributes.push({ name: `${scheme}-inputs`, code: JSON.stringify(inputs) })
  }
  return {
    id,
    name,
    description: `${name} integration`,
    serviceName: null,
    status: 'onboarded',
    supplier,
    vendor: supplier,
    host: 'Patchbay',
    developer: 'Patchbay',
    function: { id: 'utilities', name: 'Utilites' },
    functionType: 'connector',
    type: 'regular',
    pricing: { price: 0, currency: 'USD' },
    version: { name: null, id: name.toLowerCase() },
    params: [],
    attributes,
    connectionType: ['synchronous'],
    supportsStreaming: false,
    createdAt: '2026-01-01T00:00:00.000Z',
    updatedAt: '2026-01-01T00:00:00.000Z',
  }
}

const tokenInput = { name: 'token', displayName: 'Token', type: 'string', description: 'A token', required: true }

const GITHUB_ACTIONS: FakeAction[] = [
  {
    name: 'GITHUB_GET_REPOSITORY',
    displayName: 'Get a repository',
    description: 'Reads one repository',
    inputs: [
      { name: 'Owner', code: 'owner', datatype: 'string', required: true, description: 'Account' },
      { name: 'Repository', code: 'repo', datatype: 'string', required: true, description: 'Name' },
    ],
  },
  {
    name: 'GITHUB_CREATE_ISSUE',
    displayName: 'Create an issue',
    description: 'Opens an issue',
    inputs: [{ name: 'Title', code: 'title', datatype: 'string', required: true, description: 'Title' }],
  },
]

const MCP_TOOLS: FakeAction[] = [
  {
    name: 'ask_question',
    displayName: 'ask_question',
    description: 'Ask about a repository',
    inputs: [{ code: 'repoName', name: 'repoName', datatype: 'string', required: true, description: 'owner/repo' }],
  },
]

function errorBody(status: number, message: string, error: string, code: string): FakeReply {
  return { status, body: { statusCode: status, message, error, code } }
}

/**
 * The fake hub. `fetch` is what the SDK is given; `requests` is what it sent; `intercept` lets a
 * test answer a request its own way (return `undefined` to fall through to the default).
 */
export class FakeHub {
  readonly requests: SeenRequest[] = []
  readonly records = new Map<string, Record<string, unknown>>()
  /** Bodies returned by successive polls of `/api/v1/data/<runId>`. */
  readonly polls = new Map<string, unknown[]>()
  private readonly interceptors: Interceptor[] = []
  private nextId = 0x100

  constructor() {
    this.add(
      integrationRecord(GITHUB_ID, 'GitHub', {
        OAUTH2: [],
        BEARER_TOKEN: [tokenInput],
      }),
    )
    this.add(
      integrationRecord(BASIC_ID, 'Jira', {
        BASIC: [
          { name: 'username', displayName: 'User', type: 'string', description: 'User', required: true },
          { name: 'password', displayName: 'Password', type: 'string', description: 'Password', required: false },
        ],
        API_KEY: [{ name: 'api_key', displayName: 'Key', type: 'string', description: 'Key', required: true }],
      }),
    )
    this.add(integrationRecord(NOAUTH_ID, 'GitHub Public', { NO_AUTH: [] }))
    this.add(integrationRecord(MCP_ID, 'MCP Server', { NO_AUTH: [] }))
    this.add({
      id: PLAIN_MODEL_ID,
      name: 'Echo',
      description: 'Echoes',
      status: 'onboarded',
      supplier: { id: 1, name: 'aiXplain', code: 'aixplain' },
      function: { id: 'text-analysis', name: 'Text analysis' },
      functionType: 'ai',
      pricing: { price: 1 },
      version: { id: 'echo' },
      params: [],
      attributes: [],
    })
  }

  /** A config that points the SDK at this fake, ignoring the real environment. */
  config(extra: PatchbayConfig = {}): PatchbayConfig {
    return { apiKey: API_KEY, backendUrl: BASE, fetch: this.fetch, env: {}, onWarning: () => {}, ...extra }
  }

  add(record: Record<string, unknown>): void {
    this.records.set(String(record['id']), record)
  }

  /** Adds a connection record as a connect would, and returns its id. */
  addConnection(parentId: string, name: string, functionType = 'connection'): string {
    const id = (this.nextId++).toString(16).padStart(24, '0')
    const parent = this.records.get(parentId)
    this.add({
      ...parent,
      id,
      name,
      description: `${name}\n\n Authentication scheme used for this connections: BEARER_TOKEN`,
      functionType,
      params: [
        { name: 'action', required: true, dataType: 'text', dataSubType: 'text' },
        { name: 'data', required: true, dataType: 'text', dataSubType: 'json' },
      ],
      parentModelId: parentId,
      actionsAvailable: true,
    })
    return id
  }

  intercept(interceptor: Interceptor): void {
    this.interceptors.push(interceptor)
  }

  /** Requests whose path starts with `prefix`. */
  sent(method: string, prefix: string): SeenRequest[] {
    return this.requests.filter((r) => r.method === method && r.path.startsWith(prefix))
  }

  readonly fetch = async (input: string, init: RequestInit = {}): Promise<Response> => {
    const url = new URL(input)
    const headers: Record<string, string> = {}
    new Headers(init.headers).forEach((value, key) => (headers[key] = value))
    const text = typeof init.body === 'string' ? init.body : undefined
    const request: SeenRequest = {
      method: init.method ?? 'GET',
      url: input,
      path: url.pathname,
      headers,
      body: text === undefined ? undefined : JSON.parse(text),
    }
    this.requests.push(request)
    let reply: FakeReply | undefined
    for (const interceptor of this.interceptors) {
      reply = interceptor(request)
      if (reply !== undefined) break
    }
    reply ??= this.route(request)
    const status = reply.status ?? 200
    const payload = reply.text ?? (reply.body === undefined ? '' : JSON.stringify(reply.body))
    const nullBody = status === 204 || status === 205 || status === 304
    return new Response(nullBody ? null : payload, { status, headers: { 'content-type': 'application/json' } })
  }

  private route(request: SeenRequest): FakeReply {
    const { method, path, headers } = request
    const backend = path.startsWith('/sdk/')
    // Strict on purpose: the SDK must use Token on the backend and x-api-key on execute/poll.
    const authorized = backend ? headers['authorization'] === `Token ${API_KEY}` : headers['x-api-key'] === API_KEY
    if (!authorized) return errorBody(401, 'Unknown API key', 'err.unauthorized', 'UNAUTHORIZED')
    let match: RegExpMatchArray | null
    if (method === 'POST' && path === '/sdk/models/paginate') return this.paginate(request.body as Record<string, unknown>)
    if ((match = path.match(/^\/sdk\/models\/([^/]+)$/))) {
      const id = decodeURIComponent(match[1] ?? '')
      const record = this.records.get(id)
      if (record === undefined) return errorBody(404, `No integration or connection with id ${id}`, 'err.not_found', 'NOT_FOUND')
      if (method === 'GET') return { body: record }
      if (method === 'DELETE') {
        if (record['functionType'] === 'connector') return errorBody(403, 'catalog integration', 'err.forbidden', 'FORBIDDEN')
        this.records.delete(id)
        return { body: { id, deleted: true } }
      }
    }
    if (method === 'POST' && (match = path.match(/^\/api\/v[12]\/execute\/([^/]+)$/))) {
      return this.execute(decodeURIComponent(match[1] ?? ''), request.body as Record<string, unknown>)
    }
    if (method === 'GET' && (match = path.match(/^\/api\/v1\/data\/([^/]+)$/))) {
      const queue = this.polls.get(match[1] ?? '')
      if (queue === undefined) return errorBody(404, 'No run', 'err.not_found', 'NOT_FOUND')
      const next = queue.length > 1 ? queue.shift() : queue[0]
      return { body: next }
    }
    return errorBody(404, `No route ${method} ${path}`, 'err.not_found', 'NOT_FOUND')
  }

  private paginate(body: Record<string, unknown>): FakeReply {
    const q = typeof body['q'] === 'string' ? body['q'].toLowerCase() : ''
    const functions = Array.isArray(body['functions']) ? (body['functions'] as string[]) : []
    const pageNumber = typeof body['pageNumber'] === 'number' ? body['pageNumber'] : 0
    const pageSize = typeof body['pageSize'] === 'number' ? body['pageSize'] : 20
    const all = [...this.records.values()].filter((r) => String(r['name']).toLowerCase().includes(q) && (functions.length === 0 || functions.includes(String(r['functionType']))))
    const items = all.slice(pageNumber * pageSize, (pageNumber + 1) * pageSize)
    return { body: { items, total: all.length, pageTotal: Math.ceil(all.length / pageSize) } }
  }

  private execute(id: string, body: Record<string, unknown>): FakeReply {
    const record = this.records.get(id)
    if (record === undefined) return errorBody(404, `No integration or connection with id ${id}`, 'err.not_found', 'NOT_FOUND')
    const ok = (data: unknown): FakeReply => ({ body: { status: 'SUCCESS', completed: true, data, runTime: 0.01 } })
    const action = body['action']
    const functionType = record['functionType']
    if (functionType === 'connector') {
      if (id === MCP_ID) return ok({ id: this.addConnection(id, 'MCP Server 1', 'mcpconnection') })
      const schemes = JSON.parse(String((record['attributes'] as Array<{ name: string; code: string }>).find((a) => a.name === 'auth_schemes')?.code)) as string[]
      const scheme = body['authScheme']
      if (typeof scheme !== 'string' || !schemes.includes(scheme)) {
        return errorBody(400, `Unsupported scheme ${String(scheme)}`, 'err.unsupported_scheme', 'UNSUPPORTED_SCHEME')
      }
      const name = typeof body['name'] === 'string' ? body['name'] : `${String(record['name'])} connection`
      const connectionId = this.addConnection(id, name)
      if (scheme.startsWith('OAUTH')) {
        return ok({ id: connectionId, redirectURL: `${BASE}/oauth/authorize?connection=${connectionId}` })
      }
      return ok({ id: connectionId })
    }
    const actions = functionType === 'mcpconnection' ? MCP_TOOLS : GITHUB_ACTIONS
    const requested = (data: unknown): string[] => (typeof data === 'object' && data !== null ? ((data as { actions?: string[] }).actions ?? []) : [])
    if (action === 'LIST_ACTIONS') {
      return ok(actions.map((a) => ({ name: a.name, displayName: a.displayName, description: a.description, slug: a.name })))
    }
    if (action === 'LIST_INPUTS') {
      const names = requested(body['data'])
      return ok(
        actions
          .filter((a) => names.some((n) => n.toLowerCase() === a.name.toLowerCase()))
          .map((a) => ({ name: a.name, slug: a.name, displayName: a.displayName, description: a.description, inputs: a.inputs })),
      )
    }
    if (action === 'LIST_TOOLS') {
      const names = requested(body['data'])
      if (names.length === 0) return ok(actions.map((a) => ({ name: a.name, description: a.description })))
      return ok(actions.filter((a) => names.includes(a.name)).map((a) => ({ name: a.name, description: a.description, inputs: a.inputs })))
    }
    if (typeof action === 'string' && actions.some((a) => a.name.toLowerCase() === action.toLowerCase())) {
      return ok({ action, echo: body['data'] })
    }
    if (functionType === 'ai') return ok({ echo: body })
    return errorBody(400, `Unknown action ${String(action)}`, 'err.unknown_action', 'UNKNOWN_ACTION')
  }
}

/** A fake clock: `sleep` records the wait and moves time forward by it. */
export function fakeClock(): { now: () => number; sleep: (ms: number) => Promise<void>; waits: number[] } {
  let time = 1_000_000
  const waits: number[] = []
  return {
    now: () => time,
    sleep: async (ms: number) => {
      waits.push(ms)
      time += ms
    },
    waits,
  }
}
