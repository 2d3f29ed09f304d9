import { describe, expect, it } from 'vitest'
import { setHeader } from './scheme.js'

describe('setHeader', () => {
  it('replaces an entry of the same name in any case', () => {
    const headers: Record<string, string> = { authorization: 'a', 'X-Other': 'o' }
    setHeader(headers, 'Authorization', 'b')
    expect(headers).toEqual({ 'X-Other': 'o', Authorization: 'b' })
  })
})
