/**
 * OpenAPI 3.0 / 3.1 and Swagger 2.0 → catalog definition.
 *
 * Parsing and `$ref` resolution are done by `@apidevtools/swagger-parser`. What no library does
 * is the mapping to our definition format (security schemes → auth schemes, operations →
 * actions) and the rewrite of OpenAPI's schema dialect (3.0's `nullable`, boolean
 * `exclusiveMinimum`, `example`, `readOnly`, vendor extensions, patterns JavaScript cannot
 * compile) into the JSON Schema the runner validates with; that part is hand-written here.
 *
 * @see https://spec.openapis.org/oas/v3.1.0 ; https://spec.openapis.org/oas/v3.0.3 ; https://swagger.io/specification/v2/
 */
import { createHash } from 'node:crypto'
import { createRequire } from 'node:module'
import { fileURLToPath } from 'node:url'
import type SwaggerParserType from '@apidevtools/swagger-parser'
import {
  PatchbayError,
  type ActionDefinition,
  type AuthenticationSchema,
  type InputDefinition,
  type IntegrationDefinition,
  type OAuth2Definition,
  type RequestDefinition,
  type SchemeDefinition,
} from '@patchbay/core'

// swagger-parser is CommonJS with `export =`; without esModuleInterop, require it.
const SwaggerParser = createRequire(import.meta.url)('@apidevtools/swagger-parser') as typeof SwaggerParserType

/** Options of {@link importOpenApi}. */
export interface ImportOpenApiOptions {
  /** Definition id (slug); default derived from `info.title`. */
  id?: string
  /** Display name; default `info.title`. */
  name?: string
  /** Supplier name; default Patchbay's. */
  supplier?: string
  /** Base URL; default the first `servers` entry (or Swagger's `schemes`/`host`/`basePath`). */
  baseUrl?: string
  /** Resolve `$ref`s to other files (default true for files; the hub's admin endpoint turns it off). */
  externalRefs?: boolean
}

/** What an import produced. */
export interface ImportOpenApiResult {
  definition: IntegrationDefinition
  /** Operations and schemes that were left out, and why. */
  warnings: string[]
  /** The OpenAPI version read (`3.1.0`, `2.0`…). */
  specVersion: string
}

type Json = Record<string, unknown>
const isObj = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v)

const METHODS = ['get', 'post', 'put', 'patch', 'delete', 'head'] as const
const MAX_DESCRIPTION = 1_000
/** Budget of schema nodes per action: a few real schemas expand to millions when every `$ref` is inlined. */
const NODE_BUDGET = 4_000
const MAX_SCHEMA_DEPTH = 12
/** Formats the hub's validator knows (ajv-formats); others are dropped rather than failing compilation. */
const KNOWN_FORMATS = new Set([
  'date', 'time', 'date-time', 'iso-time', 'iso-date-time', 'duration', 'uri', 'uri-reference', 'uri-template', 'url', 'email',
  'hostname', 'ipv4', 'ipv6', 'regex', 'uuid', 'json-pointer', 'json-pointer-uri-fragment', 'relative-json-pointer', 'byte',
  'int32', 'int64', 'float', 'double', 'password', 'binary',
])
/** JSON Schema keywords kept from OpenAPI schemas; everything else (xml, discriminator, x-*, $schema…) is dropped. */
const SCHEMA_KEYWORDS = new Set([
  'type', 'properties', 'required', 'additionalProperties', 'items', 'enum', 'const', 'description', 'title', 'default',
  'allOf', 'anyOf', 'oneOf', 'not', 'minimum', 'maximum', 'exclusiveMinimum', 'exclusiveMaximum', 'multipleOf', 'minLength',
  'maxLength', 'pattern', 'format', 'minItems', 'maxItems', 'uniqueItems', 'minProperties', 'maxProperties', 'examples', 'deprecated',
  'writeOnly',
])
/** Input names the importer uses for the request's parts. */
const RESERVED_INPUTS = new Set(['query', 'headers', 'body'])
/** Headers OpenAPI says a parameter cannot define (they are set by content negotiation and auth). */
const IGNORED_HEADERS = new Set(['accept', 'content-type', 'authorization'])

