import { Ajv2020 } from 'ajv/dist/2020.js'

/** An OpenAPI 3.1 document, as far as {@link responseValidator} reads it. */
interface OpenApiDocument {
  paths: Record<string, Record<string, { responses?: Record<string, { content?: Record<string, { schema?: object }> }> }>>
  components?: { schemas?: Record<string, object> }
}

/** Converts a concrete request path to the document's template (`/v2/tools/abc` → `/v2/tools/{id}`). */
function templateOf(doc: OpenApiDocument, method: string, path: string): string | undefined {
  const segments = path.split('?')[0]!.split('/')
  return Object.keys(doc.paths).find((template) => {
    if (!doc.paths[template]![method.toLowerCase()]) return false
    const t = template.split('/')
    return t.length === segments.length && t.every((s, i) => (s.startsWith('{') && s.endsWith('}') ? segments[i] !== '' : s === segments[i]))
  })
}

/**
 * Fetches the hub's `/openapi.json` and answers a checker that validates a response (status and
 * JSON body) against the operation's response schema with ajv (JSON Schema 2020-12, as OpenAPI
 * 3.1 uses). It throws when the route, or a schema for the status, is missing from the document.
 */
export async function responseValidator(hubUrl: string): Promise<(method: string, path: string, status: number, body: unknown) => void> {
  const doc = (await (await fetch(`${hubUrl}/openapi.json`)).json()) as OpenApiDocument
  const ajv = new Ajv2020({ strict: false, allErrors: true })
  for (const [name, schema] of Object.entries(doc.components?.schemas ?? {})) ajv.addSchema(schema, `#/components/schemas/${name}`)
  return (method, path, status, body) => {
    const template = templateOf(doc, method, path)
    if (!template) throw new Error(`${method} ${path} is not in /openapi.json`)
    const responses = doc.paths[template]![method.toLowerCase()]!.responses ?? {}
    const entry = responses[String(status)] ?? responses[`${String(status)[0]}XX`] ?? responses['default']
    const schema = entry?.content?.['application/json']?.schema
    if (!schema) throw new Error(`/openapi.json has no JSON schema for ${method} ${template} ${status}`)
    const validate = ajv.compile(schema)
    if (!validate(body)) throw new Error(`${method} ${path} ${status} does not match /openapi.json: ${ajv.errorsText(validate.errors)}`)
  }
}
