/** OpenAPI operations → actions: one per operation, with path, query, header and body inputs. */
import { createHash } from 'node:crypto'
import type { ActionDefinition, RequestDefinition } from '@patchbay/core'
import { convertSchema, NODE_BUDGET, type Budget } from './convert-schema.js'
import { clip, isObj, MAX_DESCRIPTION, type Json } from './json.js'

const METHODS = ['get', 'post', 'put', 'patch', 'delete', 'head'] as const
/** Input names the importer uses for the request's parts. */
const RESERVED_INPUTS = new Set(['query', 'headers', 'body'])
/** Headers OpenAPI says a parameter cannot define (they are set by content negotiation and auth). */
const IGNORED_HEADERS = new Set(['accept', 'content-type', 'authorization'])

function actionCode(op: Json, method: string, path: string, taken: Set<string>): string {
  const source = typeof op['operationId'] === 'string' && op['operationId'].trim() ? op['operationId'] : `${method} ${path.replace(/\{([^}]*)\}/g, 'by $1')}`
  let code = source
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/[^A-Za-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '')
    .toUpperCase()
  if (!/^[A-Z]/.test(code)) code = `OP_${code}`
  if (code.length > 64) code = `${code.slice(0, 57)}_${createHash('sha256').update(source).digest('hex').slice(0, 6).toUpperCase()}`
  let unique = code
  for (let i = 2; taken.has(unique); i++) unique = `${code.slice(0, 64 - String(i).length - 1)}_${i}`
  taken.add(unique)
  return unique
}

/** A safe placeholder name for a path parameter (`repo-name` → `repo_name`). */
function placeholderName(name: string, taken: Set<string>): string {
  let n = name.replace(/[^A-Za-z0-9_]/g, '_')
  if (!/^[A-Za-z_]/.test(n)) n = `_${n}`
  n = n.slice(0, 60)
  let unique = n
  for (let i = 2; taken.has(unique) || RESERVED_INPUTS.has(unique); i++) unique = `${n}_${i}`
  taken.add(unique)
  return unique
}

interface Param {
  name: string
  in: string
  required: boolean
  schema: Json
}

function paramsOf(list: unknown, swagger2: boolean, budget: Budget): Param[] {
  const out: Param[] = []
  for (const p of Array.isArray(list) ? list : []) {
    if (!isObj(p) || typeof p['name'] !== 'string' || typeof p['in'] !== 'string') continue
    let schema: Json
    if (swagger2 && p['in'] !== 'body') {
      // Swagger 2 non-body parameters carry their schema inline.
      const { name: _n, in: _i, required: _r, description: _d, collectionFormat: _c, allowEmptyValue: _a, ...rest } = p
      schema = convertSchema({ ...rest, type: rest['type'] === 'file' ? 'string' : rest['type'] }, budget)
    } else {
      schema = convertSchema(isObj(p['schema']) ? p['schema'] : isObj(p['content']) ? firstMediaSchema(p['content']) : {}, budget, { request: p['in'] === 'body' })
    }
    if (typeof p['description'] === 'string' && p['description'].trim()) schema = { ...schema, description: clip(p['description'], 500) }
    out.push({ name: p['name'], in: p['in'], required: p['required'] === true || p['in'] === 'path', schema })
  }
  return out
}

function firstMediaSchema(content: Json): Json {
  for (const v of Object.values(content)) if (isObj(v) && isObj(v['schema'])) return v['schema']
  return {}
}

/** Merges path-level and operation-level parameters (the operation's win, by name and location). */
function mergeParams(pathLevel: Param[], opLevel: Param[]): Param[] {
  const key = (p: Param) => `${p.in}\0${p.name}`
  const map = new Map<string, Param>()
  for (const p of [...pathLevel, ...opLevel]) map.set(key(p), p)
  return [...map.values()]
}

/** One action per operation of the document (methods get…head), with what was left out in `warnings`. */
export function operations(api: Json, swagger2: boolean, warnings: string[]): ActionDefinition[] {
  const paths = isObj(api['paths']) ? api['paths'] : {}
  const actions: ActionDefinition[] = []
  const codes = new Set<string>()
  const globalConsumes = Array.isArray(api['consumes']) ? (api['consumes'] as string[]) : []
  for (const [path, item] of Object.entries(paths)) {
    if (!isObj(item) || !path.startsWith('/')) continue
    for (const method of METHODS) {
      const op = item[method]
      if (!isObj(op)) continue
      const where = `${method.toUpperCase()} ${path}`
      try {
        const action = operation(op, item, method, path, swagger2, globalConsumes, codes)
        if (typeof action === 'string') warnings.push(`${where}: ${action}`)
        else actions.push(action)
      } catch (err) {
        warnings.push(`${where}: skipped (${(err as Error).message})`)
      }
    }
  }
  return actions
}