/**
 * Turns an OpenAPI document into a catalog definition: base URL from `servers`, schemes from
 * `securitySchemes`, one action per operation with inputs as JSON Schema (`$ref`s resolved; path
 * parameters at the top level, query parameters under `query`, header parameters under
 * `headers`, the request body under `body`).
 *
 * @param source A file path, a `file:` URL, or an already parsed document object.
 * @throws {PatchbayError} VALIDATION when the document cannot be read or is not OpenAPI/Swagger.
 * @example
 * ```ts
 * const { definition, warnings } = await importOpenApi('./petstore.yaml')
 * ```
 */
export async function importOpenApi(source: string | Json, options: ImportOpenApiOptions = {}): Promise<ImportOpenApiResult> {
  let input: string | Json = source
  if (typeof source === 'string') {
    if (/^https?:\/\//i.test(source)) {
      throw new PatchbayError('VALIDATION', 'Import reads a local file; download the document first (e.g. curl -o api.yaml <url>) and import that file')
    }
    input = source.startsWith('file:') ? fileURLToPath(source) : source
  } else {
    // swagger-parser mutates what it is given; keep the caller's object intact.
    input = structuredClone(source)
  }
  let api: Json
  try {
    const parsed = (await SwaggerParser.parse(input as never)) as unknown as Json
    api = (await SwaggerParser.dereference(parsed as never, {
      resolve: { external: options.externalRefs ?? typeof source === 'string' },
      dereference: { circular: true },
    } as never)) as unknown as Json
  } catch (err) {
    throw new PatchbayError('VALIDATION', `Not a readable OpenAPI 3.x or Swagger 2.0 document: ${(err as Error).message.split('\n')[0]?.slice(0, 300)}`, { cause: err })
  }
  const warnings: string[] = []
  const swagger2 = typeof api['swagger'] === 'string'
  const specVersion = String(api['openapi'] ?? api['swagger'] ?? '')
  const info = isObj(api['info']) ? api['info'] : {}
  const title = typeof info['title'] === 'string' && info['title'].trim() ? info['title'].trim() : 'Imported API'

  const serverUrl = options.baseUrl ?? (swagger2 ? swaggerBaseUrl(api) : openApiBaseUrl(api))
  const absoluteBase = serverUrl !== undefined && /^https?:\/\/[^/]/.test(serverUrl) ? serverUrl.replace(/\/+$/, '') : undefined
  if (!absoluteBase) warnings.push(`The document gives no absolute server URL${serverUrl ? ` ("${serverUrl}")` : ''}: base_url is required at connect time`)

  const auth = securitySchemes(api, swagger2, absoluteBase, warnings)
  const actions = operations(api, swagger2, warnings)

  const description = firstParagraph(typeof info['description'] === 'string' ? info['description'] : '') || `${title}, imported from an OpenAPI ${specVersion} document.`
  const docs = isObj(api['externalDocs']) && typeof api['externalDocs']['url'] === 'string' ? api['externalDocs']['url'] : undefined
  const definition: IntegrationDefinition = {
    id: options.id ?? definitionId(title),
    name: (options.name ?? title).slice(0, 100),
    description: clip(description, MAX_DESCRIPTION),
    ...(options.supplier ? { supplier: options.supplier } : {}),
    ...(typeof info['version'] === 'string' && info['version'] ? { version: info['version'].slice(0, 50) } : {}),
    ...(docs ? { docsUrl: docs } : {}),
    baseUrl: '{base_url}',
    auth: withBaseUrlInput(auth, absoluteBase),
    actions,
  }
  return { definition, warnings, specVersion }
}

function clip(s: string, max: number): string {
  const t = s.trim()
  return t.length > max ? `${t.slice(0, max - 1)}…` : t
}

function firstParagraph(s: string): string {
  return clip(s.split(/\n\s*\n/)[0] ?? '', 500)
}

