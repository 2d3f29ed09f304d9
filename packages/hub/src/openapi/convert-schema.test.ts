import { describe, expect, it } from 'vitest'
import { convertSchema } from './convert-schema.js'

describe('convertSchema', () => {
  it('rewrites 3.0 nullable and drops vendor extensions and unknown formats', () => {
    const out = convertSchema({ type: 'string', nullable: true, format: 'x-weird', 'x-internal': true, description: 'd' })
    expect(out['x-internal']).toBeUndefined()
    expect(out['format']).toBeUndefined()
    expect(JSON.stringify(out)).toContain('null')
  })

  it('turns a cycle into an any-value schema instead of recursing', () => {
    const node: Record<string, unknown> = { type: 'object', properties: {} }
    ;(node['properties'] as Record<string, unknown>)['self'] = node
    const out = convertSchema(node)
    expect(JSON.stringify(out).length).toBeLessThan(2_000)
  })
})
