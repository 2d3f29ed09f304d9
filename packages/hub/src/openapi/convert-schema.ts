/**
 * OpenAPI's schema dialect → the JSON Schema the runner validates with: 3.0's `nullable`,
 * boolean `exclusiveMinimum`, `example`, `readOnly`, vendor extensions, unknown formats and
 * patterns JavaScript cannot compile are rewritten or dropped, within a node budget.
 */
import { clip, isObj, type Json } from './json.js'

/** Budget of schema nodes per action: a few real schemas expand to millions when every `$ref` is inlined. */
export const NODE_BUDGET = 4_000
const MAX_SCHEMA_DEPTH = 12
/** Formats the hub's validator knows (ajv-formats); others are dropped rather than failing compilation. */
const KNOWN_FORMATS = new Set([
  'date',
  'time',
  'date-time',
  'iso-time',
  'iso-date-time',
  'duration',
  'uri',
  'uri-reference',
  'uri-template',
  'url',
  'email',
  'hostname',
  'ipv4',
  'ipv6',
  'regex',
  'uuid',
  'json-pointer',
  'json-pointer-uri-fragment',
  'relative-json-pointer',
  'byte',
  'int32',
  'int64',
  'float',
  'double',
  'password',
  'binary',
])
/** JSON Schema keywords kept from OpenAPI schemas; everything else (xml, discriminator, x-*, $schema…) is dropped. */
const SCHEMA_KEYWORDS = new Set([
  'type',
  'properties',
  'required',
  'additionalProperties',
  'items',
  'enum',
  'const',
  'description',
  'title',
  'default',
  'allOf',
  'anyOf',
  'oneOf',
  'not',
  'minimum',
  'maximum',
  'exclusiveMinimum',
  'exclusiveMaximum',
  'multipleOf',
  'minLength',
  'maxLength',
  'pattern',
  'format',
  'minItems',
  'maxItems',
  'uniqueItems',
  'minProperties',
  'maxProperties',
  'examples',
  'deprecated',
  'writeOnly',
])

/** Schema nodes left to spend on one action (shared by its inputs). */
export interface Budget {
  left: number
}

/**
 * Rewrites an OpenAPI schema (resolved, possibly cyclic) as standalone JSON Schema (draft-07
 * compatible): cycles and over-deep or over-large parts become `{}` (any value) with a note.
 * In request bodies, `readOnly` properties are dropped (the server ignores them).
 */
export function convertSchema(schema: unknown, budget: Budget = { left: NODE_BUDGET }, options: { request?: boolean } = {}): Json {
  const ancestors = new Set<object>()
  const walk = (node: unknown, depth: number): unknown => {
    if (typeof node === 'boolean') return node ? {} : { not: {} }
    if (!isObj(node)) return {}
    if (ancestors.has(node)) return { description: `Recursive: same shape as its enclosing ${typeof node['title'] === 'string' ? node['title'] : 'object'}` }
    if (depth > MAX_SCHEMA_DEPTH || budget.left <= 0) return { description: '(schema truncated: too deep or too large to describe)' }
    budget.left--
    ancestors.add(node)
    try {
      const out: Json = {}
      for (const [k, v] of Object.entries(node)) {
        if (!SCHEMA_KEYWORDS.has(k)) continue
        switch (k) {
          case 'properties': {
            if (!isObj(v)) break
            const props: Json = {}
            for (const [pk, pv] of Object.entries(v)) {
              if (options.request && isObj(pv) && pv['readOnly'] === true) continue
              props[pk] = walk(pv, depth + 1)
            }
            out[k] = props
            break
          }
          case 'items':
            out[k] = Array.isArray(v) ? (v.length ? walk(v[0], depth + 1) : {}) : walk(v, depth + 1)
            break
          case 'additionalProperties':
          case 'not':
            out[k] = typeof v === 'boolean' ? v : walk(v, depth + 1)
            break
          case 'allOf':
          case 'anyOf':
          case 'oneOf':
            if (Array.isArray(v)) out[k] = v.map((x) => walk(x, depth + 1))
            break
          case 'type':
            out[k] = v === 'file' ? 'string' : v
            break
          case 'format':
            if (typeof v === 'string' && KNOWN_FORMATS.has(v)) out[k] = v
            break
          case 'pattern':
            if (typeof v === 'string' && compiles(v)) out[k] = v
            break
          case 'exclusiveMinimum':
          case 'exclusiveMaximum':
            // OpenAPI 3.0 (draft-04) uses booleans next to minimum/maximum; draft-07 wants the bound itself.
            if (typeof v === 'number') out[k] = v
            break
          case 'required':
            if (Array.isArray(v)) out[k] = [...new Set(v.filter((x): x is string => typeof x === 'string'))]
            break
          case 'enum':
            // Real documents repeat enum values; JSON Schema requires them unique.
            if (Array.isArray(v)) out[k] = [...new Map(v.map((x) => [JSON.stringify(x), x])).values()]
            break
          case 'description':
          case 'title':
            if (typeof v === 'string') out[k] = clip(v, 500)
            break
          default:
            out[k] = v
        }
      }
      if (node['exclusiveMinimum'] === true && typeof node['minimum'] === 'number') {
        out['exclusiveMinimum'] = node['minimum']
        delete out['minimum']
      }
      if (node['exclusiveMaximum'] === true && typeof node['maximum'] === 'number') {
        out['exclusiveMaximum'] = node['maximum']
        delete out['maximum']
      }
      if (node['nullable'] === true) {
        if (typeof out['type'] === 'string') out['type'] = [out['type'], 'null']
        if (Array.isArray(out['enum']) && !out['enum'].includes(null)) out['enum'] = [...out['enum'], null]
      }
      if (node['example'] !== undefined && out['examples'] === undefined) out['examples'] = [node['example']]
      if (out['examples'] !== undefined && !Array.isArray(out['examples'])) delete out['examples']
      if (options.request && Array.isArray(out['required']) && isObj(out['properties'])) {
        const props = out['properties']
        out['required'] = (out['required'] as string[]).filter((r) => r in props || !isObj(node['properties']) || !(r in node['properties']))
        if ((out['required'] as string[]).length === 0) delete out['required']
      }
      return out
    } finally {
      ancestors.delete(node)
    }
  }
  const r = walk(schema, 0)
  return isObj(r) ? r : {}
}

function compiles(pattern: string): boolean {
  try {
    new RegExp(pattern, 'u')
    return true
  } catch {
    return false
  }
}
