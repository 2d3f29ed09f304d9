import { createHmac } from 'node:crypto'
import { Webhook } from 'standardwebhooks'
import { describe, expect, it } from 'vitest'
import { signatureHeaders, verifySignature } from './signatures.js'

const NOW = Date.parse('2026-12-01T12:00:00Z')
const nowS = NOW / 1000

describe('hmac-sha256 (GitHub X-Hub-Signature-256)', () => {
  const def = { scheme: 'hmac-sha256', header: 'X-Hub-Signature-256', prefix: 'sha256=' } as const
  // docs.github.com, "Validating webhook deliveries": secret and payload of the documented test values.
  const secret = "It's a Secret to Everybody"
  const documented = 'sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17'

  it("accepts GitHub's documented example", () => {
    expect(verifySignature(def, secret, { headers: { 'x-hub-signature-256': documented }, body: 'Hello, World!' })).toEqual({ ok: true })
    expect(signatureHeaders('hmac-sha256', secret, 'Hello, World!', { prefix: 'sha256=' })).toEqual({ 'X-Hub-Signature-256': documented })
  })

  it('rejects a changed body, a wrong secret, a missing header, a missing prefix and non-hex', () => {
    const headers = { 'X-Hub-Signature-256': documented }
    expect(verifySignature(def, secret, { headers, body: 'Hello, World?' })).toEqual({ ok: false, reason: 'the signature does not match the body' })
    expect(verifySignature(def, 'another secret', { headers, body: 'Hello, World!' }).ok).toBe(false)
    expect(verifySignature(def, secret, { headers: {}, body: 'Hello, World!' })).toEqual({ ok: false, reason: 'the X-Hub-Signature-256 header is missing' })
    expect(verifySignature(def, secret, { headers: { 'x-hub-signature-256': documented.slice(7) }, body: 'Hello, World!' }).ok).toBe(false)
    expect(verifySignature(def, secret, { headers: { 'x-hub-signature-256': 'sha256=zz' }, body: 'Hello, World!' }).ok).toBe(false)
    expect(verifySignature(def, secret, { headers: { 'x-hub-signature-256': 'sha256=' }, body: 'Hello, World!' }).ok).toBe(false)
  })

  it('never puts the secret in a reason', () => {
    const check = verifySignature(def, secret, { headers: { 'x-hub-signature-256': 'sha256=00' }, body: 'x' })
    expect(check.ok || check.reason.includes(secret)).toBe(false)
  })
})

describe('stripe (Stripe-Signature t=,v1=)', () => {
  const def = { scheme: 'stripe' } as const
  const secret = 'whsec_test_secret'
  const body = JSON.stringify({ id: 'evt_1', object: 'event', type: 'payment_intent.succeeded', data: { object: { id: 'pi_1' } } })
  // Stripe's algorithm: HMAC-SHA256(secret, "{t}.{payload}"), hex, in v1=.
  const t = String(nowS - 10)
  const v1 = createHmac('sha256', secret).update(`${t}.${body}`).digest('hex')

  it('accepts the scheme computed by its documented algorithm, also among several v1 and a v0', () => {
    expect(verifySignature(def, secret, { headers: { 'stripe-signature': `t=${t},v1=${v1}` }, body }, NOW)).toEqual({ ok: true })
    expect(verifySignature(def, secret, { headers: { 'stripe-signature': `t=${t},v1=${'0'.repeat(64)},v1=${v1},v0=abc` }, body }, NOW)).toEqual({ ok: true })
    expect(verifySignature(def, secret, { headers: signatureHeaders('stripe', secret, body, { nowMs: NOW }), body }, NOW)).toEqual({ ok: true })
  })

  it('rejects a timestamp outside the tolerance, in the past or the future', () => {
    const old = String(nowS - 301)
    const sig = createHmac('sha256', secret).update(`${old}.${body}`).digest('hex')
    const check = verifySignature(def, secret, { headers: { 'stripe-signature': `t=${old},v1=${sig}` }, body }, NOW)
    expect(check).toEqual({ ok: false, reason: 'the signature timestamp is 301 s away from now, outside the 300 s tolerance' })
    expect(verifySignature({ scheme: 'stripe', toleranceSeconds: 600 }, secret, { headers: { 'stripe-signature': `t=${old},v1=${sig}` }, body }, NOW)).toEqual({ ok: true })
    expect(verifySignature(def, secret, { headers: signatureHeaders('stripe', secret, body, { nowMs: NOW + 400_000 }), body }, NOW).ok).toBe(false)
  })

  it('rejects a forged timestamp (the signature covers t) and a header without v1', () => {
    expect(verifySignature(def, secret, { headers: { 'stripe-signature': `t=${nowS},v1=${v1}` }, body }, NOW).ok).toBe(false)
    expect(verifySignature(def, secret, { headers: { 'stripe-signature': `t=${t}` }, body }, NOW)).toEqual({
      ok: false,
      reason: 'the Stripe-Signature header has no v1= signature',
    })
    expect(verifySignature(def, secret, { headers: { 'stripe-signature': `v1=${v1}` }, body }, NOW).ok).toBe(false)
  })
})

