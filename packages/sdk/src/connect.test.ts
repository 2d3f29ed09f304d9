/**
 * createConnectSession and runForEndUser against an injected fetch: what is sent, and how each
 * answer maps to a result or an error class. The real hub: test/e2e/agent-hand-off.test.ts.
 */
import { describe, expect, it } from 'vitest'
import { createClient } from './client.js'
import { AuthRequiredError, createConnectSession, runForEndUser } from './connect.js'
import { InternalError, NetworkError, ResourceError, ValidationError } from './errors.js'

interface Sent {
  url: string
  method: string | undefined
  headers: Record<string, string>
  body: unknown
}

function fakeFetch(answer: (sent: Sent) => { status: number; body: unknown } | Error) {
  const sent: Sent[] = []
  const fetch = async (url: string, init?: RequestInit) => {
    const s = { url, method: init?.method, headers: init?.headers as Record<string, string>, body: init?.body ? JSON.parse(String(init.body)) : undefined }
    sent.push(s)
    const a = answer(s)
    if (a instanceof Error) throw a
    return new Response(JSON.stringify(a.body), { status: a.status, headers: { 'content-type': 'application/json' } })
  }
  return { sent, config: { apiKey: 'pb_test_key', backendUrl: 'http://hub.test', fetch, env: {} } }
}

describe('createConnectSession', () => {
  it('POSTs the input to /api/v2/connect/sessions with the key and returns token, expiresAt, connectUrl', async () => {
    const f = fakeFetch(() => ({ status: 201, body: { token: 'pbcs_x', expiresAt: '2030-01-01T00:00:00.000Z', connectUrl: 'http://hub.test/connect?session=pbcs_x', extra: 1 } }))
    const input = { endUser: { id: 'user-42' }, allowedIntegrations: ['github'], tags: { plan: 'pro' } }
    expect(await createConnectSession(input, { config: f.config })).toEqual({
      token: 'pbcs_x',
      expiresAt: '2030-01-01T00:00:00.000Z',
      connectUrl: 'http://hub.test/connect?session=pbcs_x',
    })
    expect(f.sent[0]).toMatchObject({ url: 'http://hub.test/api/v2/connect/sessions', method: 'POST', body: input })
    expect(f.sent[0]?.headers['x-api-key']).toBe('pb_test_key')
    // The same on a client.
    await createClient(f.config).createConnectSession(input)
    expect(f.sent).toHaveLength(2)
  })

  it('maps refusals, transport failures and odd answers to error classes with the hub’s reason', async () => {
    const bad = fakeFetch(() => ({ status: 400, body: { message: 'tags must be an object of strings', error: 'tags must be an object of strings', code: 'VALIDATION' } }))
    const e = await createConnectSession({ endUser: { id: 'u' } }, { config: bad.config }).catch((x: unknown) => x)
    expect(e).toBeInstanceOf(ValidationError)
    expect((e as Error).message).toContain('tags must be an object of strings')
    const forbidden = fakeFetch(() => ({ status: 403, body: { message: "lacks the 'connect' scope" } }))
    await expect(createConnectSession({ endUser: { id: 'u' } }, { config: forbidden.config })).rejects.toBeInstanceOf(ResourceError)
    const down = fakeFetch(() => new TypeError('fetch failed'))
    await expect(createConnectSession({ endUser: { id: 'u' } }, { config: down.config })).rejects.toBeInstanceOf(NetworkError)
    const odd = fakeFetch(() => ({ status: 201, body: { token: 'pbcs_x' } }))
    await expect(createConnectSession({ endUser: { id: 'u' } }, { config: odd.config })).rejects.toBeInstanceOf(InternalError)
    await expect(createConnectSession({ endUser: {} } as never, { config: odd.config })).rejects.toThrow(TypeError)
  })
})

describe('runForEndUser', () => {
  const input = { integration: 'github', endUserId: 'user-42', action: 'GITHUB_GET_AUTHENTICATED_USER' }

  it('runs on the integration with endUserId and resolves SUCCESS, or FAILED for a service failure', async () => {
    const ok = fakeFetch(() => ({ status: 200, body: { status: 'SUCCESS', completed: true, data: { login: 'ann' } } }))
    const res = await runForEndUser(input, { config: ok.config })
    expect(res.status).toBe('SUCCESS')
    expect(res.data).toEqual({ login: 'ann' })
    expect(ok.sent[0]).toMatchObject({ url: 'http://hub.test/api/v2/execute/github', body: { action: input.action, data: {}, endUserId: 'user-42' } })
    const failed = fakeFetch(() => ({ status: 200, body: { status: 'FAILED', completed: true, error_message: 'GitHub answered 500', code: 'UPSTREAM_ERROR' } }))
    const f = await runForEndUser(input, { config: failed.config })
    expect(f.status).toBe('FAILED')
    expect(f.errorMessage).toBe('GitHub answered 500')
  })

  it('throws AuthRequiredError with the link for AUTH_REQUIRED', async () => {
    const body = {
      status: 'FAILED',
      completed: true,
      code: 'AUTH_REQUIRED',
      connectUrl: 'http://hub.test/connect?session=pbcs_y',
      expiresAt: '2030-01-01T00:00:00.000Z',
      integration: 'github',
      endUserId: 'user-42',
      error_message: 'End user user-42 has not connected GitHub yet',
    }
    const f = fakeFetch(() => ({ status: 200, body }))
    const e = await createClient(f.config)
      .runForEndUser(input)
      .catch((x: unknown) => x)
    expect(e).toBeInstanceOf(AuthRequiredError)
    expect(e).toBeInstanceOf(ResourceError)
    expect(e).toMatchObject({ connectUrl: body.connectUrl, integration: 'github', endUserId: 'user-42', expiresAt: body.expiresAt, reason: 'AUTH_REQUIRED' })
    expect(String(e)).toBe('AuthRequiredError [AX-RES-1000]: End user user-42 has not connected GitHub yet')
  })

  it('refuses a missing integration, endUserId or action with a TypeError', async () => {
    const f = fakeFetch(() => ({ status: 200, body: {} }))
    for (const k of ['integration', 'endUserId', 'action'] as const) {
      await expect(runForEndUser({ ...input, [k]: '' }, { config: f.config })).rejects.toThrow(new RegExp(`${k} is required`))
    }
    expect(f.sent).toEqual([])
  })
})
