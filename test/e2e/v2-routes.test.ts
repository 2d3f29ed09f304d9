/**
 * The v2 backend routes over plain HTTP (no Python needed): record shapes, paginate, the rename,
 * delete, tenant isolation, and a clear 4xx for every kind of bad input.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startEchoService, type EchoService } from '../support/echo-service.js'
import { call, startTestHub, type TestHub } from '../support/test-hub.js'

describe('v2 backend routes', () => {
  let echo: EchoService
  let hub: TestHub
  let integrationId: string
  let toolId: string

  beforeAll(async () => {
    echo = await startEchoService()
    hub = await startTestHub({ catalogDirs: [echo.catalogDir] })
    const connect = await call(hub, 'POST', '/api/v2/execute/patchbay%2Fecho', { name: 'wire-tool', data: { region: 'eu', token: 'tok-wire-5555' } })
    expect(connect.status).toBe(200)
    toolId = connect.body.data.id
  })
  afterAll(async () => {
    await hub?.close()
    await echo?.close()
  })

  it('GET /v2/integrations/{path}: the record with attributes as a flat map of JSON strings', async () => {
    const r = await call(hub, 'GET', '/v2/integrations/patchbay%2Fecho?host=aiXplain')
    expect(r.status).toBe(200)
    integrationId = r.body.id
    expect(r.body).toMatchObject({ name: 'Echo', status: 'onboarded', functionType: 'connector', path: 'patchbay/echo', params: [] })
    expect(JSON.parse(r.body.attributes.auth_schemes)).toEqual(['BEARER_TOKEN', 'API_KEY', 'BASIC', 'NO_AUTH'])
    expect(JSON.parse(r.body.attributes['API_KEY-inputs']).map((i: { name: string }) => i.name)).toEqual(['region', 'api_key'])
    expect((await call(hub, 'GET', `/v2/integrations/${integrationId}`)).body.id).toBe(integrationId)
    expect((await call(hub, 'GET', `/v2/models/${integrationId}`)).body.functionType).toBe('connector')
  })

  it('GET /v2/tools/{id} and /v2/models/{id}: the connection; each route refuses the other kind with a hint', async () => {
    const tool = await call(hub, 'GET', `/v2/tools/${toolId}`)
    expect(tool.status).toBe(200)
    expect(tool.body).toMatchObject({ id: toolId, name: 'wire-tool', functionType: 'connection', parentModelId: integrationId, status: 'onboarded' })
    expect(tool.body.description).toMatch(/Authentication scheme used for this connections: BEARER_TOKEN$/)
    expect(tool.text).not.toContain('tok-wire-5555')
    expect((await call(hub, 'GET', `/v2/models/${toolId}`)).body.id).toBe(toolId)
    const wrongKind = await call(hub, 'GET', `/v2/tools/${integrationId}`)
    expect(wrongKind.status).toBe(404)
    expect(wrongKind.body.message).toContain('GET /v2/integrations/')
    const other = await call(hub, 'GET', `/v2/integrations/${toolId}`)
    expect(other.status).toBe(404)
    expect(other.body.message).toContain(`GET /v2/tools/${toolId}`)
  })

  it('POST …/paginate answers {results, total, pageTotal} for integrations, tools and models', async () => {
    const integrations = await call(hub, 'POST', '/v2/integrations/paginate', { q: 'echo', pageNumber: 0, pageSize: 5, sort: [{}] })
    expect(integrations.status).toBe(200)
    expect(integrations.body).toMatchObject({ total: 1, pageTotal: 1 })
    expect(integrations.body.results.map((x: { name: string }) => x.name)).toEqual(['Echo'])
    const tools = await call(hub, 'POST', '/v2/tools/paginate', { pageNumber: 0, pageSize: 20, sort: [{ field: 'name', dir: 1 }] })
    expect(tools.body).toEqual({ results: [expect.objectContaining({ id: toolId })], total: 1, pageTotal: 1 })
    const models = await call(hub, 'POST', '/v2/models/paginate', { q: 'wire', functions: ['connection'], pageNumber: 0, pageSize: 20, sort: [{}] })
    expect(models.body.results.map((x: { id: string }) => x.id)).toEqual([toolId])
  })

  it('bad input is a 400 that names the field; no key is a 401', async () => {
    const cases: Array<[string, string, unknown, string]> = [
      ['POST', '/v2/integrations/paginate', { pageSize: 1000 }, 'pageSize must be <= 100'],
      ['POST', '/v2/tools/paginate', { pageNumber: -1 }, 'pageNumber must be >= 0'],
      ['POST', '/v2/models/paginate', { functions: [{ id: 'x' }] }, 'functions/0 must be string'],
      ['POST', '/v2/integrations/paginate', { sort: 'name' }, 'sort/0 must be object'],
      ['POST', '/v2/tools/paginate', [1, 2], 'body must be object'],
      ['PUT', `/sdk/utilities/${toolId}`, { name: 'x'.repeat(201) }, 'name must NOT have more than 200 characters'],
      ['PUT', `/sdk/utilities/${toolId}`, { id: '0123456789abcdef01234567', name: 'x' }, 'differs from the path'],
      ['PUT', `/sdk/utilities/${toolId}`, { name: '   ' }, 'name must not be blank'],
    ]
    for (const [method, path, body, message] of cases) {
      const r = await call(hub, method, path, body)
      expect(r.status, `${method} ${path} ${JSON.stringify(body)}`).toBe(400)
      expect(r.body.message).toContain(message)
    }
    // Fastify's router refuses an id longer than its 500-character parameter limit.
    expect((await call(hub, 'GET', `/v2/tools/${'a'.repeat(501)}`)).status).toBe(414)
    const noKey = await fetch(`${hub.url}/v2/tools/${toolId}`)
    expect(noKey.status).toBe(401)
  })

  it('another tenant sees neither the tool nor it in its lists', async () => {
    const other = { url: hub.url, key: await hub.newKey() }
    expect((await call(other, 'GET', `/v2/tools/${toolId}`)).status).toBe(404)
    expect((await call(other, 'PUT', `/sdk/utilities/${toolId}`, { name: 'stolen' })).status).toBe(404)
    expect((await call(other, 'DELETE', `/v2/tools/${toolId}`)).status).toBe(404)
    expect((await call(other, 'POST', '/v2/tools/paginate', { pageNumber: 0, pageSize: 20 })).body).toEqual({ results: [], total: 0, pageTotal: 0 })
  })

  it('PUT /sdk/utilities/{id} renames and redescribes (the scheme suffix kept once); a taken name is refused', async () => {
    const current = (await call(hub, 'GET', `/v2/tools/${toolId}`)).body
    const r = await call(hub, 'PUT', `/sdk/utilities/${toolId}`, { id: toolId, name: 'wire-renamed', description: current.description.replace(/^[^\n]*/, 'Mine') })
    expect(r.status).toBe(200)
    expect(r.body).toMatchObject({ id: toolId, name: 'wire-renamed', description: 'Mine\n\n Authentication scheme used for this connections: BEARER_TOKEN' })
    const second = await call(hub, 'POST', '/api/v2/execute/patchbay%2Fecho', { name: 'wire-second', authScheme: 'NO_AUTH', data: { region: 'eu' } })
    const clash = await call(hub, 'PUT', `/sdk/utilities/${second.body.data.id}`, { name: 'wire-renamed' })
    expect(clash.status).toBe(409)
    expect(clash.body.supplierError).toBe('Name already exists')
  })

  it('DELETE /v2/tools/{id} answers 2xx, then the tool is gone everywhere', async () => {
    const r = await call(hub, 'DELETE', `/v2/tools/${toolId}`)
    expect(r.status).toBe(200)
    expect(r.body).toEqual({ id: toolId, deleted: true })
    expect((await call(hub, 'GET', `/v2/tools/${toolId}`)).status).toBe(404)
    expect((await call(hub, 'GET', `/v2/models/${toolId}`)).status).toBe(404)
    expect((await call(hub, 'DELETE', `/v2/tools/${toolId}`)).status).toBe(404)
  })
})