describe('slack (X-Slack-Signature v0=)', () => {
  const def = { scheme: 'slack' } as const
  // api.slack.com/authentication/verifying-requests-from-slack: the documented example request.
  const secret = '8f742231b10e8888abcd99yyyzzz85a5'
  const timestamp = '1531420618'
  const body =
    'token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c'
  const headers = { 'X-Slack-Request-Timestamp': timestamp, 'X-Slack-Signature': 'v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503' }
  const then = Number(timestamp) * 1000

  it("accepts Slack's documented example at its time", () => {
    expect(verifySignature(def, secret, { headers, body }, then + 60_000)).toEqual({ ok: true })
    expect(signatureHeaders('slack', secret, body, { nowMs: then })).toEqual(headers)
  })

  it('rejects it as a replay today, and with a changed timestamp or body', () => {
    expect(verifySignature(def, secret, { headers, body }, NOW).ok).toBe(false)
    expect(verifySignature(def, secret, { headers: { ...headers, 'X-Slack-Request-Timestamp': String(Number(timestamp) + 1) }, body }, then).ok).toBe(false)
    expect(verifySignature(def, secret, { headers, body: `${body}&x=1` }, then)).toEqual({ ok: false, reason: 'the signature does not match the body' })
    expect(verifySignature(def, secret, { headers: { 'X-Slack-Signature': headers['X-Slack-Signature'] }, body }, then)).toEqual({
      ok: false,
      reason: 'the signature timestamp is missing or not a number of seconds',
    })
  })
})

describe('standard-webhooks', () => {
  const def = { scheme: 'standard-webhooks' } as const
  const secret = `whsec_${Buffer.from('a 32-byte key for this test only').toString('base64')}`
  const body = JSON.stringify({ type: 'trigger.fired', timestamp: '2026-12-01T12:00:00Z', data: { n: 1 } })

  it('accepts what the reference package signs, and the reference accepts what we sign', () => {
    const reference = new Webhook(secret)
    const signature = reference.sign('msg_1', new Date(NOW), body)
    const headers = { 'webhook-id': 'msg_1', 'webhook-timestamp': String(nowS), 'webhook-signature': signature }
    expect(verifySignature(def, secret, { headers, body }, NOW)).toEqual({ ok: true })
    const ours = signatureHeaders('standard-webhooks', secret, body, { id: 'msg_2' })
    expect(reference.verify(body, ours)).toEqual(JSON.parse(body))
    expect(ours['webhook-signature']).toBe(reference.sign('msg_2', new Date(Number(ours['webhook-timestamp']) * 1000), body))
  })

  it('accepts one matching signature among several (key rotation) and rejects replays and other ids', () => {
    const headers = signatureHeaders('standard-webhooks', secret, body, { id: 'msg_3', nowMs: NOW })
    const rotated = { ...headers, 'webhook-signature': `v1,${Buffer.alloc(32).toString('base64')} ${headers['webhook-signature']}` }
    expect(verifySignature(def, secret, { headers: rotated, body }, NOW)).toEqual({ ok: true })
    expect(verifySignature(def, secret, { headers, body }, NOW + 301_000).ok).toBe(false)
    expect(verifySignature(def, secret, { headers: { ...headers, 'webhook-id': 'msg_4' }, body }, NOW).ok).toBe(false)
    expect(verifySignature(def, secret, { headers: { 'webhook-id': 'msg_3' }, body }, NOW).ok).toBe(false)
  })
})

describe('none', () => {
  it('passes: the unguessable URL is the credential', () => {
    expect(verifySignature({ scheme: 'none' }, '', { headers: {}, body: '' })).toEqual({ ok: true })
  })
})
