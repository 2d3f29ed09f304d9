import { describe, expect, it } from 'vitest'
import { formEncode } from './form-encode.js'

describe('formEncode', () => {
  it('uses bracket notation for nested objects and arrays, and skips null', () => {
    const p = formEncode({ amount: 5, metadata: { k: 'v' }, items: [{ price: 'p1' }, { price: 'p2' }], gone: null })
    expect([...p.entries()]).toEqual([
      ['amount', '5'],
      ['metadata[k]', 'v'],
      ['items[0][price]', 'p1'],
      ['items[1][price]', 'p2'],
    ])
  })
})
