import { join } from 'node:path'
import type { TriggerDefinition, WebhookTriggerDefinition } from '@patchbay/core'
import { beforeAll, describe, expect, it } from 'vitest'
import type { Integration } from '../../catalog/catalog.js'
import { BUILT_IN_CATALOG_DIR, loadDefinitionFile } from '../../catalog/load-catalog.js'
import { acceptsEvent, challengeAnswer, routingValue } from './inbound.js'
import { pollInput, pollSucceeded, resolvePollDefinition, initialPollState } from './poll.js'
import { signatureHeaders, verifySignature } from './signatures.js'

const integrations = new Map<string, Integration>()
beforeAll(async () => {
  for (const id of ['github', 'stripe', 'slack', 'linear', 'gmail', 'notion', 'http-api']) {
    const loaded = await loadDefinitionFile(join(BUILT_IN_CATALOG_DIR, `${id}.yaml`))
    if ('problems' in loaded) throw new Error(`${id}: ${JSON.stringify(loaded.problems)}`)
    integrations.set(id, loaded)
  }
})

function trigger(id: string, slug: string): TriggerDefinition {
  const found = integrations.get(id)?.definition.triggers?.find((t) => t.slug === slug)
  if (!found) throw new Error(`${id} has no trigger ${slug}`)
  return found
}
function hook(id: string, slug: string): WebhookTriggerDefinition {
  const t = trigger(id, slug)
  if (!t.webhook) throw new Error(`${slug} is not a webhook`)
  return t.webhook
}

