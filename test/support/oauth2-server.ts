import { generateKeyPairSync } from 'node:crypto'
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import Provider from 'oidc-provider'

/**
 * A real OAuth 2 authorization server (`oidc-provider`) on 127.0.0.1 with PKCE required,
 * refresh-token rotation (reusing a rotated refresh token revokes the whole grant), client
 * credentials, revocation and introspection — plus a protected API that accepts only tokens the
 * server says are active (checked by introspection), like a real resource server.
 */
export interface OAuth2TestServer {
  /** Issuer / base URL, e.g. `http://127.0.0.1:4xxxx`. */
  url: string
  clientId: string
  clientSecret: string
  /** `'approve'` logs a user in and grants the requested scopes; `'deny'` answers access_denied. */
  mode: 'approve' | 'deny'
  /** Lifetime of new access tokens, seconds. */
  accessTokenTtl: number
  /** POST /token requests answered, by grant type (`authorization_code`, `refresh_token`, …). */
  tokenRequests: string[]
  /** Token requests that failed, with the OAuth error. */
  tokenErrors: string[]
  /** POST /token/revocation requests answered 200. */
  revocations: number
  /** Every access token the protected API saw, in order. */
  apiTokens: string[]
  /** Tokens the protected API answers 401 for, even while active (to simulate a revoked token). */
  rejected: Set<string>
  /** Fields added to every successful token response (e.g. Salesforce's `instance_url`); none by default. */
  tokenResponseExtras: Record<string, unknown>
  /** Every access token the token endpoint issued, in order. */
  issuedAccessTokens: string[]
  /** Destroys every grant issued so far: their refresh tokens then fail with invalid_grant. */
  destroyGrants(): Promise<void>
  /** Registers the client with the hub's callback; call once the hub's URL is known. */
  configure(redirectUri: string): void
  close(): Promise<void>
}

/**
 * Starts the server; {@link OAuth2TestServer.configure} it with the hub's callback before use.
 * `tokenEndpointAuthMethod` is how the client must authenticate at the token endpoint.
 */
export async function startOAuth2Server(options: { tokenEndpointAuthMethod?: 'client_secret_basic' | 'client_secret_post' } = {}): Promise<OAuth2TestServer> {
  const server: Server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  const grants: string[] = []
  const state: OAuth2TestServer = {
    url,
    clientId: 'patchbay-test-client',
    clientSecret: 'client-secret-5a4f1c9e-0b7d-4e8a-9f3c-2d6b8e1a7c40',
    mode: 'approve',
    accessTokenTtl: 3600,
    tokenRequests: [],
    tokenErrors: [],
    revocations: 0,
    apiTokens: [],
    rejected: new Set(),
    tokenResponseExtras: {},
    issuedAccessTokens: [],
    async destroyGrants() {
      for (const id of grants) {
        const grant = await provider.Grant.find(id)
        await grant?.destroy()
      }
    },
    configure(redirectUri: string) {
      provider = makeProvider(redirectUri)
      callback = provider.callback()
    },
    async close() {
      server.closeAllConnections()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }

  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 })
  let provider!: Provider
  let callback: ReturnType<Provider['callback']>
  const makeProvider = (redirectUri: string): Provider => {
    const p = new Provider(url, {
      clients: [
        {
          client_id: state.clientId,
          client_secret: state.clientSecret,
          redirect_uris: [redirectUri],
          response_types: ['code'],
          grant_types: ['authorization_code', 'refresh_token', 'client_credentials'],
          token_endpoint_auth_method: options.tokenEndpointAuthMethod ?? 'client_secret_basic',
          scope: 'openid offline_access api:read api:write api refresh_token',
        },
      ],
      jwks: { keys: [{ ...privateKey.export({ format: 'jwk' }), kid: 'test', use: 'sig', alg: 'RS256' } as never] },
      cookies: { keys: ['patchbay-test-cookie-key'] },
      scopes: ['openid', 'offline_access', 'api:read', 'api:write', 'api', 'refresh_token'],
      pkce: { methods: ['S256'], required: () => true },
      features: {
        devInteractions: { enabled: false },
        clientCredentials: { enabled: true },
        revocation: { enabled: true },
        introspection: { enabled: true },
      },
      issueRefreshToken: async () => true,
      rotateRefreshToken: () => true,
      ttl: {
        AccessToken: () => state.accessTokenTtl,
        ClientCredentials: () => state.accessTokenTtl,
        AuthorizationCode: 60,
        RefreshToken: 86_400,
        Grant: 86_400,
        Interaction: 600,
        Session: 3600,
        IdToken: 3600,
      },
      findAccount: async (_ctx: unknown, id: string) => ({ accountId: id, claims: async () => ({ sub: id }) }),
      interactions: { url: (_ctx: unknown, interaction: { uid: string }) => `/interaction/${interaction.uid}` },
    })
    // oidc-provider has no setting for extra token response fields: a Koa middleware adds them after the token endpoint answered.
    p.use(async (ctx: { path: string; status: number; body: unknown }, next: () => Promise<void>) => {
      await next()
      if (ctx.path !== '/token' || ctx.status !== 200 || typeof ctx.body !== 'object' || ctx.body === null) return
      const body = ctx.body as Record<string, unknown>
      if (typeof body['access_token'] === 'string') state.issuedAccessTokens.push(body['access_token'])
      Object.assign(body, state.tokenResponseExtras)
    })
    p.on('grant.success', (ctx: { oidc: { params: { grant_type?: string } } }) => {
      state.tokenRequests.push(String(ctx.oidc.params.grant_type))
    })
    p.on('grant.error', (ctx: { oidc?: { params?: { grant_type?: string } } }, err: { error?: string }) => {
      state.tokenRequests.push(String(ctx.oidc?.params?.grant_type))
      state.tokenErrors.push(String(err.error))
    })
    p.on('server_error', (_ctx: unknown, err: Error) => {
      process.stderr.write(`oidc-provider server_error: ${err.stack}\n`)
    })
    return p
  }

  async function interaction(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const details = await provider.interactionDetails(req, res)
    if (state.mode === 'deny') {
      await provider.interactionFinished(req, res, { error: 'access_denied', error_description: 'The user refused access' }, { mergeWithLastSubmission: false })
      return
    }
    if (details.prompt.name === 'login') {
      await provider.interactionFinished(req, res, { login: { accountId: 'user-1' } }, { mergeWithLastSubmission: false })
      return
    }
    const grant = new provider.Grant({ accountId: 'user-1', clientId: state.clientId })
    grant.addOIDCScope(String(details.params['scope'] ?? ''))
    const grantId = await grant.save()
    grants.push(grantId)
    await provider.interactionFinished(req, res, { consent: { grantId } }, { mergeWithLastSubmission: true })
  }

  async function api(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1]
    const send = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' })
      res.end(JSON.stringify(body))
    }
    if (!token) return send(401, { error: 'missing token' })
    state.apiTokens.push(token)
    if (state.rejected.has(token)) return send(401, { error: 'token revoked' })
    const info = (await provider.AccessToken.find(token)) ?? (await provider.ClientCredentials.find(token))
    if (!info || info.isExpired) return send(401, { error: 'invalid token' })
    let body = ''
    for await (const chunk of req) body += chunk
    send(200, { ok: true, path: req.url, method: req.method, scope: info.scope, body: body ? JSON.parse(body) : null })
  }

  server.on('request', (req, res) => {
    const path = (req.url ?? '/').split('?')[0] as string
    if (path === '/token/revocation' && req.method === 'POST') {
      res.on('finish', () => {
        if (res.statusCode === 200) state.revocations++
      })
    }
    const handle = path.startsWith('/interaction/') ? interaction(req, res) : path.startsWith('/api/') ? api(req, res) : Promise.resolve(callback(req, res))
    handle.catch((err: Error) => {
      process.stderr.write(`oauth2 test server: ${err.stack}\n`)
      if (!res.headersSent) res.writeHead(500).end(String(err.message))
    })
  })
  return state
}

