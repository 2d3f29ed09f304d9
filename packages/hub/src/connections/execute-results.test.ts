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
    actions: [{ code: 'GET_ONE', name: 'Get one', description: 'd', input: { type: 'object', required: ['id'], properties: { id: { type: 'string', title: 'Id' }, n: { type: 'array', default: [] } } }, request: { method: 'GET', path: '/{id}' } }],
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
    expect(notActive({ id: 'c', status: 'EXPIRED', status_reason: 'gone' } as ConnectionRow).message).toBe(
      'Connection c is EXPIRED (gone) and has expired: reconnect it (connect again with data.assetId set to this id)',
    )
  })
})
