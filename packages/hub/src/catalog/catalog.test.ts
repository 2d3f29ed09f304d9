import { readdirSync, readFileSync } from 'node:fs'
import { copyFile, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { extname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { Ajv } from 'ajv'
import { afterEach, beforeAll, describe, expect, it } from 'vitest'
import { parse as parseYaml } from 'yaml'
import type { IntegrationDefinition } from '@patchbay/core'
import { placeholderNames } from './template.js'
import { baseUrlTemplate, tokenResponseNames } from './scheme-base-url.js'
import { deriveModelId, type Integration } from './catalog.js'
import { BUILT_IN_CATALOG_DIR, loadCatalog, loadCatalogDir, type CatalogFileError } from './load-catalog.js'
import { validateDefinition } from './validate-definition.js'

const FIXTURES = fileURLToPath(new URL('./fixtures/', import.meta.url))
const builtInFiles = readdirSync(BUILT_IN_CATALOG_DIR).filter((f) => ['.yaml', '.yml', '.json'].includes(extname(f)))

/** The services the hub promises to ship, plus the generic HTTP API. */
const REQUIRED_IDS = ['github', 'slack', 'notion', 'linear', 'stripe', 'airtable', 'sendgrid', 'jira', 'hubspot', 'discord', 'twilio', 'openai', 'http-api']

/** Input names that always hold a credential. */
const SECRET_NAME = /(^|_)(token|api_key|password|secret)$/

const tempDirs: string[] = []
async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'patchbay-catalog-'))
  tempDirs.push(dir)
  return dir
}
afterEach(async () => {
  await Promise.all(tempDirs.splice(0).map((d) => rm(d, { recursive: true, force: true })))
})