/**
 * Follows redirects from `url` like a browser would (cookies kept per origin), until it reaches
 * `stopAt` (the hub's callback, which is fetched too) — or a page that does not redirect.
 * Returns the final response's status, URL and body. `rewriteCallback` changes the callback URL
 * before it is fetched (a tampered or stripped provider redirect).
 */
export async function followAuthorization(
  url: string,
  stopAt: string,
  rewriteCallback?: (callback: URL) => void,
): Promise<{ status: number; url: string; body: string; callbackUrl?: string }> {
  const jar = new Map<string, Map<string, string>>()
  let current = url
  let callbackUrl: string | undefined
  for (let hops = 0; hops < 20; hops++) {
    const origin = new URL(current).origin
    const cookies = jar.get(origin) ?? new Map<string, string>()
    jar.set(origin, cookies)
    if (rewriteCallback && current.startsWith(stopAt)) {
      const u = new URL(current)
      rewriteCallback(u)
      current = u.toString()
    }
    const res = await fetch(current, {
      redirect: 'manual',
      headers: cookies.size ? { cookie: [...cookies].map(([k, v]) => `${k}=${v}`).join('; ') } : {},
    })
    for (const c of res.headers.getSetCookie()) {
      const [pair] = c.split(';')
      const i = (pair as string).indexOf('=')
      cookies.set((pair as string).slice(0, i).trim(), (pair as string).slice(i + 1))
    }
    if (current.startsWith(stopAt)) callbackUrl = current
    const location = res.headers.get('location')
    if (res.status >= 300 && res.status < 400 && location) {
      await res.arrayBuffer()
      current = new URL(location, current).toString()
      continue
    }
    return { status: res.status, url: current, body: await res.text(), ...(callbackUrl ? { callbackUrl } : {}) }
  }
  throw new Error(`Too many redirects from ${url}`)
}

/** The actions of the stand-in OAuth 2 service: read and create a thing under `<server>/api`. */
export const ACME_ACTIONS = [
  {
    code: 'ACME_GET_THING',
    name: 'Get thing',
    description: 'Read a thing.',
    input: { type: 'object', required: ['id'], properties: { id: { type: 'string' } } },
    request: { method: 'GET', path: '/things/{id}' },
  },
  {
    code: 'ACME_CREATE_THING',
    name: 'Create thing',
    description: 'Create a thing.',
    input: { type: 'object', required: ['title'], properties: { title: { type: 'string' } } },
    request: { method: 'POST', path: '/things', body: { encoding: 'json' } },
  },
]

/**
 * A catalog definition ("Acme") whose OAuth 2 provider is the test server at `serverUrl`; `oauth2`
 * overrides its provider facts (e.g. a token URL behind a proxy, or the client credentials grant).
 */
export function acmeDefinition(serverUrl: string, options: { id?: string; name?: string; oauth2?: Record<string, unknown> } = {}) {
  return {
    id: options.id ?? 'acme',
    name: options.name ?? 'Acme',
    description: 'Stand-in OAuth 2 service',
    baseUrl: `${serverUrl}/api`,
    auth: {
      OAUTH2: {
        oauth2: {
          authorizationUrl: `${serverUrl}/auth`,
          tokenUrl: `${serverUrl}/token`,
          revocationUrl: `${serverUrl}/token/revocation`,
          issuer: serverUrl,
          scopes: ['api:read', 'api:write'],
          ...options.oauth2,
        },
      },
    },
    actions: ACME_ACTIONS,
  }
}
