import { describe, expect, it } from 'vitest'
import { ModelResponse } from './model-response.js'

describe('ModelResponse', () => {
  it('has aiXplain defaults', () => {
    const response = new ModelResponse({ status: 'SUCCESS' })
    expect(response.data).toBe('')
    expect(response.details).toEqual({})
    expect(response.completed).toBe(false)
    expect(response.errorMessage).toBe('')
    expect(response.usedCredits).toBe(0)
    expect(response.runTime).toBe(0)
    expect(response.usage).toBeUndefined()
    expect(response.url).toBeUndefined()
    expect(response.errorCode).toBeUndefined()
    expect(response.asset).toBeUndefined()
    expect(response.additionalFields).toEqual({})
  })

  it('falls back to `error`, then ` - <supplierError>`, when errorMessage is empty', () => {
    expect(new ModelResponse({ status: 'FAILED', additionalFields: { error: 'err.supplier_error' } }).errorMessage).toBe('err.supplier_error')
    expect(new ModelResponse({ status: 'FAILED', additionalFields: { error: 'err.supplier_error', supplierError: 'Name already exists' } }).errorMessage).toBe(
      'err.supplier_error - Name already exists',
    )
    expect(new ModelResponse({ status: 'FAILED', additionalFields: { supplierError: 'Name already exists' } }).errorMessage).toBe('Name already exists')
    expect(new ModelResponse({ status: 'FAILED', errorMessage: 'explicit', additionalFields: { error: 'x', supplierError: 'y' } }).errorMessage).toBe('explicit')
  })

  it('reads a wire body: known keys to fields, the rest to additionalFields', () => {
    const response = ModelResponse.fromBody(
      {
        status: 'SUCCESS',
        completed: true,
        data: 'Test Model Result',
        usedCredits: 0.05,
        runTime: 1.2,
        usage: { total_tokens: 30 },
        asset: { assetId: 'm', id: 'openai/gpt-5-mini/openai' },
        details: [{ step: 1 }],
        requestId: 'r1',
      },
      'SUCCESS',
    )
    expect(response.status).toBe('SUCCESS')
    expect(response.completed).toBe(true)
    expect(response.data).toBe('Test Model Result')
    expect(response.usedCredits).toBe(0.05)
    expect(response.runTime).toBe(1.2)
    expect(response.usage).toEqual({ total_tokens: 30 })
    expect(response.asset).toEqual({ assetId: 'm', id: 'openai/gpt-5-mini/openai' })
    expect(response.details).toEqual([{ step: 1 }])
    expect(response.additionalFields).toEqual({ requestId: 'r1' })
  })

  it('takes error_message, else errorMessage, from a FAILED body', () => {
    expect(ModelResponse.fromBody({ error_message: 'a', errorMessage: 'b' }, 'FAILED').errorMessage).toBe('a')
    expect(ModelResponse.fromBody({ errorMessage: 'b' }, 'FAILED').errorMessage).toBe('b')
    expect(ModelResponse.fromBody({ error_code: 'AX-VAL-1000' }, 'FAILED').errorCode).toBe('AX-VAL-1000')
  })

  it('gets fields by camelCase, snake_case or wire name, and extra keys', () => {
    const response = new ModelResponse({
      status: 'FAILED',
      errorMessage: 'bad',
      usedCredits: 2,
      runTime: 3,
      additionalFields: { requestId: 'r' },
    })
    expect(response.get('errorMessage')).toBe('bad')
    expect(response.get('error_message')).toBe('bad')
    expect(response.get('usedCredits')).toBe(2)
    expect(response.get('used_credits')).toBe(2)
    expect(response.get('runTime')).toBe(3)
    expect(response.get('run_time')).toBe(3)
    expect(response.get('requestId')).toBe('r')
    expect(response.get('missing')).toBeUndefined()
    expect(response.get('missing', 'dflt')).toBe('dflt')
    expect(response.has('requestId')).toBe(true)
    expect(response.has('status')).toBe(true)
    expect(response.has('nope')).toBe(false)
  })

  it('converts to a plain object with extras at the top level', () => {
    const response = new ModelResponse({ status: 'SUCCESS', data: { id: 'x' }, completed: true, additionalFields: { requestId: 'r' } })
    const dict = {
      status: 'SUCCESS',
      data: { id: 'x' },
      details: {},
      completed: true,
      errorMessage: '',
      usedCredits: 0,
      runTime: 0,
      usage: undefined,
      asset: undefined,
      url: undefined,
      errorCode: undefined,
      requestId: 'r',
    }
    expect(response.toDict()).toEqual(dict)
    expect(JSON.parse(JSON.stringify(response))).toEqual({
      status: 'SUCCESS',
      data: { id: 'x' },
      details: {},
      completed: true,
      errorMessage: '',
      usedCredits: 0,
      runTime: 0,
      requestId: 'r',
    })
  })

  it('prints only the fields that are set', () => {
    expect(String(new ModelResponse({ status: 'SUCCESS', data: 'hi', completed: true, runTime: 1.5 }))).toBe(
      "ModelResponse(status=SUCCESS, data='hi', completed=true, runTime=1.5)",
    )
    expect(String(new ModelResponse({ status: 'FAILED', errorMessage: 'No response from the service.' }))).toBe(
      "ModelResponse(status=FAILED, errorMessage='No response from the service.')",
    )
  })
})
