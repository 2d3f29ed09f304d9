import type { IntegrationDefinition } from '@patchbay/core'
import { describe, expect, it } from 'vitest'
import { triggerTypes } from './trigger-types.js'

describe('triggerTypes', () => {
  it("answers aiXplain's TriggerTypeSpec fields only, none of the signing or polling details", () => {
    const def = {
      id: 'x',
      name: 'X',
      description: 'x',
      baseUrl: 'https://x.test',
      auth: { NO_AUTH: {} },
      actions: [],
      triggers: [
        {
          slug: 'X_EVENT',
          name: 'Event',
          description: 'An event',
          type: 'webhook',
          config: { type: 'object', properties: { signing_secret: { type: 'string' } } },
          payload: { type: 'object' },
          webhook: { signature: { scheme: 'stripe' }, secret: { source: 'config', input: 'signing_secret' } },
        },
      ],
    } satisfies IntegrationDefinition
    expect(triggerTypes(def)).toEqual([
      {
        slug: 'X_EVENT',
        name: 'Event',
        description: 'An event',
        type: 'webhook',
        config: { type: 'object', properties: { signing_secret: { type: 'string' } } },
        payload: { type: 'object' },
      },
    ])
    expect(triggerTypes({ ...def, triggers: undefined })).toEqual([])
  })
})
