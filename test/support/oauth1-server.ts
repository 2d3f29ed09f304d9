import { randomBytes } from 'node:crypto'
import { createRequire } from 'node:module'
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'

// The independent signature check: `oauth-sign` (the implementation the `request` library used),
// not Patchbay's own signing code.
const oauthSign = createRequire(import.meta.url)('oauth-sign') as {
  sign(method: string, httpMethod: string, baseUri: string, params: Record<string, string | string[]>, consumerSecret: string, tokenSecret?: string): string
}

/** A request the protected API accepted, as the provider saw it. */
export interface OAuth1ApiCall {
  method: string
  path: string
  query: Record<string, string | string[]>
  form: Record<string, string | string[]>
  json: unknown
}

/** An OAuth 1.0a provider (RFC 5849) on 127.0.0.1 with a protected API. */
export interface OAuth1TestServer {
  url: string
  consumerKey: string
  consumerSecret: string
  mode: 'approve' | 'deny'
  /** Requests whose signature failed to verify, with why. */
  rejected: string[]
  /** Calls the protected API accepted. */
  calls: OAuth1ApiCall[]
  /** Token credentials issued (token → secret), to check they never leak. */
  issued: Map<string, string>
  close(): Promise<void>
}

function parseAuthorization(header: string | undefined): Record<string, string> | undefined {
  if (!header?.startsWith('OAuth ')) return undefined
  const out: Record<string, string> = {}
  for (const m of header.slice(6).matchAll(/([A-Za-z0-9_%.~-]+)="([^"]*)"/g)) out[decodeURIComponent(m[1] as string)] = decodeURIComponent(m[2] as string)
  return out
}

function collect(entries: Iterable<[string, string]>, into: Record<string, string | string[]> = {}): Record<string, string | string[]> {
  for (const [k, v] of entries) {
    const cur = into[k]
    into[k] = cur === undefined ? v : Array.isArray(cur) ? [...cur, v] : [cur, v]
  }
  return into
}

