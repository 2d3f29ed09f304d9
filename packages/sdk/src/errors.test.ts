import { describe, expect, it } from 'vitest'
import {
  AixplainError,
  AixplainErrorCode,
  AuthenticationError,
  BillingError,
  errorFromCode,
  errorFromStatus,
  InternalError,
  isAixplainErrorCode,
  NetworkError,
  ResourceError,
  ServiceError,
  SupplierError,
  ValidationError,
} from './errors.js'

describe('errorFromStatus (§4.6)', () => {
  const table: Array<[number, new (...args: never[]) => AixplainError, string, string, boolean]> = [
    [400, ValidationError, 'AX-VAL-1000', 'Bad request: Please verify the request payload', false],
    [401, AuthenticationError, 'AX-AUTH-1000', 'Unauthorized API key:', false],
    [402, BillingError, 'AX-BIL-1000', 'Payment required:', false],
    [403, ResourceError, 'AX-RES-1000', 'Forbidden access:', false],
    [404, ResourceError, 'AX-RES-1000', 'Resource not found:', false],
    [429, SupplierError, 'AX-SUP-1000', 'Rate limit exceeded:', true],
    [500, InternalError, 'AX-INT-1000', 'Internal server error:', true],
    [503, ServiceError, 'AX-SVC-1000', 'Service unavailable:', true],
    [504, NetworkError, 'AX-NET-1000', 'Gateway timeout:', true],
    [460, ResourceError, 'AX-RES-1000', 'Subscription-related error:', false],
    [465, ResourceError, 'AX-RES-1000', 'Subscription-related error:', false],
    [469, ResourceError, 'AX-RES-1000', 'Subscription-related error:', false],
    [470, BillingError, 'AX-BIL-1000', 'Billing-related error:', false],
    [475, BillingError, 'AX-BIL-1000', 'Billing-related error:', false],
    [479, BillingError, 'AX-BIL-1000', 'Billing-related error:', false],
    [480, SupplierError, 'AX-SUP-1000', 'Supplier-related error:', true],
    [485, SupplierError, 'AX-SUP-1000', 'Supplier-related error:', true],
    [489, SupplierError, 'AX-SUP-1000', 'Supplier-related error:', true],
    [490, ValidationError, 'AX-VAL-1000', 'Validation-related error:', false],
    [495, ValidationError, 'AX-VAL-1000', 'Validation-related error:', false],
    [499, ValidationError, 'AX-VAL-1000', 'Validation-related error:', false],
    [405, InternalError, 'AX-INT-1000', 'Unspecified Client Error (Status 405)', false],
    [409, InternalError, 'AX-INT-1000', 'Unspecified Client Error (Status 409)', false],
    [459, InternalError, 'AX-INT-1000', 'Unspecified Client Error (Status 459)', false],
    [501, InternalError, 'AX-INT-1000', 'Unspecified Server Error (Status 501)', false],
    [502, InternalError, 'AX-INT-1000', 'Unspecified Server Error (Status 502)', true],
    [302, InternalError, 'AX-INT-1000', 'Unspecified Server Error (Status 302)', false],
  ]

  it.each(table)('maps %i to %o', (status, Class, code, lead, retry) => {
    const error = errorFromStatus(status, { error: 'err.something' })
    expect(error).toBeInstanceOf(Class)
    expect(error).toBeInstanceOf(AixplainError)
    expect(error).toBeInstanceOf(Error)
    expect(error.code).toBe(code)
    expect(error.errorCode).toBe(code)
    expect(error.statusCode).toBe(status)
    expect(error.message.startsWith(lead)).toBe(true)
    expect(error.message.endsWith(' Details: err.something')).toBe(true)
    expect(error.retryRecommended).toBe(retry)
    expect(error.severity).toBe('error')
  })

  it('uses the whole body as details when it has no `error`', () => {
    expect(errorFromStatus(401, 'An unspecified error occurred').message).toBe(
      'Unauthorized API key: Please verify the spelling of the API key and its current validity. Details: An unspecified error occurred',
    )
    expect(errorFromStatus(404, { statusCode: 404, message: 'Model not found' }).message).toMatch(/Details: \{"statusCode":404,"message":"Model not found"\}$/)
  })

  it('leaves out Details when there are none', () => {
    expect(errorFromStatus(418).message).toBe('Unspecified Client Error (Status 418)')
    expect(errorFromStatus(500, '').message).toBe('Internal server error: Please try again later.')
    expect(errorFromStatus(400, {}).message).toBe('Bad request: Please verify the request payload and ensure it is correct.')
  })

  it('keeps the body in details.response', () => {
    const body = { error: 'err.not_found', message: 'No such model' }
    expect(errorFromStatus(404, body).details).toEqual({ response: body })
  })
})

describe('AixplainError', () => {
  it('formats like aiXplain: ClassName [AX-XXX-1000]: message', () => {
    const error = new ValidationError('Parameter missing')
    expect(String(error)).toBe('ValidationError [AX-VAL-1000]: Parameter missing')
    expect(error.name).toBe('ValidationError')
    expect(String(errorFromStatus(401, { error: 'err.unauthorized' }))).toBe(
      'AuthenticationError [AX-AUTH-1000]: Unauthorized API key: Please verify the spelling of the API key and its current validity. Details: err.unauthorized',
    )
  })

  it('converts to a plain object', () => {
    const error = new SupplierError('Rate limit exceeded', { statusCode: 429, details: { a: 1 } })
    const dict = {
      message: 'Rate limit exceeded',
      category: 'supplier',
      severity: 'error',
      statusCode: 429,
      details: { a: 1 },
      retryRecommended: true,
      errorCode: 'AX-SUP-1000',
    }
    expect(error.toDict()).toEqual(dict)
    expect(JSON.parse(JSON.stringify(error))).toEqual(dict)
  })

  it('lets callers override retryRecommended and keeps the cause', () => {
    const cause = new Error('boom')
    const error = new NetworkError('down', { retryRecommended: false, cause })
    expect(error.retryRecommended).toBe(false)
    expect(error.cause).toBe(cause)
    expect(new InternalError('x', { statusCode: 503 }).retryRecommended).toBe(true)
    expect(new InternalError('x').retryRecommended).toBe(false)
  })

  it('builds the class a code names', () => {
    for (const code of Object.values(AixplainErrorCode)) {
      const error = errorFromCode(code, 'm')
      expect(error.code).toBe(code)
      expect(isAixplainErrorCode(code)).toBe(true)
    }
    expect(errorFromCode('AX-AUTH-1000', 'm')).toBeInstanceOf(AuthenticationError)
    expect(isAixplainErrorCode('AX-FOO-1000')).toBe(false)
    expect(isAixplainErrorCode('toString')).toBe(false)
  })
})
