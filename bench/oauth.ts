import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { ECHO_ACTION, echoDefinition } from './catalog.js'

/** Definition id of the OAUTH2 twin of the echo integration. */
export const OAUTH_ID = 'bench-oauth'

/**
 * A stand-in OAuth 2 authorization server for the benchmarks: `/auth` grants at once (redirects
 * back with a code), `/token` answers the code exchange and refreshes, rotating refresh tokens and
 * refusing a reused one (`invalid_grant`), as real providers do. It counts refresh requests.
 */
export interface BenchTokenServer {
  url: string
  /** `expires_in` of the token the code exchange answers (scenario 6 sets 1 s and waits for it to expire). */
  initialExpiresIn: number
  /** Refresh requests received. */
  refreshes: number
  /** Refresh requests refused because the refresh token had already been used. */
  reused: number
  close(): Promise<void>
}

/** Starts the token server on 127.0.0.1. */
export async function startTokenServer(): Promise<BenchTokenServer> {
  let n = 0
  const live = new Set<string>()
  const state: BenchTokenServer = { url: '', initialExpiresIn: 3600, refreshes: 0, reused: 0, close: async () => {} }
  const issue = (expiresIn: number) => {
    n++
    const refresh = `bench-rt-${n}-${Math.random().toString(36).slice(2)}`
    live.add(refresh)
    return { access_token: `bench-at-${n}-${Math.random().toString(36).slice(2)}`, token_type: 'Bearer', expires_in: expiresIn, refresh_token: refresh }
  }
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1')
    if (url.pathname === '/auth') {
      const back = new URL(url.searchParams.get('redirect_uri') ?? '')
      back.searchParams.set('code', `code-${++n}`)
      back.searchParams.set('state', url.searchParams.get('state') ?? '')
      res.writeHead(302, { location: back.toString() }).end()
      return
    }
    let body = ''
    req.on('data', (c: Buffer) => (body += c))
    req.on('end', () => {
      const form = new URLSearchParams(body)
      const json = (status: number, value: unknown): void => {
        res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(value))
      }
      if (form.get('grant_type') === 'authorization_code') return json(200, issue(state.initialExpiresIn))
      if (form.get('grant_type') === 'refresh_token') {
        state.refreshes++
        const token = form.get('refresh_token') ?? ''
        if (!live.delete(token)) {
          state.reused++
          return json(400, { error: 'invalid_grant', error_description: 'refresh token already used' })
        }
        return json(200, issue(3600))
      }
      json(400, { error: 'unsupported_grant_type' })
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  state.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  state.close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections()
      server.close(() => resolve())
    })
  return state
}

/** Writes the OAUTH2 twin of the echo integration (same actions, bearer token) into `dir`. */
export async function writeOAuthCatalog(dir: string, upstreamUrl: string, tokenServerUrl: string): Promise<void> {
  await mkdir(dir, { recursive: true })
  const echo = echoDefinition(upstreamUrl, OAUTH_ID, 'Bench OAuth')
  const definition = {
    ...echo,
    auth: { OAUTH2: { oauth2: { authorizationUrl: `${tokenServerUrl}/auth`, tokenUrl: `${tokenServerUrl}/token`, scopes: ['items'] } } },
  }
  await writeFile(join(dir, `${OAUTH_ID}.json`), JSON.stringify(definition, null, 2))
}

async function send(hubUrl: string, apiKey: string, method: string, path: string, body: unknown): Promise<any> {
  const res = await fetch(`${hubUrl}${path}`, { method, headers: { 'x-api-key': apiKey, 'content-type': 'application/json' }, body: JSON.stringify(body) })
  const text = await res.text()
  if (!res.ok) throw new Error(`${method} ${path} answered HTTP ${res.status}: ${text.slice(0, 300)}`)
  return JSON.parse(text) as unknown
}

/** Sets the bench OAuth app on a hub (tenant of `apiKey`). */
export async function setOAuthApp(hubUrl: string, apiKey: string): Promise<void> {
  await send(hubUrl, apiKey, 'PUT', `/admin/oauth-apps/${OAUTH_ID}`, { clientId: 'bench-client', clientSecret: 'bench-client-secret-0123456789' })
}

/**
 * Connects the OAuth integration through the hub's real flow (connect, the provider's redirect,
 * the hub's callback) and returns the ACTIVE connection's id.
 */
export async function connectOAuth(hubUrl: string, apiKey: string, name: string): Promise<string> {
  const r = await send(hubUrl, apiKey, 'POST', `/api/v2/execute/patchbay%2F${OAUTH_ID}`, { name, authScheme: 'OAUTH2' })
  const redirect = r?.data?.redirectURL
  if (typeof redirect !== 'string') throw new Error(`OAuth connect answered ${JSON.stringify(r).slice(0, 300)}`)
  const page = await fetch(redirect) // follows /auth → the hub's callback
  const text = await page.text()
  if (page.status !== 200) throw new Error(`the OAuth callback answered HTTP ${page.status}: ${text.slice(0, 300)}`)
  return r.data.id as string
}

/** The body of an action run of the OAuth integration (same action as the echo one). */
export const OAUTH_ACTION = ECHO_ACTION