function operation(op: Json, item: Json, method: string, path: string, swagger2: boolean, globalConsumes: string[], codes: Set<string>): ActionDefinition | string {
  const budget: Budget = { left: NODE_BUDGET }
  const params = mergeParams(paramsOf(item['parameters'], swagger2, budget), paramsOf(op['parameters'], swagger2, budget))
  const properties: Json = {}
  const required: string[] = []

  // Path parameters: top-level inputs with safe names, referenced by the path template.
  const names = new Set<string>()
  const rename = new Map<string, string>()
  for (const p of params.filter((x) => x.in === 'path')) rename.set(p.name, placeholderName(p.name, names))
  let template = path.replace(/\{([^}]+)\}/g, (_m, raw: string) => {
    if (!rename.has(raw)) rename.set(raw, placeholderName(raw, names))
    return `{${rename.get(raw) as string}}`
  })
  for (const [raw, safe] of rename) {
    const p = params.find((x) => x.in === 'path' && x.name === raw)
    if (!path.includes(`{${raw}}`)) continue
    properties[safe] = p ? { ...p.schema, ...(p.schema['type'] === undefined ? { type: 'string' } : {}) } : { type: 'string', description: `Path parameter ${raw}` }
    if (raw !== safe) (properties[safe] as Json)['title'] = raw
    required.push(safe)
  }
  if (template === '') template = '/'

  const group = (where: string, skip?: (p: Param) => boolean) => {
    const list = params.filter((p) => p.in === where && !(skip?.(p) ?? false))
    if (!list.length) return undefined
    const props: Json = {}
    const req: string[] = []
    for (const p of list) {
      props[p.name] = p.schema
      if (p.required) req.push(p.name)
    }
    return { schema: { type: 'object', properties: props, ...(req.length ? { required: req } : {}), additionalProperties: true } as Json, required: req.length > 0 }
  }
  const query = group('query')
  if (query) {
    properties['query'] = { ...query.schema, description: 'Query parameters' }
    if (query.required) required.push('query')
  }
  const headers = group('header', (p) => IGNORED_HEADERS.has(p.name.toLowerCase()))
  if (headers) {
    properties['headers'] = { ...headers.schema, description: 'Request headers' }
    if (headers.required) required.push('headers')
  }

  const request: RequestDefinition = { method: method.toUpperCase(), path: template }
  if (query) request.queryFrom = 'query'
  if (headers) request.headersFrom = 'headers'

  const body = requestBody(op, params, swagger2, globalConsumes, budget)
  if (typeof body === 'string') return body
  if (body) {
    properties['body'] = body.schema
    if (body.required) required.push('body')
    request.body = { from: 'body', ...(body.encoding === 'form' ? { encoding: 'form' } : {}) }
    if (body.contentType) request.headers = { 'Content-Type': body.contentType }
  }

  const summary = typeof op['summary'] === 'string' ? op['summary'].trim() : ''
  const longText = typeof op['description'] === 'string' ? op['description'].trim() : ''
  const description = clip([summary, longText].filter(Boolean).join('\n\n') || `${method.toUpperCase()} ${path}`, MAX_DESCRIPTION)
  return {
    code: actionCode(op, method, path, codes),
    name: clip(summary || `${method.toUpperCase()} ${path}`, 200),
    description,
    input: { type: 'object', properties, ...(required.length ? { required } : {}), additionalProperties: false },
    request,
  }
}

interface Body {
  schema: Json
  required: boolean
  encoding: 'json' | 'form' | 'text'
  contentType?: string
}

function requestBody(op: Json, params: Param[], swagger2: boolean, globalConsumes: string[], budget: Budget): Body | string | undefined {
  if (swagger2) {
    const bodyParam = Array.isArray(op['parameters']) ? (op['parameters'] as unknown[]).find((p) => isObj(p) && p['in'] === 'body') : undefined
    const consumes = Array.isArray(op['consumes']) ? (op['consumes'] as string[]) : globalConsumes
    if (isObj(bodyParam)) {
      const p = params.find((x) => x.in === 'body')
      return { schema: p?.schema ?? {}, required: bodyParam['required'] === true, encoding: 'json' }
    }
    const form = params.filter((p) => p.in === 'formData')
    if (!form.length) return undefined
    if (form.some((p) => p.schema['format'] === 'binary') || (consumes.includes('multipart/form-data') && !consumes.includes('application/x-www-form-urlencoded'))) {
      return 'skipped (multipart/form-data bodies are not supported)'
    }
    const props: Json = {}
    const req: string[] = []
    for (const p of form) {
      props[p.name] = p.schema
      if (p.required) req.push(p.name)
    }
    return { schema: { type: 'object', properties: props, ...(req.length ? { required: req } : {}) }, required: req.length > 0, encoding: 'form' }
  }
  const rb = op['requestBody']
  if (!isObj(rb) || !isObj(rb['content'])) return undefined
  const content = rb['content']
  const types = Object.keys(content)
  const json = types.find((t) => /^application\/(.+\+)?json\b/i.test(t)) ?? types.find((t) => t === '*/*')
  const form = types.find((t) => /^application\/x-www-form-urlencoded\b/i.test(t))
  const text = types.find((t) => /^text\//i.test(t))
  const pick = json ?? form ?? text
  if (!pick) return `skipped (request bodies of type ${types.join(', ') || 'none'} are not supported)`
  const media = content[pick]
  const schema = convertSchema(isObj(media) && isObj(media['schema']) ? media['schema'] : {}, budget, { request: true })
  const described =
    typeof rb['description'] === 'string' && rb['description'].trim() && schema['description'] === undefined ? { ...schema, description: clip(rb['description'], 500) } : schema
  if (pick === json)
    return { schema: described, required: rb['required'] === true, encoding: 'json', ...(pick !== 'application/json' && pick !== '*/*' ? { contentType: pick } : {}) }
  if (pick === form) return { schema: described, required: rb['required'] === true, encoding: 'form' }
  return {
    schema: { type: 'string', ...(typeof described['description'] === 'string' ? { description: described['description'] } : {}) },
    required: rb['required'] === true,
    encoding: 'text',
    contentType: pick,
  }
}
