import AjvCompiler from '@fastify/ajv-compiler'
import { SerializerSelector } from '@fastify/fast-json-stringify-compiler'
import Fastify, { type RouteOptions } from 'fastify'
import { afterAll, describe, expect, it } from 'vitest'
import { Catalog } from '../catalog/catalog.js'
import { createHub } from '../hub.js'
import { createLogger } from '../logger.js'
import { openStore } from '../store/store.js'
import { generateMasterKey, parseMasterKey, Vault } from '../vault/vault.js'
import { lazySerializerFactory, lazyValidatorFactory } from './lazy-schema-compilers.js'

const lazyApp = () => Fastify({ schemaController: { compilersFactory: { buildValidator: lazyValidatorFactory, buildSerializer: lazySerializerFactory } } })

describe('route schemas compiled on first use', () => {
  const apps: Array<{ close(): Promise<unknown> }> = []
  afterAll(async () => {
    for (const app of apps) await app.close()
  })

  it("validates, coerces, applies defaults and serialises as Fastify's own compilers do", async () => {
    const app = lazyApp()
    apps.push(app)
    app.post(
      '/t/:n',
      {
        schema: {
          params: { type: 'object', properties: { n: { type: 'integer' } }, required: ['n'] },
          querystring: { type: 'object', properties: { limit: { type: 'integer', default: 10 } } },
          headers: { type: 'object', properties: { 'X-Tenant': { type: 'string', minLength: 2 } }, required: ['X-Tenant'] },
          body: { type: 'object', properties: { name: { type: 'string' } }, required: ['name'], additionalProperties: false },
          response: { 200: { type: 'object', properties: { n: { type: 'integer' }, limit: { type: 'integer' }, name: { type: 'string' } } } },
        },
      },
      async (req) => ({ ...(req.params as object), ...(req.query as object), ...(req.body as object), secret: 'not in the schema' }),
    )
    const ok = await app.inject({ method: 'POST', url: '/t/7', headers: { 'x-tenant': 'acme' }, payload: { name: 'a' } })
    expect(ok.statusCode).toBe(200)
    // Coerced path parameter, the querystring default, and no property the response schema lacks.
    expect(ok.json()).toEqual({ n: 7, limit: 10, name: 'a' })

    const badBody = await app.inject({ method: 'POST', url: '/t/7', headers: { 'x-tenant': 'acme' }, payload: { other: 1 } })
    expect(badBody.statusCode).toBe(400)
    expect(badBody.json().message).toBe("body must have required property 'name'")
    const badParam = await app.inject({ method: 'POST', url: '/t/seven', headers: { 'x-tenant': 'acme' }, payload: { name: 'a' } })
    expect(badParam.statusCode).toBe(400)
    expect(badParam.json().message).toBe('params/n must be integer')
    // A headers schema's names are matched case-insensitively, as with Fastify's own compiler.
    const badHeader = await app.inject({ method: 'POST', url: '/t/7', headers: { 'x-tenant': 'a' }, payload: { name: 'a' } })
    expect(badHeader.statusCode).toBe(400)
    expect(badHeader.json().message).toBe('headers/x-tenant must NOT have fewer than 2 characters')
    const noHeader = await app.inject({ method: 'POST', url: '/t/7', payload: { name: 'a' } })
    expect(noHeader.statusCode).toBe(400)
  })

  it('compiles nothing when a route is added: a broken schema fails its first request, not the start', async () => {
    const app = lazyApp()
    apps.push(app)
    app.get('/broken', { schema: { querystring: { type: 'object', properties: { a: { type: 'no-such-type' } } } } }, async () => ({}))
    await app.ready()
    expect((await app.inject({ method: 'GET', url: '/broken' })).statusCode).toBe(500)
  })

  it("compiles every route schema of the hub (so no route's first request fails on its schema)", async () => {
    const store = openStore(':memory:')
    await store.migrate()
    const hub = createHub({ store, vault: new Vault([parseMasterKey(generateMasterKey())]), catalog: new Catalog([]), logger: createLogger('silent'), sweepIntervalMs: 0 })
    apps.push(hub)
    // The routes are added when the server becomes ready, so this hook sees every one.
    const routes: RouteOptions[] = []
    hub.app.addHook('onRoute', (r) => {
      routes.push(r)
    })
    await hub.app.ready()
    expect(routes.length).toBeGreaterThan(50)
    const validator = AjvCompiler()({}, { customOptions: {}, plugins: [] } as never)
    const serializer = SerializerSelector()({}, {})
    let compiled = 0
    for (const r of routes) {
      const schema = (r.schema ?? {}) as Record<string, unknown>
      for (const httpPart of ['params', 'querystring', 'body', 'headers']) {
        if (schema[httpPart] === undefined) continue
        expect(() => validator({ schema: schema[httpPart], method: String(r.method), url: r.url, httpPart }), `${r.method} ${r.url} ${httpPart}`).not.toThrow()
        compiled++
      }
      for (const [httpStatus, s] of Object.entries((schema['response'] ?? {}) as Record<string, unknown>)) {
        expect(() => serializer({ schema: s, method: String(r.method), url: r.url, httpStatus }), `${r.method} ${r.url} response ${httpStatus}`).not.toThrow()
        compiled++
      }
    }
    expect(compiled).toBeGreaterThan(20)
  })
})
