import { describe, expect, it } from 'vitest'
import { valueAt } from './json-path.js'

describe('valueAt', () => {
  it('walks objects and arrays, and the empty path is the value', () => {
    const doc = { installation: { id: 42 }, results: [{ id: 'a' }, { id: 'b' }] }
    expect(valueAt(doc, 'installation.id')).toBe(42)
    expect(valueAt(doc, 'results.1.id')).toBe('b')
    expect(valueAt(doc, '')).toBe(doc)
  })
  it('answers undefined for a missing step and for inherited properties', () => {
    expect(valueAt({ a: 1 }, 'a.b')).toBeUndefined()
    expect(valueAt({ a: null }, 'a.b')).toBeUndefined()
    expect(valueAt({}, 'constructor')).toBeUndefined()
    expect(valueAt({}, '__proto__.toString')).toBeUndefined()
  })
})
