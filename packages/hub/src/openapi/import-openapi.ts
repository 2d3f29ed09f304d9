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
import { createRequire } from 'node:module'
import { fileURLToPath } from 'node:url'
import type SwaggerParserType from '@apidevtools/swagger-parser'
import { PatchbayError, type IntegrationDefinition } from '@patchbay/core'
import { clip, firstParagraph, isObj, MAX_DESCRIPTION, type Json } from './json.js'
import { operations } from './operations.js'
import { securitySchemes, withBaseUrlInput } from './security-schemes.js'

export { convertSchema } from './convert-schema.js'

// swagger-parser is CommonJS with `export =`; without esModuleInterop, require it.
// Required on the first import, not when the hub starts: the parser and its dependencies hold about
// 10 MB of a hub's idle RSS, and most hubs never import a document (docs/performance.md).
let swaggerParser: typeof SwaggerParserType | undefined
const loadSwaggerParser = () => (swaggerParser ??= createRequire(import.meta.url)('@apidevtools/swagger-parser') as typeof SwaggerParserType)

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
    const SwaggerParser = loadSwaggerParser()
    const parsed = (await SwaggerParser.parse(input as never)) as unknown as Json
    api = (await SwaggerParser.dereference(
      parsed as never,
      {
        resolve: { external: options.externalRefs ?? typeof source === 'string' },
        dereference: { circular: true },
      } as never,
    )) as unknown as Json
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

function definitionId(title: string): string {
  const id = title
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 63)
    .replace(/-+$/, '')
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
