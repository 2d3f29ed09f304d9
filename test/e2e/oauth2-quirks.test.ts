import { mkdtemp, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { followAuthorization } from '../support/oauth2-server.js'
import { call, startTestHub, type TestHub } from '../support/test-hub.js'
import { startUpstream, type Upstream } from '../support/upstream.js'

// A Slack-like provider: token_type "bot", no expires_in, the user token nested under
// authed_user, errors as HTTP 200 {"ok": false}. oauth4webapi's strict processors reject all of
// these; Patchbay must not.
let provider: Upstream
let hub: TestHub
let tokenAnswer: () => { status?: number; body: unknown }
const BOT = 'xoxb-1111-2222-bot-token-abcdef'
const USER = 'xoxp-3333-4444-user-token-ghijkl'

function definition(id: string, extra: Record<string, unknown>) {
  return {
    id,
    name: id,
    description: 'Slack-like stand-in',
    baseUrl: `${provider.url}/api`,
    auth: {
      OAUTH2: {
        oauth2: {
          authorizationUrl: `${provider.url}/oauth/v2/authorize`,
          tokenUrl: `${provider.url}/api/oauth.v2.access`,
          scopes: ['chat:write', 'channels:read'],
          scopeSeparator: ',',
          pkce: false,
          ...extra,
        },
      },
    },
    actions: [
      {
        code: 'POST_MESSAGE',
        name: 'Post',
        description: 'Post a message.',
        input: { type: 'object', required: ['channel', 'text'], properties: { channel: { type: 'string' }, text: { type: 'string' } } },
        request: { method: 'POST', path: '/chat.postMessage', body: { encoding: 'json' } },
      },
    ],
  }
}

beforeAll(async () => {
  tokenAnswer = () => ({
    body: {
      ok: true,
      access_token: BOT,
      token_type: 'bot',
      scope: 'chat:write,channels:read',
      bot_user_id: 'U0BOT',
      authed_user: { id: 'U1', access_token: USER, token_type: 'user' },
    },
  })
  provider = await startUpstream((req) => {
    if (req.path === '/oauth/v2/authorize') {
      const back = new URL(req.query.get('redirect_uri') as string)
      back.searchParams.set('code', 'code-123')
      back.searchParams.set('state', req.query.get('state') as string)
      return { status: 302, headers: { location: back.toString() }, body: '' }
    }
    if (req.path === '/api/oauth.v2.access') return tokenAnswer()
    return undefined
  })
  const dir = await mkdtemp(join(tmpdir(), 'patchbay-quirks-'))
  await writeFile(join(dir, 'slackish.json'), JSON.stringify(definition('slackish', {})))
  await writeFile(join(dir, 'slackish-user.json'), JSON.stringify(definition('slackish-user', { accessTokenPath: 'authed_user.access_token', clientAuth: 'client_secret_post' })))
  hub = await startTestHub({ catalogDirs: [dir] })
  for (const id of ['slackish', 'slackish-user']) {
    await call(hub, 'PUT', `/admin/oauth-apps/${id}`, { clientId: 'cid-1', clientSecret: 'slack-client-secret-xyz', scopes: 'chat:write channels:read' })
  }
})

afterAll(async () => {
  await hub?.close()
  await provider?.close()
})

async function connect(id: string) {
  const res = await call(hub, 'POST', `/api/v2/execute/${id}`, { name: `${id} ${Date.now()}`, authScheme: 'OAUTH2' })
  const redirect = new URL(res.body.data.redirectURL)
  expect(redirect.searchParams.get('code_challenge')).toBeNull() // pkce: false
  expect(redirect.searchParams.get('scope')).toBe('chat:write,channels:read') // the app's scopes, joined with the definition's separator
  const page = await followAuthorization(res.body.data.redirectURL, `${hub.url}/oauth/callback`)
  return { id: res.body.data.id as string, page }
}

describe('OAuth 2 provider quirks', () => {
  it('accepts token_type "bot" without expires_in, authenticating with HTTP Basic by default', async () => {
    const { id, page } = await connect('slackish')
    expect(page.status).toBe(200)
    const tokenCall = provider.received.find((r) => r.path === '/api/oauth.v2.access')
    expect(tokenCall?.headers.authorization).toBe(`Basic ${Buffer.from('cid-1:slack-client-secret-xyz').toString('base64')}`)
    expect(new URLSearchParams(tokenCall?.body).get('code')).toBe('code-123')
    const ran = await call(hub, 'POST', `/api/v2/execute/${id}`, { action: 'POST_MESSAGE', data: { channel: '#general', text: 'hi' } })
    expect(ran.body.status).toBe('SUCCESS')
    expect(provider.received.at(-1)?.headers.authorization).toBe(`Bearer ${BOT}`)
  })

  it('reads a nested token (accessTokenPath) and sends client credentials in the body when told to', async () => {
    provider.received.length = 0
    const { id, page } = await connect('slackish-user')
    expect(page.status).toBe(200)
    const tokenCall = provider.received.find((r) => r.path === '/api/oauth.v2.access')
    expect(tokenCall?.headers.authorization).toBeUndefined()
    expect(new URLSearchParams(tokenCall?.body).get('client_secret')).toBe('slack-client-secret-xyz')
    await call(hub, 'POST', `/api/v2/execute/${id}`, { action: 'POST_MESSAGE', data: { channel: '#general', text: 'hi' } })
    expect(provider.received.at(-1)?.headers.authorization).toBe(`Bearer ${USER}`)
  })

  it('treats HTTP 200 {"ok": false} from the token endpoint as a failure with the provider error', async () => {
    tokenAnswer = () => ({ body: { ok: false, error: 'invalid_code' } })
    const { id, page } = await connect('slackish')
    expect(page.status).toBe(400)
    expect(page.body).toContain('invalid_code')
    const rec = (await call(hub, 'GET', `/sdk/models/${id}`)).body
    expect(rec.connectionStatus).toBe('ERROR')
    expect(rec.connectionStatusReason).toContain('invalid_code')
  })
})
