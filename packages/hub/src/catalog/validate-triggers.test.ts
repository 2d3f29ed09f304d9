import { describe, expect, it } from 'vitest'
import { validateDefinition } from './validate-definition.js'

const base = {
  id: 'acme',
  name: 'Acme',
  description: 'Acme API',
  baseUrl: 'https://api.acme.test',
  auth: {
    API_KEY: {
      inputs: [
        { name: 'api_key', displayName: 'Key', description: 'k', secret: true },
        { name: 'team_id', displayName: 'Team', description: 't' },
      ],
    },
  },
  actions: [
    {
      code: 'ACME_LIST_ITEMS',
      name: 'List',
      description: 'List items',
      input: { type: 'object', properties: { since: { type: 'string' } } },
      request: { method: 'GET', path: '/items' },
    },
  ],
}
const webhook = {
  slug: 'ACME_ITEM_CREATED',
  name: 'Item created',
  description: 'A new item',
  config: { type: 'object', properties: { secret: { type: 'string' } } },
  payload: { type: 'object' },
  type: 'webhook',
  webhook: { signature: { scheme: 'hmac-sha256', header: 'X-Acme-Signature', prefix: 'sha256=' }, secret: { source: 'generated' } },
}
const poll = {
  slug: 'ACME_NEW_ITEM',
  name: 'New item',
  description: 'Polls for items',
  config: { type: 'object' },
  payload: { type: 'object' },
  type: 'poll',
  poll: { action: 'ACME_LIST_ITEMS', intervalSeconds: 60, items: 'items', dedupe: 'id' },
}

function problems(triggers: unknown[]): string[] {
  const result = validateDefinition({ ...base, triggers })
  return result.ok ? [] : result.problems.map((p) => `${p.field} ${p.message}`)
}

describe('triggers in a definition', () => {
  it('accepts a webhook and a poll trigger', () => {
    expect(problems([webhook, poll])).toEqual([])
  })

  it('rejects a slug that is not UPPER_SNAKE and an unknown field', () => {
    expect(problems([{ ...webhook, slug: 'itemCreated' }])).toEqual(['/triggers/0/slug must match ^[A-Z][A-Z0-9_]{0,63}$'])
    expect(problems([{ ...webhook, colour: 'red' }])[0]).toContain('/triggers/0/colour is not a known field')
  })

  it('rejects a duplicate slug and a missing type block', () => {
    expect(problems([webhook, webhook])).toEqual(['/triggers/1/slug duplicates trigger "ACME_ITEM_CREATED"'])
    expect(problems([{ ...poll, poll: undefined }])).toEqual(['/triggers/0/poll is required for type poll'])
    expect(problems([{ ...webhook, poll: poll.poll }])).toEqual(['/triggers/0/poll is only allowed on type poll'])
  })

  it('rejects an interval under one minute and a poll with neither dedupe nor cursor', () => {
    expect(problems([{ ...poll, poll: { ...poll.poll, intervalSeconds: 30 } }])).toEqual(['/triggers/0/poll/intervalSeconds must be >= 60'])
    expect(problems([{ ...poll, poll: { action: 'ACME_LIST_ITEMS', intervalSeconds: 60, items: 'items' } }])).toEqual([
      '/triggers/0/poll needs dedupe (an item id path) or cursor (an input the hub advances)',
    ])
  })

  it('checks the poll action and its cursor input', () => {
    expect(problems([{ ...poll, poll: { ...poll.poll, action: 'ACME_NOPE' } }])).toEqual(['/triggers/0/poll/action names "ACME_NOPE", which is not an action of this definition'])
    expect(problems([{ ...poll, poll: { ...poll.poll, dedupe: undefined, cursor: { input: 'since', from: 'updated_at' } } }])).toEqual([])
    expect(problems([{ ...poll, poll: { ...poll.poll, cursor: { input: 'after', from: 'updated_at' } } }])).toEqual([
      '/triggers/0/poll/cursor/input names "after", which is not an input of ACME_LIST_ITEMS',
    ])
  })

  it('checks the signature, the secret source and payload routing', () => {
    expect(problems([{ ...webhook, webhook: { signature: { scheme: 'hmac-sha256' }, secret: { source: 'generated' } } }])).toEqual([
      '/triggers/0/webhook/signature/header is required for hmac-sha256 (e.g. X-Hub-Signature-256)',
    ])
    expect(problems([{ ...webhook, webhook: { signature: { scheme: 'stripe' } } }])).toEqual(['/triggers/0/webhook/secret is required for signature scheme stripe'])
    expect(problems([{ ...webhook, webhook: { signature: { scheme: 'stripe' }, secret: { source: 'config', input: 'whsec' } } }])).toEqual([
      '/triggers/0/webhook/secret/input must name a property of config for source config',
    ])
    expect(problems([{ ...webhook, webhook: { signature: { scheme: 'slack' }, secret: { source: 'oauth-app' } } }])).toEqual([
      '/triggers/0/webhook/secret/source oauth-app needs an OAUTH2 or OAUTH1 scheme on the integration',
    ])
    expect(
      problems([
        { ...webhook, webhook: { signature: { scheme: 'stripe' }, secret: { source: 'connection', input: 'api_key' }, routing: { by: 'payload', path: 'team', match: 'team' } } },
      ]),
    ).toEqual(['/triggers/0/webhook/routing/match names "team", which is neither a connection input nor token.<path> of an OAuth scheme'])
    expect(
      problems([
        {
          ...webhook,
          webhook: { signature: { scheme: 'stripe' }, secret: { source: 'connection', input: 'api_key' }, routing: { by: 'payload', path: 'team_id', match: 'team_id' } },
        },
      ]),
    ).toEqual([])
  })

  it('rejects a config schema that does not compile', () => {
    expect(problems([{ ...webhook, config: { type: 'object', properties: { a: { type: 'nonsense' } } } }])[0]).toMatch(/^\/triggers\/0\/config is not a valid JSON Schema/)
  })
})