describe('built-in catalog', () => {
  let integrations: Integration[]
  let errors: CatalogFileError[]
  const defs = () => integrations.map((i) => i.definition)

  beforeAll(async () => {
    ;({ integrations, errors } = await loadCatalogDir(BUILT_IN_CATALOG_DIR))
  })

  it.each(builtInFiles)('%s is a valid definition', (file) => {
    const result = validateDefinition(parseYaml(readFileSync(join(BUILT_IN_CATALOG_DIR, file), 'utf8')))
    expect(result.ok ? [] : result.problems).toEqual([])
  })

  it('loads every file, at least 12 services plus the HTTP API', () => {
    expect(errors).toEqual([])
    expect(integrations).toHaveLength(builtInFiles.length)
    expect(integrations.length).toBeGreaterThanOrEqual(13)
    expect(defs().map((d) => d.id)).toEqual(expect.arrayContaining(REQUIRED_IDS))
  })

  it('names each file after its id', () => {
    for (const i of integrations) expect(i.source.endsWith(`/${i.definition.id}.yaml`), i.source).toBe(true)
  })

  it('has unique ids, wire ids and marketplace paths', () => {
    const ids = defs().map((d) => d.id)
    const modelIds = integrations.map((i) => i.modelId)
    const paths = integrations.map((i) => i.path)
    expect(new Set(ids).size).toBe(ids.length)
    expect(new Set(modelIds).size).toBe(modelIds.length)
    expect(new Set(paths).size).toBe(paths.length)
    for (const i of integrations) {
      // The MCP integration keeps aiXplain's wire id: its clients special-case that id at connect.
      if (i.definition.id === 'mcp-server') expect(i.modelId).toBe('686eb9cd26480723d0634d3e')
      else expect(i.modelId).toBe(deriveModelId(i.definition.id))
      expect(i.path).toBe(`patchbay/${i.definition.id}`)
    }
  })

  it('gives every service at least 3 actions, and the HTTP API exactly REQUEST', () => {
    for (const d of defs()) {
      if (d.id === 'http-api') expect(d.actions.map((a) => a.code)).toEqual(['REQUEST'])
      // A remote MCP server's actions are its tools, listed live, so the definition has none.
      else if (d.id === 'mcp-server') expect(d.actions).toEqual([])
      else expect(d.actions.length, d.id).toBeGreaterThanOrEqual(3)
    }
  })

  it('uses UPPER_SNAKE action codes of at most 64 characters, prefixed by the service', () => {
    for (const d of defs()) {
      if (d.id === 'http-api') continue
      const prefix = `${d.id.toUpperCase().replace(/-/g, '_')}_`
      // REQUEST is the shared proxy action the loader adds (proxy-action.ts).
      for (const a of d.actions.filter((x) => x.code !== 'REQUEST')) {
        expect(a.code, d.id).toMatch(/^[A-Z][A-Z0-9_]*$/)
        expect(a.code.length, a.code).toBeLessThanOrEqual(64)
        expect(a.code.startsWith(prefix), `${a.code} starts with ${prefix}`).toBe(true)
      }
    }
  })

  it('marks every credential input secret', () => {
    for (const d of defs()) {
      for (const [schema, scheme] of Object.entries(d.auth)) {
        for (const input of scheme?.inputs ?? []) {
          if (SECRET_NAME.test(input.name)) expect(input.secret, `${d.id} ${schema} ${input.name}`).toBe(true)
        }
      }
    }
  })

  it('lists, in every scheme, the non-secret connection inputs its templates need', () => {
    for (const d of defs()) {
      const needed = new Set<string>()
      for (const t of Object.values(d.headers ?? {})) for (const n of placeholderNames(t)) needed.add(n)
      for (const a of d.actions) {
        const own = Object.keys((a.input['properties'] ?? {}) as object)
        const templates = [a.request.path, ...Object.values(a.request.query ?? {}), ...Object.values(a.request.headers ?? {})]
        for (const n of templates.flatMap(placeholderNames)) if (!own.includes(n)) needed.add(n)
      }
      for (const [schema, scheme] of Object.entries(d.auth)) {
        // A scheme's own base URL (Salesforce OAUTH2) may use what its token response gives.
        const plain = [...(scheme?.inputs ?? []).filter((i) => !i.secret).map((i) => i.name), ...tokenResponseNames(d, schema)]
        for (const n of new Set([...needed, ...placeholderNames(baseUrlTemplate(d, schema))])) {
          expect(plain, `${d.id} ${schema} must list non-secret input ${n}`).toContain(n)
        }
      }
    }
  })

  it('compiles every action input schema with ajv in strict mode', () => {
    // Strict mode also catches misspelt keywords and `required` names without a property.
    const ajv = new Ajv({ strict: true, allowUnionTypes: true, allErrors: true })
    for (const d of defs()) {
      for (const a of d.actions) {
        expect(() => ajv.compile(a.input), a.code).not.toThrow()
        expect(a.input['type'], a.code).toBe('object')
      }
    }
  })

  it('describes every action and every top-level input for an agent', () => {
    for (const d of defs()) {
      expect(d.description.length, d.id).toBeGreaterThan(20)
      for (const a of d.actions) {
        expect(a.description.length, a.code).toBeGreaterThan(20)
        for (const [name, schema] of Object.entries((a.input['properties'] ?? {}) as Record<string, { description?: string }>)) {
          expect(schema.description, `${a.code}.${name}`).toBeTruthy()
        }
      }
    }
  })

  it('sends no body on GET, HEAD or DELETE', () => {
    for (const d of defs()) {
      for (const a of d.actions) {
        if (['GET', 'HEAD', 'DELETE'].includes(a.request.method)) expect(a.request.body, a.code).toBeUndefined()
      }
    }
  })

  it('declares real https endpoints and no inputs for OAuth schemes', () => {
    const https = /^https:\/\/[a-z0-9.-]+\.[a-z]{2,}\//
    for (const d of defs()) {
      // The HTTP API and MCP Server take their whole URL from the connection.
      expect(d.baseUrl.startsWith('https://') || d.id === 'http-api' || d.id === 'mcp-server', d.id).toBe(true)
      if (d.id !== 'http-api') expect(d.docsUrl ?? '', d.id).toMatch(https)
      const o2 = d.auth.OAUTH2?.oauth2
      // The HTTP API takes its OAuth URLs from the connection too (checked at connect time).
      if (d.id === 'http-api') continue
      if (o2) {
        for (const url of [o2.authorizationUrl, o2.tokenUrl, o2.revocationUrl]) if (url !== undefined) expect(url, d.id).toMatch(https)
        if ((o2.scopes?.length ?? 0) > 1) expect(o2.scopeSeparator, `${d.id} scopeSeparator`).toBeDefined()
        expect(d.auth.OAUTH2?.inputs ?? [], d.id).toEqual([])
      }
      const o1 = d.auth.OAUTH1?.oauth1
      if (o1) for (const url of [o1.requestTokenUrl, o1.authorizationUrl, o1.accessTokenUrl]) expect(url, d.id).toMatch(https)
    }
  })

  it('keeps aiXplain’s Slack shape: OAUTH2 + BEARER_TOKEN(token) and SLACK_SEND_MESSAGE(channel, text)', () => {
    const slack = defs().find((d) => d.id === 'slack') as IntegrationDefinition
    expect(Object.keys(slack.auth).sort()).toEqual(['BEARER_TOKEN', 'OAUTH2'])
    expect(slack.auth.BEARER_TOKEN?.inputs?.map((i) => i.name)).toEqual(['token'])
    const send = slack.actions.find((a) => a.code === 'SLACK_SEND_MESSAGE')
    expect(send?.request).toMatchObject({ method: 'POST', path: '/chat.postMessage' })
    expect(Object.keys(send?.input['properties'] as object)).toEqual(['channel', 'text'])
    expect(send?.input['required']).toEqual(['channel', 'text'])
  })

  it('offers every scheme on the HTTP API, each with a base_url input', () => {
    const http = defs().find((d) => d.id === 'http-api') as IntegrationDefinition
    expect(http.name).toBe('HTTP API')
    expect(http.baseUrl).toBe('{base_url}')
    expect(Object.keys(http.auth).sort()).toEqual(['API_KEY', 'BASIC', 'BEARER_TOKEN', 'NO_AUTH', 'OAUTH1', 'OAUTH2'])
    expect(http.auth.OAUTH2?.oauth2).toEqual({ grant: '{grant}', authorizationUrl: '{authorization_url}', tokenUrl: '{token_url}' })
    expect(http.auth.OAUTH1?.oauth1).toEqual({ requestTokenUrl: '{request_token_url}', authorizationUrl: '{authorize_url}', accessTokenUrl: '{access_token_url}' })
    for (const scheme of Object.values(http.auth)) {
      const baseUrl = scheme?.inputs?.find((i) => i.name === 'base_url')
      expect(baseUrl).toBeDefined()
      expect(baseUrl?.secret ?? false).toBe(false)
    }
    const header = http.auth.API_KEY?.inputs?.find((i) => i.name === 'api_key_header')
    expect(header).toMatchObject({ required: false, default: 'X-API-Key' })
    expect(http.auth.API_KEY?.apply?.headers).toEqual({ '{api_key_header}': '{api_key}' })
    const request = http.actions[0]
    expect(request?.request).toEqual({
      method: '{method}',
      path: '{+path}',
      queryFrom: 'query',
      headersFrom: 'headers',
      body: { from: 'body' },
      response: 'envelope',
    })
    expect(request?.input['required']).toEqual(['method', 'path'])
  })
})

