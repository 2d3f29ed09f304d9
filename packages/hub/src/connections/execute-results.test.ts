import { describe, expect, it } from 'vitest'
import { PatchbayError } from '@patchbay/core'
import { toIntegration } from '../catalog/catalog.js'
import type { ConnectionRow } from '../store/store.js'
import { actionInputs, failure, notActive, success } from './execute-results.js'

const integration = toIntegration(
  {
    id: 'acme',
    name: 'Acme',
    description: 'd',
    baseUrl: 'https://api.example.com',
    auth: { NO_AUTH: {} },
    actions: [
      {
        code: 'GET_ONE',
        name: 'Get one',
        description: 'd',
        input: { type: 'object', required: ['id'], properties: { id: { type: 'string', title: 'Id' }, n: { type: 'array', default: [] } } },
        request: { method: 'GET', path: '/{id}' },
      },
    ],
  },
  'test',
)

describe('execute results', () => {
  it('wraps data in a SUCCESS body and an error in a FAILED one with its details', () => {
    expect(success(1, performance.now())).toMatchObject({ status: 'SUCCESS', completed: true, data: 1 })
    const body = failure(new PatchbayError('UPSTREAM_ERROR', 'boom', { supplierError: 'x', details: { upstreamStatus: 500 } }))
    expect(body).toMatchObject({ status: 'FAILED', errorMessage: 'boom', supplierError: 'x', data: { upstreamStatus: 500 }, code: 'UPSTREAM_ERROR' })
  })

  it('lists inputs of the requested actions case-insensitively', () => {
    const [spec] = actionInputs(integration, ['get_one'])
    expect(spec?.inputs.map((i) => [i.code, i.name, i.required, i.allowMulti])).toEqual([
      ['id', 'Id', true, false],
      ['n', 'n', false, true],
    ])
  })

  it('says what to do with a connection that is not active', () => {
    // Each state and reason said once (issue 11 item 16: "…PENDING (waiting …) and is waiting …").
    expect(notActive({ id: 'c', status: 'EXPIRED', status_reason: 'Acme rejected the refresh token; reconnect' } as ConnectionRow).message).toBe(
      'Connection c has EXPIRED (Acme rejected the refresh token); reconnect it (connect again with data.assetId set to c)',
    )
    const pending = notActive({ id: 'p', status: 'PENDING', status_reason: 'waiting for the user to grant access at the provider' } as ConnectionRow).message
    expect(pending).toBe(
      'Connection p is not usable yet: it is PENDING until the user grants access at the provider. Open the redirectURL returned at connect, grant access, then run the action again',
    )
    expect(pending.match(/waiting/g)).toBeNull()
  })
})