describe('built-in trigger types', () => {
  it('are declared on the integrations the issue lists', () => {
    const slugs = (id: string) => integrations.get(id)?.definition.triggers?.map((t) => `${t.type}:${t.slug}`)
    expect(slugs('github')).toEqual(['webhook:GITHUB_ISSUE_EVENT', 'webhook:GITHUB_PULL_REQUEST_EVENT', 'webhook:GITHUB_PUSH_EVENT'])
    expect(slugs('stripe')).toEqual(['webhook:STRIPE_EVENT'])
    expect(slugs('slack')).toEqual(['webhook:SLACK_EVENT'])
    expect(slugs('linear')).toEqual(['webhook:LINEAR_EVENT'])
    expect(slugs('gmail')).toEqual(['poll:GMAIL_NEW_MESSAGE'])
    expect(slugs('notion')).toEqual(['poll:NOTION_DATABASE_PAGE_CHANGED'])
    expect(slugs('http-api')).toEqual(['poll:HTTP_POLL', 'webhook:HTTP_WEBHOOK', 'webhook:HTTP_STANDARD_WEBHOOK'])
  })

  it('verify a GitHub-shaped issues delivery signed in the test, and only take their own event kind', () => {
    const def = hook('github', 'GITHUB_ISSUE_EVENT')
    const secret = 'generated-per-instance'
    const body = JSON.stringify({ action: 'opened', issue: { number: 7, title: 'Bug' }, repository: { full_name: 'o/r' }, sender: { login: 'ada' } })
    const headers = { 'x-github-event': 'issues', 'x-github-delivery': 'd-1', ...signatureHeaders('hmac-sha256', secret, body, { prefix: 'sha256=' }) }
    expect(verifySignature(def.signature, secret, { headers, body })).toEqual({ ok: true })
    expect(acceptsEvent(def, headers, JSON.parse(body))).toBe(true)
    expect(acceptsEvent(def, { ...headers, 'x-github-event': 'ping' }, JSON.parse(body))).toBe(false)
    expect(acceptsEvent(hook('github', 'GITHUB_PUSH_EVENT'), headers, JSON.parse(body))).toBe(false)
  })

  it('verify a Stripe-shaped delivery with the whsec_ secret of the config, filtered by the instance event types', () => {
    const def = hook('stripe', 'STRIPE_EVENT')
    const secret = 'whsec_endpoint_secret'
    const now = Date.now()
    const event = { id: 'evt_1', object: 'event', type: 'invoice.paid', created: Math.floor(now / 1000), data: { object: { id: 'in_1' } } }
    const body = JSON.stringify(event)
    const headers = signatureHeaders('stripe', secret, body, { nowMs: now })
    expect(verifySignature(def.signature, secret, { headers, body }, now)).toEqual({ ok: true })
    expect(verifySignature(def.signature, secret, { headers, body }, now + 301_000).ok).toBe(false)
    expect(acceptsEvent(def, headers, event, ['invoice.*'])).toBe(true)
    expect(acceptsEvent(def, headers, event, ['payment_intent.succeeded'])).toBe(false)
    expect(acceptsEvent(def, headers, event, [])).toBe(true)
  })

  it('verify a Slack-shaped event and answer its url_verification challenge; route by team_id', () => {
    const def = hook('slack', 'SLACK_EVENT')
    const secret = 'slack-signing-secret'
    const now = Date.now()
    const challenge = { token: 'x', challenge: '3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P', type: 'url_verification' }
    const cBody = JSON.stringify(challenge)
    expect(verifySignature(def.signature, secret, { headers: signatureHeaders('slack', secret, cBody, { nowMs: now }), body: cBody }, now)).toEqual({ ok: true })
    expect(challengeAnswer(def, challenge)).toEqual({ challenge: challenge.challenge })
    const event = { type: 'event_callback', team_id: 'T061EG9R6', event: { type: 'app_mention', text: 'hi', channel: 'C1' }, event_id: 'Ev1' }
    expect(challengeAnswer(def, event)).toBeUndefined()
    expect(routingValue(def, event)).toBe('T061EG9R6')
    expect(acceptsEvent(def, {}, event, ['app_mention'])).toBe(true)
    expect(acceptsEvent(def, {}, event, ['reaction_added'])).toBe(false)
  })

  it('verify a Linear-shaped delivery (bare hex in Linear-Signature)', () => {
    const def = hook('linear', 'LINEAR_EVENT')
    const body = JSON.stringify({ action: 'create', type: 'Issue', data: { id: 'i1' }, webhookTimestamp: Date.now() })
    const headers = { 'linear-event': 'Issue', ...signatureHeaders('hmac-sha256', 'lin_wh_secret', body, { header: 'Linear-Signature' }) }
    expect(verifySignature(def.signature, 'lin_wh_secret', { headers, body })).toEqual({ ok: true })
    expect(acceptsEvent(def, headers, JSON.parse(body), ['Issue'])).toBe(true)
  })

  it('poll Gmail and Notion with inputs built from the config', () => {
    const gmail = trigger('gmail', 'GMAIL_NEW_MESSAGE').poll
    const notion = trigger('notion', 'NOTION_DATABASE_PAGE_CHANGED').poll
    if (!gmail || !notion) throw new Error('poll blocks missing')
    const now = new Date()
    expect(pollInput(gmail, initialPollState(now), { query: 'in:inbox is:unread' })).toEqual({ q: 'in:inbox is:unread', maxResults: 50 })
    const input = pollInput(notion, initialPollState(now), { database_id: 'db1' })
    expect(input['filter']).toEqual({ timestamp: 'last_edited_time', last_edited_time: { on_or_after: '1970-01-01T00:00:00.000Z' } })
    const http = trigger('http-api', 'HTTP_POLL').poll
    if (!http) throw new Error('poll block missing')
    const resolved = resolvePollDefinition(http, { path: '/orders', items_path: 'body.orders', id_path: 'id' })
    expect(pollInput(resolved, initialPollState(now), { path: '/orders' })).toEqual({ method: 'GET', path: '/orders' })
    const step = pollSucceeded(resolved, { ...initialPollState(now), primed: true }, { status: 200, body: { orders: [{ id: 1 }] } }, now, { intervalSeconds: 60 })
    expect(typeof step === 'string' ? step : step.emit).toEqual([{ id: 1 }])
  })
})
