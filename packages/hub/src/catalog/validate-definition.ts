import type { Ajv, ErrorObject, ValidateFunction } from 'ajv'
import {
  AUTHENTICATION_SCHEMAS,
  integrationDefinitionSchema,
  providerBlockOf,
  tokenFieldsOf,
  type ActionDefinition,
  type AuthenticationSchema,
  type IntegrationDefinition,
} from '@patchbay/core'
import { createAjv } from './ajv.js'
import { placeholderNames as placeholdersOf } from './template.js'
import { checkTriggers } from './validate-triggers.js'

/** One problem found in a definition: the field (JSON pointer) and what is wrong with it. */
export interface DefinitionProblem {
  /** JSON pointer of the offending field, e.g. `/actions/2/request/path`. */
  field: string
  message: string
}

/** The outcome of {@link validateDefinition}. */
export type DefinitionValidation = { ok: true; definition: IntegrationDefinition } | { ok: false; problems: DefinitionProblem[] }

// Compiled once per definition (and per action input, only to prove it compiles: the runner
// compiles its own copy with defaults), so compile time matters more than validation speed:
// without ajv's code optimisation, compiling takes about half as long. Made on the first
// validation: a start validates no file, as the built-in ones were validated at build time
// (parsed-yaml.ts), and compiling the definition schema was a large part of a cold start
// (docs/performance.md).
let ajvInstance: Ajv | undefined
let shapeValidator: ValidateFunction<IntegrationDefinition> | undefined

function ajv(): Ajv {
  // Action input schemas may use `format` (email, uri, date-time…), as the runner validates them too.
  ajvInstance ??= createAjv({ allErrors: true, strict: false, code: { optimize: false } })
  return ajvInstance
}

function validateShape(value: unknown): value is IntegrationDefinition {
  shapeValidator ??= ajv().compile<IntegrationDefinition>(integrationDefinitionSchema)
  return shapeValidator(value)
}

function describeAjvError(e: ErrorObject): DefinitionProblem {
  const field = e.instancePath || '/'
  switch (e.keyword) {
    case 'required':
      return { field: `${e.instancePath}/${String(e.params['missingProperty'])}`, message: 'is required' }
    case 'additionalProperties':
      return {
        field: `${e.instancePath}/${String(e.params['additionalProperty'])}`,
        message: 'is not a known field (check its spelling against docs/catalog.md)',
      }
    case 'pattern':
      return { field, message: `must match ${String(e.params['pattern'])}` }
    case 'enum':
      return { field, message: `must be one of ${JSON.stringify(e.params['allowedValues'])}` }
    case 'const':
      return { field, message: `must be ${JSON.stringify(e.params['allowedValue'])}` }
    default:
      return { field, message: e.message ?? 'is invalid' }
  }
}

/** Options of {@link validateDefinition}. */
export interface ValidateDefinitionOptions {
  /**
   * Compile every action's input schema to prove it compiles (default true). The hub passes
   * `false` for its own built-in files, whose schemas a test compiles, to keep cold start short:
   * the runner compiles an action's schema on its first run anyway.
   */
  compileInputs?: boolean
}

/**
 * Validates a parsed definition file: its shape against the catalog JSON Schema, then what a
 * schema cannot check: unique action codes, placeholders that name an input, JSON Schemas that
 * compile, scheme-specific requirements.
 *
 * @example
 * ```ts
 * const result = validateDefinition(YAML.parse(text))
 * if (!result.ok) for (const p of result.problems) console.error(`${file}: ${p.field} ${p.message}`)
 * ```
 */
