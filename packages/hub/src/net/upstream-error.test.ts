import { describe, expect, it } from 'vitest'
import { PatchbayError } from '@patchbay/core'
import { networkReason, unreachable } from './upstream-error.js'

describe('network errors', () => {
  it('maps a network failure to UPSTREAM_UNREACHABLE with the cause code', () => {
    const e = unreachable(Object.assign(new Error('x'), { code: 'ECONNRESET' }), 'Could not reach Acme at https://a')
    expect(e).toMatchObject({ code: 'UPSTREAM_UNREACHABLE', message: 'Could not reach Acme at https://a: ECONNRESET' })
  })
  it('answers the network policy refusal found in the cause chain as it is', () => {
    const refused = new PatchbayError('VALIDATION', 'private address')
    expect(unreachable(new TypeError('fetch failed', { cause: refused }), 'x')).toBe(refused)
  })
  it('says why in plain words', () => {
    expect(networkReason({ code: 'ECONNREFUSED' })).toBe('the connection was refused')
    expect(networkReason({ name: 'TimeoutError' }, 50)).toBe('no answer within 50 ms')
    expect(networkReason({ code: 'ENOTFOUND' })).toBe('the host name does not resolve')
    expect(networkReason({})).toBe('a network error')
  })
})