describe('bad definition files', () => {
  /** Every fixture in fixtures/invalid, the one field it gets wrong and what the message must say. */
  const cases: Array<[file: string, field: string, message: RegExp]> = [
    ['invalid-yaml.yaml', '/', /is not valid YAML/],
    ['unknown-field.yaml', '/homepage', /is not a known field/],
    ['missing-required.yaml', '/baseUrl', /is required/],
    ['bad-action-code.yaml', '/actions/0/code', /must match \^\[A-Z\]/],
    ['unknown-placeholder.yaml', '/actions/0/request/path', /uses \{item_id\}, which is neither an action input nor a connection input/],
    ['path-placeholder-not-required.yaml', '/actions/0/request/path', /uses \{item_id\}, which must be listed in input\.required/],
    ['duplicate-action-code.yaml', '/actions/1/code', /duplicates action "DUPLICATE_PING"/],
    ['non-object-input.yaml', '/actions/0/input/type', /constant|object/],
    ['uncompilable-input.yaml', '/actions/0/input', /is not a valid JSON Schema/],
    ['oauth2-without-block.yaml', '/auth/OAUTH2/oauth2', /is required for OAUTH2/],
    ['base-url-secret-placeholder.yaml', '/baseUrl', /uses \{api_key\}, which is not a non-secret input/],
    ['scheme-base-url-unknown-placeholder.yaml', '/auth/OAUTH2/baseUrl', /uses \{instance_url\}, which is not a non-secret input of OAUTH2 nor a token response value/],
  ]
  const invalidDir = join(FIXTURES, 'invalid')

  it('has a case for every fixture', () => {
    expect(readdirSync(invalidDir).sort()).toEqual(cases.map(([f]) => f).sort())
  })

  it.each(cases)('%s is skipped and reported at %s', async (file, field, message) => {
    const { integrations, errors } = await loadCatalogDir(invalidDir)
    expect(integrations).toEqual([])
    const error = errors.find((e) => e.file === join(invalidDir, file))
    expect(error, `an error for ${file}`).toBeDefined()
    expect(error?.problems).toHaveLength(1)
    expect(error?.problems[0]?.field).toBe(field)
    expect(error?.problems[0]?.message).toMatch(message)
  })

  it('reports each bad file once through onError, without throwing', async () => {
    const reported: CatalogFileError[] = []
    const catalog = await loadCatalog({ builtIn: false, dirs: [invalidDir], onError: (e) => reported.push(e) })
    expect(catalog.size).toBe(0)
    expect(reported.map((e) => e.file).sort()).toEqual(cases.map(([f]) => join(invalidDir, f)).sort())
  })

  it('keeps the first of two files with one id and reports the second', async () => {
    const dir = join(FIXTURES, 'duplicate-id')
    const { integrations, errors } = await loadCatalogDir(dir)
    expect(integrations.map((i) => [i.definition.id, i.definition.name])).toEqual([['twin', 'Twin (first)']])
    expect(errors).toEqual([
      {
        file: join(dir, 'b-second.yaml'),
        problems: [{ field: '/id', message: expect.stringMatching(/"twin" is already defined by .*a-first\.yaml$/) }],
      },
    ])
  })

  it('still loads the good files of a folder that has bad ones', async () => {
    const dir = await tempDir()
    await copyFile(join(BUILT_IN_CATALOG_DIR, 'stripe.yaml'), join(dir, 'stripe.yaml'))
    await copyFile(join(invalidDir, 'bad-action-code.yaml'), join(dir, 'bad-action-code.yaml'))
    const { integrations, errors } = await loadCatalogDir(dir)
    expect(integrations.map((i) => i.definition.id)).toEqual(['stripe'])
    expect(errors.map((e) => e.file)).toEqual([join(dir, 'bad-action-code.yaml')])
  })
})