export function validateDefinition(value: unknown, options: ValidateDefinitionOptions = {}): DefinitionValidation {
  if (!validateShape(value)) {
    return { ok: false, problems: (shapeValidator?.errors ?? []).map(describeAjvError) }
  }
  const def = value
  const problems: DefinitionProblem[] = []

  // Connection inputs visible to templates: every scheme's non-secret inputs.
  const connectionInputs = new Set<string>()
  for (const schema of AUTHENTICATION_SCHEMAS) {
    const scheme = def.auth[schema]
    if (!scheme) continue
    const names = new Set<string>()
    for (const [i, input] of (scheme.inputs ?? []).entries()) {
      if (names.has(input.name)) {
        problems.push({ field: `/auth/${schema}/inputs/${i}/name`, message: `duplicates input "${input.name}"` })
      }
      names.add(input.name)
      if (!input.secret) connectionInputs.add(input.name)
    }
    // Values an OAUTH2 token response gives (Salesforce's instance_url) are connection values too.
    const learnt = Object.keys(scheme.oauth2?.fromTokenResponse ?? {})
    for (const name of learnt) connectionInputs.add(name)
    const own = new Set([...(scheme.inputs ?? []).filter((i) => !i.secret).map((i) => i.name), ...learnt])
    for (const name of placeholdersOf(scheme.baseUrl ?? '')) {
      if (!own.has(name)) problems.push({ field: `/auth/${schema}/baseUrl`, message: `uses {${name}}, which is not a non-secret input of ${schema} nor a token response value` })
    }
    checkScheme(schema, def, names, problems)
  }
  for (const name of placeholdersOf(def.baseUrl)) {
    if (!connectionInputs.has(name)) {
      problems.push({ field: '/baseUrl', message: `uses {${name}}, which is not a non-secret input of any scheme` })
    }
  }

  if (def.kind === 'mcp' && def.actions.length > 0) {
    problems.push({ field: '/actions', message: "must be empty for kind mcp: the MCP server's tools are the actions" })
  }
  const codes = new Set<string>()
  for (const [i, action] of def.actions.entries()) {
    if (codes.has(action.code)) problems.push({ field: `/actions/${i}/code`, message: `duplicates action "${action.code}"` })
    codes.add(action.code)
    checkAction(action, `/actions/${i}`, connectionInputs, problems, options.compileInputs !== false)
  }
  if (def.verify !== undefined) {
    const verify = def.actions.find((a) => a.code === def.verify)
    if (!verify) problems.push({ field: '/verify', message: `names "${def.verify}", which is not an action of this definition` })
    else if (((verify.input['required'] ?? []) as unknown[]).length > 0) {
      problems.push({ field: '/verify', message: `names "${def.verify}", which has required inputs; verify must run with none` })
    }
  }
  problems.push(...checkTriggers(def, options.compileInputs !== false ? ajv() : undefined))
  return problems.length ? { ok: false, problems } : { ok: true, definition: def }
}

function checkScheme(schema: AuthenticationSchema, def: IntegrationDefinition, inputs: Set<string>, problems: DefinitionProblem[]): void {
  const scheme = def.auth[schema]
  if (!scheme) return
  const at = `/auth/${schema}`
  for (const block of ['oauth2', 'oauth1'] as const) {
    const own = providerBlockOf(schema) === block
    if (own && !scheme[block]) problems.push({ field: `${at}/${block}`, message: `is required for ${schema}` })
    if (!own && scheme[block]) problems.push({ field: `${at}/${block}`, message: `is only allowed on ${block.toUpperCase()}` })
  }
  if (scheme.oauth2 && scheme.oauth2.grant !== 'client_credentials' && !scheme.oauth2.authorizationUrl) {
    problems.push({ field: `${at}/oauth2/authorizationUrl`, message: 'is required for the authorization_code grant' })
  }
  checkOAuthTemplates(scheme, at, def, problems)
  // Templates in apply may use this scheme's inputs (secret or not); OAuth adds its token fields.
  const visible = new Set(inputs)
  for (const field of tokenFieldsOf(schema)) visible.add(field)
  const apply = scheme.apply
  if (!apply) return
  const templates: Array<[string, string]> = [
    ...Object.entries(apply.headers ?? {}).flatMap(
      ([k, v]): Array<[string, string]> => [
        [`${at}/apply/headers/${k}`, k],
        [`${at}/apply/headers/${k}`, v],
      ],
    ),
    ...Object.entries(apply.query ?? {}).map(([k, v]): [string, string] => [`${at}/apply/query/${k}`, v]),
    ...(apply.basic
      ? ([
          [`${at}/apply/basic/username`, apply.basic.username],
          [`${at}/apply/basic/password`, apply.basic.password],
        ] as Array<[string, string]>)
      : []),
    ...awsSigV4Templates(schema, scheme, at, problems),
  ]
  for (const [field, template] of templates) {
    for (const name of placeholdersOf(template)) {
      if (!visible.has(name)) problems.push({ field, message: `uses {${name}}, which is not an input of ${schema}` })
    }
  }
}

/**
 * OAuth URLs (and an OAuth 2 `grant`) may be templates filled at connect time: each placeholder
 * must be a non-secret input of the same scheme, and a templated `grant` exactly one placeholder.
 */
