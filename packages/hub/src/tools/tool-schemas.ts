/**
 * Connection actions as tool definitions for model vendors: OpenAI function calling, Anthropic
 * tool use, and MCP. Names are made to satisfy every vendor at once (`^[a-zA-Z0-9_-]{1,64}$`),
 * and input schemas are rewritten to the JSON Schema subset each one accepts.
 *
 * No library converts JSON Schema to these vendor subsets, so the rewrite is hand-written here;
 * it is a pure function over plain JSON, tested against each vendor's documented constraints.
 *
 * @see https://platform.openai.com/docs/guides/function-calling (names, strict mode)
 * @see https://platform.openai.com/docs/guides/structured-outputs#supported-schemas
 * @see https://docs.anthropic.com/en/docs/agents-and-tools/tool-use/implement-tool-use
 * @see https://modelcontextprotocol.io/specification/2025-06-18/server/tools
 */
import { createHash } from 'node:crypto'

/** The tool formats the hub exports. */
export const ToolFormat = {
  OPENAI: 'openai',
  ANTHROPIC: 'anthropic',
  MCP: 'mcp',
} as const
/** One of {@link ToolFormat}. */
export type ToolFormat = (typeof ToolFormat)[keyof typeof ToolFormat]

/** Whether a string is a {@link ToolFormat}. */
export function isToolFormat(v: unknown): v is ToolFormat {
  return v === 'openai' || v === 'anthropic' || v === 'mcp'
}

/** The name rule shared by OpenAI, Anthropic and (a subset of) MCP. */
export const TOOL_NAME_PATTERN = /^[a-zA-Z0-9_-]{1,64}$/

/** One action of one connection, as an agent sees it, before vendor formatting. */
export interface AgentTool {
  /** Unique in its set; satisfies {@link TOOL_NAME_PATTERN}. */
  name: string
  /** Display title (the action's name). */
  title: string
  description: string
  /** The action's input JSON Schema (`type: object`). */
  inputSchema: Record<string, unknown>
  connectionId: string
  connectionName: string
  /** The action code to run. */
  action: string
}

/** An OpenAI function tool (Chat Completions `tools[]` item). */
export interface OpenAITool {
  type: 'function'
  function: { name: string; description: string; parameters: Record<string, unknown>; strict?: boolean }
}

/** An Anthropic tool (Messages API `tools[]` item). */
export interface AnthropicTool {
  name: string
  description: string
  input_schema: Record<string, unknown>
}

/** An MCP tool (`tools/list` result item). */
export interface McpTool {
  name: string
  title?: string
  description: string
  inputSchema: Record<string, unknown>
}

/** Options of {@link formatTools}. */
export interface FormatOptions {
  /** OpenAI only: emit strict-mode schemas (every property required, optional ones nullable, no extra properties). */
  strict?: boolean
}

/** OpenAI's documented maximum for a function description is 1024 characters. */
const MAX_DESCRIPTION = 1024

function slug(s: string): string {
  return s
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .replace(/[^a-zA-Z0-9_-]+/g, '_')
    .replace(/_+/g, '_')
    .replace(/^[_-]+|[_-]+$/g, '')
}

function shortHash(s: string): string {
  return createHash('sha256').update(s).digest('hex').slice(0, 6)
}

/**
 * A tool name that satisfies {@link TOOL_NAME_PATTERN}, unique within `taken` (which it adds to).
 * With a `prefix` (a connection's name), tools of several connections never collide:
 * `my_github__GITHUB_GET_REPOSITORY`. Long names are cut and given a short hash, so two long
 * names that share a beginning stay distinct and stable.
 *
 * @example
 * ```ts
 * const taken = new Set<string>()
 * toolName('GITHUB_GET_REPOSITORY', 'My GitHub', taken) // 'My_GitHub__GITHUB_GET_REPOSITORY'
 * ```
 */
