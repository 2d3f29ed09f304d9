import { describe, expect, it } from 'vitest'
import { processTokenResponse, TokenEndpointError } from './token-response.js'

const json = (body: unknown, status = 200) => new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } })

describe('processTokenResponse', () => {
  it('reads a standard token response', async () => {
    const t = await processTokenResponse(json({ access_token: 'at', refresh_token: 'rt', expires_in: 3600, token_type: 'Bearer', scope: 'a b' }), {})
    expect(t).toMatchObject({ accessToken: 'at', refreshToken: 'rt', expiresIn: 3600, tokenType: 'Bearer', scope: 'a b' })
  })

  it("takes Slack's nested user token and odd token_type", async () => {
    const t = await processTokenResponse(json({ ok: true, token_type: 'bot', authed_user: { access_token: 'xoxp', expires_in: '60', scope: ['x', 'y'] } }), {
      accessTokenPath: 'authed_user.access_token',
    })
    expect(t).toMatchObject({ accessToken: 'xoxp', expiresIn: 60, scope: 'x y', tokenType: 'bot' })
  })

  it('reads a form-encoded body', async () => {
    const t = await processTokenResponse(new Response('access_token=f&token_type=bearer'), {})
    expect(t.accessToken).toBe('f')
    expect(t.expiresIn).toBeUndefined()
  })

  it('throws the OAuth error of an HTTP 200 carrying {"error"} (GitHub)', async () => {
    const err = await processTokenResponse(json({ error: 'bad_verification_code', error_description: 'expired' }), {}).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(TokenEndpointError)
    expect(err).toMatchObject({ code: 'bad_verification_code', description: 'expired', httpStatus: 200 })
  })

  it('throws http_<status> for a failure without an error body, and invalid_response without a token', async () => {
    await expect(processTokenResponse(new Response('oops', { status: 502 }), {})).rejects.toMatchObject({ code: 'http_502' })
    await expect(processTokenResponse(json({ token_type: 'Bearer' }), {})).rejects.toMatchObject({ code: 'invalid_response' })
  })

  it('treats ok:false as a provider error (Slack)', async () => {
    await expect(processTokenResponse(json({ ok: false, error: 'invalid_code' }), {})).rejects.toMatchObject({ code: 'invalid_code', description: 'invalid_code' })
  })

  it('drops a non-positive or non-numeric expires_in', async () => {
    expect((await processTokenResponse(json({ access_token: 'a', expires_in: 0 }), {})).expiresIn).toBeUndefined()
    expect((await processTokenResponse(json({ access_token: 'a', expires_in: 'soon' }), {})).expiresIn).toBeUndefined()
  })
})