/** Starts the provider; `signatureMethod` is what it expects (HMAC-SHA1 or HMAC-SHA256). */
export async function startOAuth1Server(): Promise<OAuth1TestServer> {
  const server: Server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  const temporary = new Map<string, { secret: string; callback: string; verifier: string }>()
  const nonces = new Set<string>()
  const state: OAuth1TestServer = {
    url,
    consumerKey: 'patchbay-consumer-key',
    consumerSecret: 'consumer-secret-9c1e4b7a-6d2f-4a8e-b3c5-0f7d9e2a1b64',
    mode: 'approve',
    rejected: [],
    calls: [],
    issued: new Map(),
    async close() {
      server.closeAllConnections()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }

  /** Verifies the request's signature with oauth-sign; returns its protocol parameters or why it failed. */
  function verify(
    req: IncomingMessage,
    u: URL,
    form: URLSearchParams | undefined,
    tokenSecret: (token: string | undefined) => string | undefined,
  ): Record<string, string> | string {
    const oauth = parseAuthorization(req.headers.authorization)
    if (!oauth) return 'no OAuth Authorization header'
    if (oauth['oauth_consumer_key'] !== state.consumerKey) return 'unknown consumer key'
    if (oauth['oauth_version'] !== undefined && oauth['oauth_version'] !== '1.0') return 'bad oauth_version'
    const ts = Number(oauth['oauth_timestamp'])
    if (!Number.isInteger(ts) || Math.abs(ts - Date.now() / 1000) > 300) return 'timestamp not current'
    const nonce = `${oauth['oauth_timestamp']}:${oauth['oauth_nonce']}`
    if (!oauth['oauth_nonce'] || nonces.has(nonce)) return 'nonce reused'
    nonces.add(nonce)
    const secret = tokenSecret(oauth['oauth_token'])
    if (secret === undefined) return 'unknown token'
    const params = collect(u.searchParams.entries())
    if (form) collect(form.entries(), params)
    for (const [k, v] of Object.entries(oauth)) if (k !== 'oauth_signature' && k !== 'realm') collect([[k, v]], params)
    const method = oauth['oauth_signature_method'] as string
    const expected = oauthSign.sign(method, req.method as string, `${url}${u.pathname}`, params, state.consumerSecret, secret)
    if (expected !== oauth['oauth_signature']) return `signature mismatch (${method})`
    return oauth
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const u = new URL(req.url ?? '/', url)
    let body = ''
    for await (const chunk of req) body += chunk
    const isForm = (req.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded')
    const form = isForm ? new URLSearchParams(body) : undefined
    const reply = (status: number, text: string, type = 'application/x-www-form-urlencoded') => {
      res.writeHead(status, { 'content-type': type })
      res.end(text)
    }
    const refuse = (why: string) => {
      state.rejected.push(`${req.method} ${u.pathname}: ${why}`)
      reply(401, JSON.stringify({ error: why }), 'application/json')
    }

    if (u.pathname === '/oauth/request_token' && req.method === 'POST') {
      const oauth = verify(req, u, form, (t) => (t === undefined ? '' : undefined))
      if (typeof oauth === 'string') return refuse(oauth)
      if (!oauth['oauth_callback']) return refuse('oauth_callback missing')
      const token = randomBytes(12).toString('hex')
      const secret = randomBytes(16).toString('hex')
      temporary.set(token, { secret, callback: oauth['oauth_callback'], verifier: randomBytes(8).toString('hex') })
      return reply(200, new URLSearchParams({ oauth_token: token, oauth_token_secret: secret, oauth_callback_confirmed: 'true' }).toString())
    }
    if (u.pathname === '/oauth/authorize' && req.method === 'GET') {
      const token = u.searchParams.get('oauth_token') ?? ''
      const temp = temporary.get(token)
      if (!temp) return reply(400, 'unknown request token', 'text/plain')
      const back = new URL(temp.callback)
      if (state.mode === 'deny') back.searchParams.set('denied', token)
      else {
        back.searchParams.set('oauth_token', token)
        back.searchParams.set('oauth_verifier', temp.verifier)
      }
      res.writeHead(302, { location: back.toString() })
      return void res.end()
    }
    if (u.pathname === '/oauth/access_token' && req.method === 'POST') {
      const oauth = verify(req, u, form, (t) => (t === undefined ? undefined : temporary.get(t)?.secret))
      if (typeof oauth === 'string') return refuse(oauth)
      const temp = temporary.get(oauth['oauth_token'] as string)
      if (!temp || oauth['oauth_verifier'] !== temp.verifier) return refuse('bad verifier')
      temporary.delete(oauth['oauth_token'] as string)
      const token = `${randomBytes(4).toString('hex')}-${randomBytes(12).toString('hex')}`
      const secret = randomBytes(16).toString('hex')
      state.issued.set(token, secret)
      return reply(200, new URLSearchParams({ oauth_token: token, oauth_token_secret: secret, user_id: '42', screen_name: 'patchbay' }).toString())
    }
    if (u.pathname.startsWith('/1/')) {
      const oauth = verify(req, u, form, (t) => (t === undefined ? undefined : state.issued.get(t)))
      if (typeof oauth === 'string') return refuse(oauth)
      const call: OAuth1ApiCall = {
        method: req.method as string,
        path: u.pathname,
        query: collect(u.searchParams.entries()),
        form: form ? collect(form.entries()) : {},
        json: !isForm && body ? JSON.parse(body) : null,
      }
      state.calls.push(call)
      return reply(200, JSON.stringify({ ok: true, ...call }), 'application/json')
    }
    reply(404, 'not found', 'text/plain')
  }

  server.on('request', (req, res) => {
    handle(req, res).catch((err: Error) => {
      if (!res.headersSent) res.writeHead(500).end(err.message)
    })
  })
  return state
}