export function toolName(action: string, prefix: string | undefined, taken: Set<string>): string {
  const a = slug(action) || 'action'
  const p = prefix === undefined ? '' : slug(prefix).slice(0, 24)
  let name = p ? `${p}__${a}` : a
  if (name.length > 64) name = `${name.slice(0, 57)}_${shortHash(`${prefix ?? ''}\0${action}`)}`
  let unique = name
  for (let i = 2; taken.has(unique); i++) {
    const suffix = `_${i}`
    unique = `${name.slice(0, 64 - suffix.length)}${suffix}`
  }
  taken.add(unique)
  return unique
}

/** Keywords each format keeps; anything else (vendor extensions, `$schema`, `examples`…) is dropped. */
const COMMON = [
  'type',
  'properties',
  'required',
  'additionalProperties',
  'items',
  'enum',
  'const',
  'anyOf',
  'description',
  'title',
  '$ref',
  '$defs',
  'definitions',
  'pattern',
  'format',
  'minimum',
  'maximum',
  'exclusiveMinimum',
  'exclusiveMaximum',
  'multipleOf',
  'minItems',
  'maxItems',
  'minLength',
  'maxLength',
  'default',
]
const KEEP: Record<ToolFormat | 'openai-strict', Set<string>> = {
  // Structured Outputs' supported subset: no allOf/oneOf/not/if, no patternProperties, no min/maxProperties.
  openai: new Set([...COMMON]),
  'openai-strict': new Set(COMMON.filter((k) => k !== 'default' && k !== 'definitions' && k !== 'minLength' && k !== 'maxLength')),
  anthropic: new Set([...COMMON, 'oneOf', 'allOf', 'not', 'uniqueItems', 'minProperties', 'maxProperties', 'patternProperties', 'prefixItems', 'examples']),
  mcp: new Set([...COMMON, 'oneOf', 'allOf', 'not', 'uniqueItems', 'minProperties', 'maxProperties', 'patternProperties', 'prefixItems', 'examples', '$schema']),
}
/** Formats OpenAI strict mode accepts for `format`. */
const OPENAI_FORMATS = new Set(['date-time', 'time', 'date', 'duration', 'email', 'hostname', 'ipv4', 'ipv6', 'uuid'])
const SCHEMA_MAPS = new Set(['properties', '$defs', 'definitions', 'patternProperties'])
const SCHEMA_LISTS = new Set(['anyOf', 'oneOf', 'allOf', 'prefixItems'])
const SCHEMA_ONE = new Set(['items', 'additionalProperties', 'not'])
const MAX_DEPTH = 32

type Json = Record<string, unknown>
const isObj = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v)

/**
 * Rewrites a JSON Schema to what `format` accepts. For OpenAI: `oneOf` becomes `anyOf`,
 * `allOf` of object schemas is merged, unsupported keywords are dropped (a dropped `default` is
 * kept as text in the description), and `format` is kept only where strict mode supports it.
 * With `strict`, every object gets `additionalProperties: false` and lists all its properties as
 * required, optional ones becoming nullable (OpenAI's documented way to express "optional").
 * Every format: `required` only names existing properties; the root is `type: object`.
 */
export function sanitizeSchema(schema: Record<string, unknown>, format: ToolFormat, options: FormatOptions = {}): Record<string, unknown> {
  const mode = format === 'openai' && options.strict ? 'openai-strict' : format
  const out = walk(schema, mode, 0)
  const root: Json = isObj(out) ? out : {}
  for (const k of ['anyOf', 'oneOf', 'allOf', 'not', 'enum', 'const']) delete root[k]
  root['type'] = 'object'
  if (!isObj(root['properties'])) root['properties'] = {}
  if (mode === 'openai-strict') strictObject(root)
  return root
}