function definitionId(title: string): string {
  const id = title.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 63).replace(/-+$/, '')
  return id || 'imported-api'
}

function openApiBaseUrl(api: Json): string | undefined {
  const servers = Array.isArray(api['servers']) ? api['servers'] : []
  const first = servers.find(isObj)
  if (!first || typeof first['url'] !== 'string') return undefined
  let url = first['url']
  const vars = isObj(first['variables']) ? first['variables'] : {}
  url = url.replace(/\{([^}]+)\}/g, (m, name: string) => {
    const v = vars[name]
    return isObj(v) && v['default'] !== undefined ? String(v['default']) : m
  })
  return url
}

function swaggerBaseUrl(api: Json): string | undefined {
  const host = typeof api['host'] === 'string' ? api['host'] : undefined
  const basePath = typeof api['basePath'] === 'string' ? api['basePath'] : ''
  if (!host) return basePath || undefined
  const schemes = Array.isArray(api['schemes']) ? (api['schemes'] as string[]) : []
  const scheme = schemes.includes('https') ? 'https' : (schemes[0] ?? 'https')
  return `${scheme}://${host}${basePath}`
}

const BASE_URL_INPUT = (base: string | undefined): InputDefinition => ({
  name: 'base_url',
  displayName: 'Base URL',
  description: base ? `Root URL of the API; default ${base}. Change it for another region, a proxy or a test server.` : 'Root URL of the API, e.g. https://api.example.com/v1.',
  ...(base ? { required: false, default: base } : {}),
})

function withBaseUrlInput(auth: Partial<Record<AuthenticationSchema, SchemeDefinition>>, base: string | undefined): Partial<Record<AuthenticationSchema, SchemeDefinition>> {
  const out: Partial<Record<AuthenticationSchema, SchemeDefinition>> = {}
  for (const [k, v] of Object.entries(auth) as Array<[AuthenticationSchema, SchemeDefinition]>) {
    out[k] = { ...v, inputs: [BASE_URL_INPUT(base), ...(v.inputs ?? [])] }
  }
  return out
}

