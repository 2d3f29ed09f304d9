import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Webhook } from 'standardwebhooks'
import { sealConnectionSecrets, signatureHeaders } from '@patchbay/hub'
import { waitFor } from '../support/hub-processes.js'
import { call, startTestHub, type TestHub } from '../support/test-hub.js'
import { startWebhookReceiver, type WebhookReceiver } from '../support/webhook-receiver.js'

/**
 * Triggers end to end through the real hub: instances activated over the REST API and the
 * execute endpoint, GitHub-, Stripe- and Slack-shaped deliveries signed in the test and posted to
 * the inbound URLs, and the resulting `trigger.fired` events delivered through the outbox to a
 * local receiver that verifies Standard Webhooks signatures. Bad input: wrong or missing
 * signature, stale timestamp, unknown or deleted URL, oversized body, config failing its schema.
 */
describe('triggers: instances and inbound webhooks', () => {
  let hub: TestHub
  let receiver: WebhookReceiver

  beforeAll(async () => {
    receiver = await startWebhookReceiver()
    hub = await startTestHub({ delivery: { pollMs: 100, baseDelayMs: 100, maxDelayMs: 400 } })
    const r = await call(hub, 'PUT', '/api/v2/webhooks', { url: receiver.url, events: ['trigger.fired', 'trigger.failed'] })
    expect(r.status, r.text).toBe(201)
    receiver.secret = r.body.secret
  })
  afterAll(async () => {
    await hub?.close()
    await receiver?.close()
  })

  const connect = async (integration: string, name: string, data: Record<string, string>) => {
    const r = await call(hub, 'POST', `/api/v2/execute/${integration}`, { name, data })
    expect(r.status, r.text).toBe(200)
    return r.body.data.id as string
  }
  /** Posts raw bytes to an inbound URL, without an API key. */
  const deliver = async (url: string, body: string, headers: Record<string, string>) => {
    const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body })
    const text = await res.text()
    return { status: res.status, text, body: text ? (JSON.parse(text) as any) : undefined }
  }
  const firedFor = (triggerId: string) => receiver.received.filter((r) => r.payload?.type === 'trigger.fired' && r.payload.data['triggerId'] === triggerId)
  const storedEvents = async () => (await hub.hub.store.db.selectFrom('events').select(['type', 'data']).execute()).length

  it('GitHub: activation answers the inbound URL and a generated secret once; a signed issues delivery reaches the receiver, verified', async () => {
    const id = await connect('github', 'gh-triggers', { token: 'ghp_test_token_1234' })
    const bad = await call(hub, 'POST', `/api/v2/connections/${id}/triggers`, { slug: 'GITHUB_ISSUE_EVENT', config: { actions: 'opened' } })
    expect(bad.status).toBe(400)
    expect(bad.text).toMatch(/config\.actions must be array/)
    const unknown = await call(hub, 'POST', `/api/v2/connections/${id}/triggers`, { slug: 'NOPE' })
    expect(unknown.status).toBe(400)
    expect(unknown.text).toMatch(/GITHUB_ISSUE_EVENT/)
    const r = await call(hub, 'POST', `/api/v2/connections/${id}/triggers`, { slug: 'GITHUB_ISSUE_EVENT', config: { actions: ['opened'] } })
    expect(r.status, r.text).toBe(201)
    expect(r.body).toEqual({
      triggerId: expect.stringMatching(/^[0-9a-f]{24}$/),
      webhookUrl: expect.stringContaining(`${hub.url}/api/v2/triggers/inbound/`),
      secret: expect.stringMatching(/^[0-9a-f]{64}$/),
    })
    const { triggerId, webhookUrl, secret } = r.body as { triggerId: string; webhookUrl: string; secret: string }
    // Listed with its URL, never with the secret; the secret is sealed in the database.
    const list = await call(hub, 'GET', `/api/v2/connections/${id}/triggers`)
    expect(list.body.items).toEqual([
      expect.objectContaining({ triggerId, slug: 'GITHUB_ISSUE_EVENT', type: 'webhook', enabled: true, webhookUrl, config: { actions: ['opened'] } }),
    ])
    expect(list.text).not.toContain(secret)
    const row = await hub.hub.store.db.selectFrom('trigger_instances').select(['secret', 'config']).where('id', '=', triggerId).executeTakeFirstOrThrow()
    expect(`${row.secret}${row.config}`).not.toContain(secret)
    expect(`${row.secret}`).not.toContain(webhookUrl.split('/').at(-1))

    const issue = JSON.stringify({ action: 'opened', issue: { number: 7, title: 'Bug' }, repository: { full_name: 'o/r' }, sender: { login: 'ada' } })
    const signed = { 'x-github-event': 'issues', 'x-github-delivery': 'd-1', ...signatureHeaders('hmac-sha256', secret, issue, { prefix: 'sha256=' }) }
    const before = await storedEvents()
    expect((await deliver(webhookUrl, issue, { 'x-github-event': 'issues' })).status).toBe(401)
    const wrong = await deliver(webhookUrl, issue, { 'x-github-event': 'issues', ...signatureHeaders('hmac-sha256', 'not-the-secret', issue, { prefix: 'sha256=' }) })
    expect(wrong.status).toBe(401)
    expect(wrong.text).not.toContain(secret)
    // The signature covers the exact bytes: the same JSON re-serialised with a space fails.
    expect((await deliver(webhookUrl, issue.replace('{"action"', '{ "action"'), signed)).status).toBe(401)
    expect(await storedEvents()).toBe(before)
    const ok = await deliver(webhookUrl, issue, signed)
    expect(ok.status, ok.text).toBe(200)
    expect(ok.body).toEqual({ received: true, fired: 1 })
    // Filters: another action, another event kind (a ping) are acknowledged and not fired.
    const closed = issue.replace('"opened"', '"closed"')
    expect((await deliver(webhookUrl, closed, { ...signed, ...signatureHeaders('hmac-sha256', secret, closed, { prefix: 'sha256=' }) })).body).toEqual({ received: true, fired: 0 })
    expect((await deliver(webhookUrl, issue, { ...signed, 'x-github-event': 'ping' })).body).toEqual({ received: true, fired: 0 })
    await waitFor(() => firedFor(triggerId).length > 0, 'trigger.fired delivery', 15_000)
    const got = firedFor(triggerId)
    expect(got).toHaveLength(1)
    expect(got[0]?.verified).toBe(true)
    expect(got[0]?.payload).toEqual({
      type: 'trigger.fired',
      timestamp: expect.any(String),
      data: { triggerId, slug: 'GITHUB_ISSUE_EVENT', connectionId: id, integration: 'github', cause: { type: 'webhook', kind: 'issues' }, payload: JSON.parse(issue) },
    })

    // Paused: acknowledged, not fired; resumed: fires again; deleted: 404 like an unknown URL.
    const paused = await call(hub, 'PATCH', `/api/v2/connections/${id}/triggers/${triggerId}`, { enabled: false })
    expect(paused.status, paused.text).toBe(200)
    expect(paused.body.enabled).toBe(false)
    expect((await call(hub, 'PATCH', `/api/v2/connections/${id}/triggers/${triggerId}`, { enabled: 'no' })).status).toBe(400)
    expect((await deliver(webhookUrl, issue, signed)).body).toEqual({ received: true, fired: 0 })
    await call(hub, 'PATCH', `/api/v2/connections/${id}/triggers/${triggerId}`, { enabled: true })
    expect((await deliver(webhookUrl, issue, signed)).body).toEqual({ received: true, fired: 1 })
    const del = await call(hub, 'DELETE', `/api/v2/connections/${id}/triggers/${triggerId}`)
    expect(del.status, del.text).toBe(200)
    const gone = await deliver(webhookUrl, issue, signed)
    expect(gone.status).toBe(404)
    const never = await deliver(`${hub.url}/api/v2/triggers/inbound/${'x'.repeat(43)}`, issue, signed)
    expect(never.status).toBe(404)
    expect(never.text).toBe(gone.text)
    expect((await call(hub, 'DELETE', `/api/v2/connections/${id}/triggers/${triggerId}`)).status).toBe(404)
  })

  it('Stripe: the whsec_ secret comes from the config (sealed, never listed), t=/v1= with tolerance, event types filtered by the instance', async () => {
    const id = await connect('stripe', 'stripe-triggers', { api_key: 'sk_test_123456' })
    const missing = await call(hub, 'POST', `/api/v2/connections/${id}/triggers`, { slug: 'STRIPE_EVENT', config: {} })
    expect(missing.status).toBe(400)
    expect(missing.text).toMatch(/config\.signing_secret is required/)
    const whsec = 'whsec_test_endpoint_secret_42'
    const r = await call(hub, 'POST', `/api/v2/connections/${id}/triggers`, { slug: 'STRIPE_EVENT', config: { signing_secret: whsec, event_types: ['invoice.*'] } })
    expect(r.status, r.text).toBe(201)
    expect(r.body.secret).toBeUndefined()
    const { triggerId, webhookUrl } = r.body as { triggerId: string; webhookUrl: string }
    const list = await call(hub, 'GET', `/api/v2/connections/${id}/triggers`)
    expect(list.body.items[0].config).toEqual({ event_types: ['invoice.*'] })
    expect(list.text).not.toContain(whsec)
    const now = Date.now()
    const event = (type: string) => JSON.stringify({ id: 'evt_1', object: 'event', type, created: Math.floor(now / 1000), data: { object: { id: 'in_1' } } })
    const paid = event('invoice.paid')
    const stale = await deliver(webhookUrl, paid, signatureHeaders('stripe', whsec, paid, { nowMs: now - 600_000 }))
    expect(stale.status).toBe(401)
    expect(stale.text).toMatch(/tolerance/)
    expect((await deliver(webhookUrl, paid, signatureHeaders('stripe', 'whsec_other', paid))).status).toBe(401)
    expect((await deliver(webhookUrl, paid, signatureHeaders('stripe', whsec, paid))).body).toEqual({ received: true, fired: 1 })
    const charge = event('charge.refunded')
    expect((await deliver(webhookUrl, charge, signatureHeaders('stripe', whsec, charge))).body).toEqual({ received: true, fired: 0 })
    await waitFor(() => firedFor(triggerId).length > 0, 'stripe trigger.fired', 15_000)
    expect(firedFor(triggerId).map((w) => [w.verified, w.payload?.data['payload'].type])).toEqual([[true, 'invoice.paid']])
  })

  it('Slack: one inbound URL per tenant app, the url_verification challenge, routing by team_id to the connection, the signing secret from the OAuth app', async () => {
    const app = await call(hub, 'PUT', '/admin/oauth-apps/slack', { clientId: 'cid', clientSecret: 'csecret', signingSecret: 'slack-signing-secret-8f2a' })
    expect(app.status, app.text).toBe(200)
    expect(app.text).not.toContain('slack-signing-secret')
    const tenantId = (await hub.hub.store.db.selectFrom('tenants').select('id').executeTakeFirstOrThrow()).id
    const slackConnection = async (name: string, team: string) => {
      const id = await connect('slack', name, { token: `xoxb-${name}` })
      // As an OAuth connection stores it: the token response, with the workspace's team.id.
      const secrets = sealConnectionSecrets(hub.vault, tenantId, id, { access_token: `xoxb-${name}`, raw: { ok: true, team: { id: team } } })
      await hub.hub.store.db.updateTable('connections').set({ secrets }).where('id', '=', id).execute()
      const r = await call(hub, 'POST', `/api/v2/execute/${id}`, {
        action: 'activate_trigger',
        data: { slug: 'SLACK_EVENT', config: { event_types: ['app_mention'] } },
        enable: true,
        toolkit_versions: 'latest',
      })
      expect(r.status, r.text).toBe(200)
      expect(r.body.data).toEqual({ trigger_id: expect.stringMatching(/^[0-9a-f]{24}$/), webhook_url: expect.any(String) })
      return { id, triggerId: r.body.data.trigger_id as string, webhookUrl: r.body.data.webhook_url as string }
    }
    const a = await slackConnection('ws-a', 'T0AAA')
    const b = await slackConnection('ws-b', 'T0BBB')
    expect(b.webhookUrl).toBe(a.webhookUrl)
    const secret = 'slack-signing-secret-8f2a'
    const challenge = JSON.stringify({ token: 'x', challenge: 'chal-3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P', type: 'url_verification' })
    expect((await deliver(a.webhookUrl, challenge, { 'X-Slack-Signature': 'v0=00', 'X-Slack-Request-Timestamp': String(Math.floor(Date.now() / 1000)) })).status).toBe(401)
    const answered = await deliver(a.webhookUrl, challenge, signatureHeaders('slack', secret, challenge))
    expect(answered.status, answered.text).toBe(200)
    expect(answered.body).toEqual({ challenge: 'chal-3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P' })
    const mention = (team: string, type = 'app_mention') =>
      JSON.stringify({ type: 'event_callback', team_id: team, api_app_id: 'A1', event: { type, user: 'U1', text: 'hi', ts: '1.2' }, event_id: 'Ev1', event_time: 1 })
    const toB = mention('T0BBB')
    expect((await deliver(a.webhookUrl, toB, signatureHeaders('slack', secret, toB))).body).toEqual({ received: true, fired: 1 })
    const other = mention('T0ZZZ')
    expect((await deliver(a.webhookUrl, other, signatureHeaders('slack', secret, other))).body).toEqual({ received: true, fired: 0 })
    const message = mention('T0AAA', 'message')
    expect((await deliver(a.webhookUrl, message, signatureHeaders('slack', secret, message))).body).toEqual({ received: true, fired: 0 })
    const old = await deliver(a.webhookUrl, toB, signatureHeaders('slack', secret, toB, { nowMs: Date.now() - 3_600_000 }))
    expect(old.status).toBe(401)
    await waitFor(() => firedFor(b.triggerId).length > 0, 'slack trigger.fired', 15_000)
    expect(firedFor(b.triggerId).map((w) => [w.verified, w.payload?.data['connectionId']])).toEqual([[true, b.id]])
    expect(firedFor(a.triggerId)).toHaveLength(0)
    // delete_trigger on the execute endpoint; the other workspace's trigger keeps the URL.
    const del = await call(hub, 'POST', `/api/v2/execute/${b.id}`, { action: 'delete_trigger', data: { trigger_id: b.triggerId } })
    expect(del.status, del.text).toBe(200)
    expect(del.body.data).toEqual({ trigger_id: b.triggerId, deleted: true })
    expect((await deliver(a.webhookUrl, toB, signatureHeaders('slack', secret, toB))).body).toEqual({ received: true, fired: 0 })
  })

  it('bad input at the inbound URL: oversized is 413, a body that is not JSON 400, never a 5xx; no API key needed, none accepted as a substitute', async () => {
    const conn = await connect('http-api', 'http-triggers', { base_url: 'https://api.example.com', token: 'tok-123456' })
    const r = await call(hub, 'POST', `/api/v2/connections/${conn}/triggers`, { slug: 'HTTP_WEBHOOK', config: {} })
    expect(r.status, r.text).toBe(201)
    const { webhookUrl, secret } = r.body as { webhookUrl: string; secret: string }
    const big = JSON.stringify({ pad: 'x'.repeat(1024 * 1024 + 10) })
    const tooBig = await deliver(webhookUrl, big, signatureHeaders('hmac-sha256', secret, big, { prefix: 'sha256=' }))
    expect(tooBig.status).toBe(413)
    const notJson = 'a=1&b=2'
    const nj = await fetch(webhookUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...signatureHeaders('hmac-sha256', secret, notJson, { prefix: 'sha256=' }) },
      body: notJson,
    })
    expect(nj.status).toBe(400)
    const empty = await fetch(webhookUrl, { method: 'POST' })
    expect(empty.status).toBe(401)
    const weird = await fetch(`${hub.url}/api/v2/triggers/inbound/%00%ff`, { method: 'POST', body: '{}' })
    expect(weird.status).toBeLessThan(500)
    // The management API still wants a key.
    const noKey = await fetch(`${hub.url}/api/v2/connections/${conn}/triggers`)
    expect(noKey.status).toBe(401)
  })

  it('Standard Webhooks senders (the standardwebhooks package signs), Linear (unprefixed HMAC, Linear-Event filter), and a deleted connection takes its URLs along', async () => {
    const conn = await connect('http-api', 'http-standard', { base_url: 'https://api.example.com', token: 'tok-standard-1' })
    const r = await call(hub, 'POST', `/api/v2/connections/${conn}/triggers`, { slug: 'HTTP_STANDARD_WEBHOOK', config: {} })
    expect(r.status, r.text).toBe(201)
    expect(r.body.secret).toMatch(/^whsec_/)
    const body = JSON.stringify({ order: 42 })
    const id = 'msg_2KWPBgLlAfxdpx2AI54pPJ85f4W'
    const at = new Date()
    const signature = new Webhook(r.body.secret).sign(id, at, body)
    const sent = await deliver(r.body.webhookUrl, body, { 'webhook-id': id, 'webhook-timestamp': String(Math.floor(at.getTime() / 1000)), 'webhook-signature': signature })
    expect(sent.body).toEqual({ received: true, fired: 1 })
    const forged = await deliver(r.body.webhookUrl, body, {
      'webhook-id': id,
      'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
      'webhook-signature': new Webhook('whsec_' + Buffer.from('x'.repeat(24)).toString('base64')).sign(id, at, body),
    })
    expect(forged.status).toBe(401)

    const linear = await connect('linear', 'linear-triggers', { api_key: 'lin_api_test_123' })
    const lr = await call(hub, 'POST', `/api/v2/connections/${linear}/triggers`, {
      slug: 'LINEAR_EVENT',
      config: { signing_secret: 'lin_wh_secret_77', resource_types: ['Issue'] },
    })
    expect(lr.status, lr.text).toBe(201)
    const issue = JSON.stringify({ action: 'create', type: 'Issue', data: { id: 'i1', title: 'Bug' }, webhookTimestamp: Date.now() })
    const comment = JSON.stringify({ action: 'create', type: 'Comment', data: { id: 'c1' }, webhookTimestamp: Date.now() })
    const lsign = (b: string) => signatureHeaders('hmac-sha256', 'lin_wh_secret_77', b, { header: 'Linear-Signature' })
    expect((await deliver(lr.body.webhookUrl, issue, { 'Linear-Event': 'Issue', ...lsign(issue) })).body).toEqual({ received: true, fired: 1 })
    expect((await deliver(lr.body.webhookUrl, comment, { 'Linear-Event': 'Comment', ...lsign(comment) })).body).toEqual({ received: true, fired: 0 })

    expect((await call(hub, 'DELETE', `/sdk/models/${conn}`)).status).toBeLessThan(300)
    expect(
      (await deliver(r.body.webhookUrl, body, { 'webhook-id': id, 'webhook-timestamp': String(Math.floor(at.getTime() / 1000)), 'webhook-signature': signature })).status,
    ).toBe(404)
    expect((await call(hub, 'GET', `/api/v2/connections/${conn}/triggers`)).status).toBe(404)
  })
})