function walk(node: unknown, mode: keyof typeof KEEP, depth: number): unknown {
  if (!isObj(node)) return typeof node === 'boolean' ? (node ? {} : { not: {} }) : {}
  if (depth > MAX_DEPTH) return { description: '(nested too deeply to describe)' }
  let src: Json = node
  const openai = mode === 'openai' || mode === 'openai-strict'
  if (openai && Array.isArray(src['allOf'])) src = mergeAllOf(src)
  // OpenAPI 3.0's `nullable: true` is JSON Schema's type union with null.
  if (src['nullable'] === true && typeof src['type'] === 'string') src = { ...src, type: [src['type'], 'null'] }
  const keep = KEEP[mode]
  const out: Json = {}
  const notes: string[] = []
  for (const [k, v] of Object.entries(src)) {
    let key = k
    if (openai && k === 'oneOf') key = 'anyOf'
    if (!keep.has(key)) {
      if (k === 'default' && v !== undefined) notes.push(`Default: ${JSON.stringify(v)}.`)
      continue
    }
    if (SCHEMA_MAPS.has(key)) {
      if (!isObj(v)) continue
      const m: Json = {}
      for (const [pk, pv] of Object.entries(v)) m[pk] = walk(pv, mode, depth + 1)
      out[key] = m
    } else if (SCHEMA_LISTS.has(key)) {
      if (!Array.isArray(v)) continue
      out[key] = [...((out[key] as unknown[] | undefined) ?? []), ...v.map((x) => walk(x, mode, depth + 1))]
    } else if (SCHEMA_ONE.has(key)) {
      if (typeof v === 'boolean') out[key] = key === 'additionalProperties' ? v : walk(v, mode, depth + 1)
      else if (isObj(v)) out[key] = walk(v, mode, depth + 1)
      else if (Array.isArray(v) && key === 'items') out[key] = v.length ? walk(v[0], mode, depth + 1) : {}
    } else if (key === 'format' && openai && !OPENAI_FORMATS.has(String(v))) {
      notes.push(`Format: ${String(v)}.`)
    } else if (key === 'required') {
      if (Array.isArray(v)) out[key] = v.filter((x) => typeof x === 'string')
    } else if (key === '$ref') {
      // Only local references survive an export (remote ones cannot be resolved by a vendor).
      if (typeof v === 'string' && v.startsWith('#')) out[key] = openai ? v.replace('#/definitions/', '#/$defs/') : v
    } else {
      out[key] = v
    }
  }
  if (openai && isObj(out['definitions'])) {
    out['$defs'] = { ...(out['definitions'] as Json), ...((out['$defs'] as Json | undefined) ?? {}) }
    delete out['definitions']
  }
  if (isObj(out['properties']) && Array.isArray(out['required'])) {
    const props = out['properties'] as Json
    out['required'] = (out['required'] as string[]).filter((r) => r in props)
    if ((out['required'] as string[]).length === 0) delete out['required']
  }
  if (notes.length) out['description'] = [typeof out['description'] === 'string' ? out['description'] : '', ...notes].filter(Boolean).join(' ')
  return out
}

/** Merges `allOf` members that are plain object schemas into one (others are kept as `anyOf` of one). */
function mergeAllOf(src: Json): Json {
  const { allOf, ...rest } = src
  const merged: Json = { ...rest }
  const props: Json = { ...((rest['properties'] as Json | undefined) ?? {}) }
  const required = new Set<string>(Array.isArray(rest['required']) ? (rest['required'] as string[]) : [])
  for (const part of allOf as unknown[]) {
    if (!isObj(part)) continue
    const p = Array.isArray(part['allOf']) ? mergeAllOf(part) : part
    if (isObj(p['properties'])) Object.assign(props, p['properties'])
    if (Array.isArray(p['required'])) for (const r of p['required'] as string[]) required.add(r)
    for (const [k, v] of Object.entries(p)) if (k !== 'properties' && k !== 'required' && !(k in merged)) merged[k] = v
  }
  if (Object.keys(props).length) merged['properties'] = props
  if (required.size) merged['required'] = [...required]
  if (merged['type'] === undefined && merged['properties'] !== undefined) merged['type'] = 'object'
  return merged
}