function absolute(url: string, base: string | undefined): string | undefined {
  if (/^https?:\/\//.test(url)) return url
  if (!base) return undefined
  try {
    return new URL(url, `${base}/`).toString()
  } catch {
    return undefined
  }
}

/** Maps security schemes to auth schemes (the first of each kind wins); NO_AUTH when none maps. */
function securitySchemes(api: Json, swagger2: boolean, base: string | undefined, warnings: string[]): Partial<Record<AuthenticationSchema, SchemeDefinition>> {
  const raw = swagger2 ? api['securityDefinitions'] : isObj(api['components']) ? api['components']['securitySchemes'] : undefined
  const auth: Partial<Record<AuthenticationSchema, SchemeDefinition>> = {}
  const secret = (name: string, displayName: string, description: string): InputDefinition => ({ name, displayName, description, secret: true })
  for (const [key, s] of Object.entries(isObj(raw) ? raw : {})) {
    if (!isObj(s)) continue
    const type = String(s['type'] ?? '')
    const scheme = String(s['scheme'] ?? '').toLowerCase()
    if (type === 'http' && scheme === 'bearer') {
      auth.BEARER_TOKEN ??= {
        inputs: [secret('token', 'Bearer token', `Token sent as Authorization Bearer (${key}${typeof s['bearerFormat'] === 'string' ? `, ${s['bearerFormat']}` : ''}).`)],
        apply: { headers: { Authorization: 'Bearer {token}' } },
      }
    } else if ((type === 'http' && scheme === 'basic') || type === 'basic') {
      auth.BASIC ??= {
        inputs: [{ name: 'username', displayName: 'Username', description: `HTTP Basic user name (${key}).` }, secret('password', 'Password', 'HTTP Basic password.')],
        apply: { basic: { username: '{username}', password: '{password}' } },
      }
    } else if (type === 'apiKey') {
      const name = typeof s['name'] === 'string' ? s['name'] : ''
      const where = String(s['in'] ?? '')
      if (!name || auth.API_KEY) {
        if (auth.API_KEY) warnings.push(`Security scheme ${key}: only the first API key scheme is used`)
        continue
      }
      const input = secret('api_key', 'API key', `The key, sent in the ${where} ${name} (${key}).`)
      if (where === 'header') auth.API_KEY = { inputs: [input], apply: { headers: { [name]: '{api_key}' } } }
      else if (where === 'query') auth.API_KEY = { inputs: [input], apply: { query: { [name]: '{api_key}' } } }
      else if (where === 'cookie') auth.API_KEY = { inputs: [input], apply: { headers: { Cookie: `${name}={api_key}` } } }
      else warnings.push(`Security scheme ${key}: API key in "${where}" is not supported`)
    } else if (type === 'oauth2') {
      if (auth.OAUTH2) continue
      const o2 = oauth2(s, swagger2, base)
      if (o2) auth.OAUTH2 = { oauth2: o2 }
      else warnings.push(`Security scheme ${key}: only OAuth 2 authorization-code and client-credentials flows with absolute URLs are supported`)
    } else {
      warnings.push(`Security scheme ${key} (${type}${scheme ? ` ${scheme}` : ''}) is not supported; connect with another scheme`)
    }
  }
  if (Object.keys(auth).length === 0) auth.NO_AUTH = {}
  return auth
}

function oauth2(s: Json, swagger2: boolean, base: string | undefined): OAuth2Definition | undefined {
  const scopesOf = (v: unknown) => (isObj(v) ? Object.keys(v) : [])
  const build = (flow: Json, grant: 'authorization_code' | 'client_credentials'): OAuth2Definition | undefined => {
    const tokenUrl = typeof flow['tokenUrl'] === 'string' ? absolute(flow['tokenUrl'], base) : undefined
    const authorizationUrl = typeof flow['authorizationUrl'] === 'string' ? absolute(flow['authorizationUrl'], base) : undefined
    if (!tokenUrl || (grant === 'authorization_code' && !authorizationUrl)) return undefined
    const scopes = scopesOf(flow['scopes'])
    return {
      ...(grant === 'authorization_code' ? { authorizationUrl: authorizationUrl as string } : { grant }),
      tokenUrl,
      ...(scopes.length ? { scopes, scopeSeparator: ' ' } : {}),
    }
  }
  if (swagger2) {
    const flow = s['flow']
    if (flow === 'accessCode') return build(s, 'authorization_code')
    if (flow === 'application') return build(s, 'client_credentials')
    return undefined
  }
  const flows = isObj(s['flows']) ? s['flows'] : {}
  if (isObj(flows['authorizationCode'])) return build(flows['authorizationCode'], 'authorization_code')
  if (isObj(flows['clientCredentials'])) return build(flows['clientCredentials'], 'client_credentials')
  return undefined
}

/** UPPER_SNAKE action code from an operationId or method + path, unique, at most 64 characters. */
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

function operations(api: Json, swagger2: boolean, warnings: string[]): ActionDefinition[] {
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

function operation(
  op: Json,
  item: Json,
  method: string,
  path: string,
  swagger2: boolean,
  globalConsumes: string[],
  codes: Set<string>,
): ActionDefinition | string {
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
    if (form.some((p) => p.schema['format'] === 'binary') || consumes.includes('multipart/form-data') && !consumes.includes('application/x-www-form-urlencoded')) {
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
  const described = typeof rb['description'] === 'string' && rb['description'].trim() && schema['description'] === undefined ? { ...schema, description: clip(rb['description'], 500) } : schema
  if (pick === json) return { schema: described, required: rb['required'] === true, encoding: 'json', ...(pick !== 'application/json' && pick !== '*/*' ? { contentType: pick } : {}) }
  if (pick === form) return { schema: described, required: rb['required'] === true, encoding: 'form' }
  return { schema: { type: 'string', ...(typeof described['description'] === 'string' ? { description: described['description'] } : {}) }, required: rb['required'] === true, encoding: 'text', contentType: pick }
}

interface Budget {
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