function checkOAuthTemplates(
  scheme: NonNullable<IntegrationDefinition['auth'][AuthenticationSchema]>,
  at: string,
  def: IntegrationDefinition,
  problems: DefinitionProblem[],
): void {
  const plain = new Set((scheme.inputs ?? []).filter((i) => !i.secret).map((i) => i.name))
  const secret = new Set((scheme.inputs ?? []).filter((i) => i.secret).map((i) => i.name))
  const blocks: Array<[string, Record<string, unknown> | undefined, string[]]> = [
    ['oauth2', scheme.oauth2 as Record<string, unknown> | undefined, ['authorizationUrl', 'tokenUrl', 'revocationUrl', 'issuer', 'grant']],
    ['oauth1', scheme.oauth1 as Record<string, unknown> | undefined, ['requestTokenUrl', 'authorizationUrl', 'accessTokenUrl']],
  ]
  for (const [block, fields, names] of blocks) {
    if (!fields) continue
    for (const field of names) {
      const t = fields[field]
      if (typeof t !== 'string') continue
      for (const name of placeholdersOf(t)) {
        if (plain.has(name)) continue
        problems.push({
          field: `${at}/${block}/${field}`,
          message: secret.has(name)
            ? `uses {${name}}, a secret input: OAuth URLs take only non-secret inputs`
            : `uses {${name}}, which is not an input of this scheme in ${def.id}`,
        })
      }
    }
  }
}

/** The templates of an `apply.awsSigV4` block, after checking it sits where it may. */
function awsSigV4Templates(
  schema: AuthenticationSchema,
  scheme: NonNullable<IntegrationDefinition['auth'][AuthenticationSchema]>,
  at: string,
  problems: DefinitionProblem[],
): Array<[string, string]> {
  const sig = scheme.apply?.awsSigV4
  if (!sig) return []
  const field = `${at}/apply/awsSigV4`
  if (schema !== 'API_KEY') problems.push({ field, message: 'is only allowed on API_KEY' })
  if (scheme.apply?.basic) problems.push({ field, message: 'cannot be combined with basic: both set Authorization' })
  if (Object.keys(scheme.apply?.headers ?? {}).some((h) => h.toLowerCase() === 'authorization')) {
    problems.push({ field, message: 'cannot be combined with an Authorization header: the signature is the Authorization header' })
  }
  for (const key of ['region', 'service'] as const) {
    if (!sig[key].includes('{') && !/^[a-z0-9][a-z0-9-]{0,62}$/.test(sig[key])) {
      problems.push({ field: `${field}/${key}`, message: `must be a placeholder or a lower-case AWS name such as ${key === 'region' ? 'us-east-1' : 's3'}` })
    }
  }
  return (['accessKeyId', 'secretAccessKey', 'sessionToken', 'region', 'service'] as const).flatMap((key): Array<[string, string]> => {
    const template = sig[key]
    return template === undefined ? [] : [[`${field}/${key}`, template]]
  })
}

function checkAction(action: ActionDefinition, at: string, connectionInputs: Set<string>, problems: DefinitionProblem[], compile: boolean): void {
  if (compile) {
    try {
      ajv().compile(action.input)
    } catch (err) {
      problems.push({ field: `${at}/input`, message: `is not a valid JSON Schema: ${(err as Error).message}` })
      return
    } finally {
      // Not used again: do not keep one compiled validator per action of the catalog in memory.
      ajv().removeSchema(action.input)
    }
  }
  const properties = (action.input['properties'] ?? {}) as Record<string, unknown>
  const required = new Set((action.input['required'] ?? []) as string[])
  const known = (name: string) => name in properties || connectionInputs.has(name)
  const req = action.request
  const check = (field: string, template: string) => {
    for (const name of placeholdersOf(template)) {
      if (!known(name)) problems.push({ field, message: `uses {${name}}, which is neither an action input nor a connection input` })
    }
  }
  check(`${at}/request/method`, req.method)
  check(`${at}/request/path`, req.path)
  for (const name of placeholdersOf(req.path)) {
    if (name in properties && !required.has(name)) {
      problems.push({ field: `${at}/request/path`, message: `uses {${name}}, which must be listed in input.required` })
    }
  }
  for (const [k, v] of Object.entries(req.query ?? {})) check(`${at}/request/query/${k}`, v)
  for (const [k, v] of Object.entries(req.headers ?? {})) check(`${at}/request/headers/${k}`, v)
  for (const key of ['queryFrom', 'headersFrom'] as const) {
    const name = req[key]
    if (name !== undefined && !(name in properties)) problems.push({ field: `${at}/request/${key}`, message: `names "${name}", which is not an action input` })
  }
  const body = req.body
  if (body?.from !== undefined && !(body.from in properties)) {
    problems.push({ field: `${at}/request/body/from`, message: `names "${body.from}", which is not an action input` })
  }
  for (const [i, name] of (body?.fields ?? []).entries()) {
    if (!(name in properties)) problems.push({ field: `${at}/request/body/fields/${i}`, message: `names "${name}", which is not an action input` })
  }
}