function nullable(schema: unknown): Json {
  const s = isObj(schema) ? schema : {}
  const t = s['type']
  if (typeof t === 'string') return t === 'null' ? s : { ...s, type: [t, 'null'], ...(Array.isArray(s['enum']) ? { enum: [...(s['enum'] as unknown[]), null] } : {}) }
  if (Array.isArray(t)) return t.includes('null') ? s : { ...s, type: [...t, 'null'] }
  if (Array.isArray(s['anyOf'])) return { ...s, anyOf: [...(s['anyOf'] as unknown[]), { type: 'null' }] }
  if (s['$ref'] !== undefined) return { anyOf: [s, { type: 'null' }] }
  // A schema with no type accepts null already; strict mode still wants a type, so say "any JSON".
  return {
    ...s,
    anyOf: [
      { type: 'string' },
      { type: 'number' },
      { type: 'boolean' },
      { type: 'object', properties: {}, additionalProperties: false, required: [] },
      { type: 'array', items: { type: 'string' } },
      { type: 'null' },
    ],
  }
}

/** OpenAI strict mode: closed objects, all properties required, optional ones nullable. */
function strictObject(node: Json): void {
  const visit = (n: unknown): void => {
    if (!isObj(n)) return
    const isObject = n['type'] === 'object' || (Array.isArray(n['type']) && (n['type'] as unknown[]).includes('object')) || isObj(n['properties'])
    if (isObject) {
      const props = (isObj(n['properties']) ? n['properties'] : {}) as Json
      const required = new Set(Array.isArray(n['required']) ? (n['required'] as string[]) : [])
      for (const [k, v] of Object.entries(props)) {
        visit(v)
        props[k] = required.has(k) ? v : nullable(v)
      }
      n['properties'] = props
      n['required'] = Object.keys(props)
      // Free-form maps (additionalProperties: schema) cannot be expressed in strict mode: closed.
      n['additionalProperties'] = false
      if (n['type'] === undefined) n['type'] = 'object'
    }
    for (const key of ['items']) if (isObj(n[key])) visit(n[key])
    for (const key of ['anyOf']) if (Array.isArray(n[key])) for (const x of n[key] as unknown[]) visit(x)
    for (const key of ['$defs']) if (isObj(n[key])) for (const x of Object.values(n[key] as Json)) visit(x)
    if (n['type'] === undefined && n['anyOf'] === undefined && n['$ref'] === undefined && n['const'] === undefined && n['enum'] === undefined) {
      Object.assign(n, nullable(n))
    }
  }
  visit(node)
}

function describe(tool: AgentTool): string {
  const text = tool.description.trim() || tool.title
  return text.length > MAX_DESCRIPTION ? `${text.slice(0, MAX_DESCRIPTION - 1)}…` : text
}

/**
 * Formats tools for a vendor.
 *
 * @example
 * ```ts
 * const tools = formatTools(agentTools, 'anthropic')
 * await anthropic.messages.create({ model, tools, messages })
 * ```
 */
export function formatTools(tools: readonly AgentTool[], format: 'openai', options?: FormatOptions): OpenAITool[]
export function formatTools(tools: readonly AgentTool[], format: 'anthropic', options?: FormatOptions): AnthropicTool[]
export function formatTools(tools: readonly AgentTool[], format: 'mcp', options?: FormatOptions): McpTool[]
export function formatTools(tools: readonly AgentTool[], format: ToolFormat, options?: FormatOptions): Array<OpenAITool | AnthropicTool | McpTool>
export function formatTools(tools: readonly AgentTool[], format: ToolFormat, options: FormatOptions = {}): Array<OpenAITool | AnthropicTool | McpTool> {
  return tools.map((t) => {
    const schema = sanitizeSchema(t.inputSchema, format, options)
    switch (format) {
      case 'openai':
        return { type: 'function', function: { name: t.name, description: describe(t), parameters: schema, ...(options.strict ? { strict: true } : {}) } }
      case 'anthropic':
        return { name: t.name, description: describe(t), input_schema: schema }
      case 'mcp':
        return { name: t.name, title: t.title, description: describe(t), inputSchema: schema }
    }
  })
}