describe('user folders', () => {
  it('override a built-in with the same id', async () => {
    const dir = await tempDir()
    const text = readFileSync(join(BUILT_IN_CATALOG_DIR, 'github.yaml'), 'utf8')
      .replace(/^name: GitHub$/m, 'name: GitHub Enterprise')
      .replace(/^baseUrl: .*$/m, 'baseUrl: https://github.example.com/api/v3')
    await writeFile(join(dir, 'github-enterprise.yaml'), text)
    const builtIn = await loadCatalog()
    const catalog = await loadCatalog({ dirs: [dir], onError: (e) => expect.fail(JSON.stringify(e)) })
    expect(catalog.size).toBe(builtIn.size)
    const github = catalog.get('github')
    expect(github?.definition.name).toBe('GitHub Enterprise')
    expect(github?.definition.baseUrl).toBe('https://github.example.com/api/v3')
    expect(github?.source).toBe(join(dir, 'github-enterprise.yaml'))
    // Same id, same wire id: existing connections keep working against the override.
    expect(github?.modelId).toBe(builtIn.get('github')?.modelId)
    expect(catalog.get(github?.modelId ?? '')).toBe(github)
    expect(catalog.get('patchbay/github')).toBe(github)
  })

  it('add new integrations from YAML or JSON files', async () => {
    const dir = await tempDir()
    const def = {
      id: 'acme-inventory',
      modelId: 'aaaaaaaaaaaaaaaaaaaaaaaa',
      supplier: 'Acme Corp',
      name: 'Acme Inventory',
      description: 'Internal inventory service.',
      baseUrl: 'https://inventory.acme.internal',
      auth: { NO_AUTH: {} },
      actions: [
        {
          code: 'ACME_INVENTORY_GET_ITEM',
          name: 'Get item',
          description: 'Get an item by SKU.',
          input: { type: 'object', required: ['sku'], properties: { sku: { type: 'string', description: 'SKU' } } },
          request: { method: 'GET', path: '/items/{sku}' },
        },
      ],
    }
    await writeFile(join(dir, 'acme-inventory.json'), JSON.stringify(def))
    const catalog = await loadCatalog({ dirs: [dir], onError: (e) => expect.fail(JSON.stringify(e)) })
    const acme = catalog.get('acme-corp/acme-inventory')
    expect(acme?.definition.id).toBe('acme-inventory')
    expect(acme?.modelId).toBe('aaaaaaaaaaaaaaaaaaaaaaaa')
    expect(catalog.get('github')).toBeDefined()
  })

  it('report an unreadable folder through onError instead of throwing', async () => {
    const missing = join(await tempDir(), 'does-not-exist')
    const notADir = join(FIXTURES, 'invalid', 'bad-action-code.yaml')
    const reported: CatalogFileError[] = []
    const catalog = await loadCatalog({ dirs: [missing, notADir], generated: false, onError: (e) => reported.push(e) })
    expect(reported).toEqual([
      { file: missing, problems: [{ field: '/', message: expect.stringMatching(/folder cannot be read: ENOENT/) }] },
      { file: notADir, problems: [{ field: '/', message: expect.stringMatching(/folder cannot be read: ENOTDIR/) }] },
    ])
    expect(catalog.size).toBe(builtInFiles.length)
  })
})

describe('integration kind', () => {
  const base = { id: 'k', name: 'K', description: 'd', baseUrl: '{url}', auth: { NO_AUTH: { inputs: [{ name: 'url', displayName: 'URL', description: 'd' }] } } }
  it('takes kind mcp with no actions, and refuses actions or an unknown kind', () => {
    expect(validateDefinition({ ...base, kind: 'mcp', actions: [] }).ok).toBe(true)
    const withActions = validateDefinition({
      ...base,
      kind: 'mcp',
      actions: [{ code: 'A', name: 'a', description: 'd', input: { type: 'object' }, request: { method: 'GET', path: '/' } }],
    })
    expect(withActions.ok ? [] : withActions.problems).toEqual([{ field: '/actions', message: "must be empty for kind mcp: the MCP server's tools are the actions" }])
    const unknown = validateDefinition({ ...base, kind: 'grpc', actions: [] })
    expect(unknown.ok ? [] : unknown.problems.map((p) => p.field)).toEqual(['/kind'])
  })
})
