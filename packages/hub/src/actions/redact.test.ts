import { describe, expect, it } from 'vitest'
import { redact, redactHeaders } from './redact.js'

describe('redact', () => {
  it('replaces every occurrence of every sensitive string', () => {
    expect(redact('a=s3cret&b=s3cret&c=other', ['s3cret', 'other'])).toBe('a=[REDACTED]&b=[REDACTED]&c=[REDACTED]')
  })
  it('redacts header values and joins multi-valued ones', () => {
    expect(redactHeaders({ 'set-cookie': ['x=s3cret', 'y=1'], none: undefined }, ['s3cret'])).toEqual({ 'set-cookie': 'x=[REDACTED], y=1' })
  })
})
