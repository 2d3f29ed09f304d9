import { describe, expect, it } from 'vitest'
import { operations } from './operations.js'

describe('operations', () => {
  it('makes one action per operation with path parameters required at the top level and query under query', () => {
    const api = {
      openapi: '3.1.0',
      paths: {
        '/pets/{id}': {
          get: {
            operationId: 'getPet',
            summary: 'Get a pet',
            parameters: [
              { name: 'id', in: 'path', required: true, schema: { type: 'string' } },
              { name: 'fields', in: 'query', schema: { type: 'string' } },
            ],
          },
        },
      },
    }
    const warnings: string[] = []
    const [action] = operations(api, false, warnings)
    expect(action?.request.method).toBe('GET')
    expect(action?.request.path).toContain('{id}')
    expect(action?.input['required']).toContain('id')
    expect(Object.keys(action?.input['properties'] as object)).toEqual(expect.arrayContaining(['id', 'query']))
  })
})
