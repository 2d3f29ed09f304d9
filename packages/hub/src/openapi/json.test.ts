import { describe, expect, it } from 'vitest'
import { clip, firstParagraph, isObj } from './json.js'

describe('openapi json helpers', () => {
  it('tells objects from arrays and null, clips with an ellipsis, keeps the first paragraph', () => {
    expect([isObj({}), isObj([]), isObj(null), isObj('x')]).toEqual([true, false, false, false])
    expect(clip('  abcdef  ', 4)).toBe('abc…')
    expect(clip('abc', 4)).toBe('abc')
    expect(firstParagraph('First line.\n\nSecond.')).toBe('First line.')
  })
})
