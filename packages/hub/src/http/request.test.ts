import { describe, expect, it } from 'vitest'
import type { FastifyRequest } from 'fastify'
import { baseUrlOf, int, requireObject } from './request.js'

describe('request readers', () => {
  it('requireObject reads a missing body as {} and refuses arrays and scalars', () => {
    expect(requireObject(undefined, 'x')).toEqual({})
    expect(requireObject({ a: 1 }, 'x')).toEqual({ a: 1 })
    expect(() => requireObject([1], 'execute')).toThrow('The execute body must be a JSON object; got an array')
    expect(() => requireObject('s', 'execute')).toThrow('got string')
  })

  it('int falls back when absent and names the field and range when out of it', () => {
    expect(int(undefined, 'pageSize', 20, 1, 100)).toBe(20)
    expect(int('7', 'pageSize', 20, 1, 100)).toBe(7)
    expect(() => int(0, 'pageSize', 20, 1, 100)).toThrow('pageSize must be an integer from 1 to 100')
    expect(() => int('1.5', 'pageSize', 20, 1, 100)).toThrow('pageSize must be an integer')
  })

  it('baseUrlOf prefers the public URL, else the request origin', () => {
    const req = { protocol: 'http', host: '127.0.0.1:8470' } as FastifyRequest
    expect(baseUrlOf(() => 'https://hub.example', req)).toBe('https://hub.example')
    expect(baseUrlOf(() => undefined, req)).toBe('http://127.0.0.1:8470')
  })
})
