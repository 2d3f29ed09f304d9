import { describe, expect, it } from 'vitest'
import { normaliseInput } from './normalise-input.js'

describe('normaliseInput', () => {
  it('takes an object, a JSON string of one, or nothing', () => {
    expect(normaliseInput({ a: 1 }, 'X')).toEqual({ a: 1 })
    expect(normaliseInput('{"a":1}', 'X')).toEqual({ a: 1 })
    expect(normaliseInput(' ', 'X')).toEqual({})
    expect(normaliseInput(undefined, 'X')).toEqual({})
  })
  it('refuses anything else naming what it wanted', () => {
    expect(() => normaliseInput('[1]', 'X')).toThrow(/data for X must be an object of inputs; got an array/)
    expect(() => normaliseInput('nope', 'T', 'tool arguments')).toThrow(/object of tool arguments \(or a JSON string of one\)/)
  })
})
