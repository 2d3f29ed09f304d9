/**
 * `GET /openapi.json` (the hub's OpenAPI 3.1 document) and `/docs` (Swagger UI, served from the
 * package: no CDN), built on their first request. `@fastify/swagger` and `@fastify/swagger-ui`
 * with what they load (the `yaml` library, `@fastify/static`, `glob`…) are ~130 modules a start
 * does not need (docs/performance.md, cold start). So the hub only records its routes as they are
 * added; the first request for either path loads both plugins into a small Fastify instance of
 * their own, adds the same routes there (same methods, URLs and schemas, no handlers that run),
 * and that instance answers: the document is the one `@fastify/swagger` made when it was
 * registered on the hub itself, and the pages and assets are Swagger UI's own.
 */
import { createRequire } from 'node:module'
import type { SwaggerOptions } from '@fastify/swagger'
import type { FastifyInstance, FastifyReply, FastifyRequest, RouteOptions } from 'fastify'
import { lazySerializerFactory, lazyValidatorFactory } from './lazy-schema-compilers.js'

/** Where the OpenAPI document is served. */
export const OPENAPI_PATH = '/openapi.json'
/** Where the API reference page (Swagger UI, served from the package: no CDN) is served. */
export const DOCS_PREFIX = '/docs'

const { version } = createRequire(import.meta.url)('../../package.json') as { version: string }

/** What `@fastify/swagger` is registered with. */
const SWAGGER_OPTIONS: SwaggerOptions = {
  openapi: {
    openapi: '3.1.0',
    info: {
      title: 'Patchbay hub API',
      version,
      description: "The hub's own HTTP API: aiXplain's wire endpoints, the v2 and admin routes, MCP, health and metrics.",
    },
    components: {
      securitySchemes: {
        apiKey: { type: 'apiKey', in: 'header', name: 'x-api-key', description: 'A tenant API key (`patchbay keys create`); `Authorization: Token <key>` works too' },
        metricsToken: { type: 'http', scheme: 'bearer', description: 'PATCHBAY_METRICS_TOKEN' },
      },
    },
    security: [{ apiKey: [] }],
  },
}

/** The routes each hub has added, for its documentation instance. */
const routesOf = new WeakMap<FastifyInstance, RouteOptions[]>()

/**
 * Starts recording the routes added to `app` for the OpenAPI document. Call before any route is
 * added: only routes added after it are in the document.
 */
export function registerOpenApi(app: FastifyInstance): void {
  const routes: RouteOptions[] = []
  routesOf.set(app, routes)
  app.addHook('onRoute', (r) => {
    // HEAD routes are Fastify's automatic twins of GET ones; @fastify/swagger leaves them out.
    if (r.method !== 'HEAD' && !isDocsPath(r.url)) routes.push(r)
  })
}

/** Builds the instance that serves the document and Swagger UI, from the recorded routes. */
async function buildDocs(routes: readonly RouteOptions[]): Promise<FastifyInstance> {
  const [{ default: Fastify }, { default: swagger }, { default: swaggerUi }] = await Promise.all([import('fastify'), import('@fastify/swagger'), import('@fastify/swagger-ui')])
  const docs = Fastify({
    exposeHeadRoutes: false,
    routerOptions: { maxParamLength: 500 },
    // Nothing validates or serialises here: the schemas are only read into the document.
    schemaController: { compilersFactory: { buildValidator: lazyValidatorFactory, buildSerializer: lazySerializerFactory } },
  })
  await docs.register(swagger, SWAGGER_OPTIONS)
  const unused = async () => undefined
  for (const r of routes) docs.route({ method: r.method, url: r.url, ...(r.schema ? { schema: r.schema } : {}), ...(r.config ? { config: r.config } : {}), handler: unused })
  await docs.register(swaggerUi, { routePrefix: DOCS_PREFIX, staticCSP: true })
  await docs.ready()
  return docs
}

/** Headers of one hop that the documentation instance's answer must not pass on. */
const HOP_HEADERS = new Set(['connection', 'keep-alive', 'transfer-encoding', 'date'])

/**
 * `GET /openapi.json` and the reference page at `/docs`; both public, neither in the document.
 * `app` is the instance {@link registerOpenApi} was called on (the routes plugin is a
 * fastify-plugin, so it is handed that same instance).
 */
export function registerApiDocsRoutes(app: FastifyInstance): void {
  let docs: Promise<FastifyInstance> | undefined
  const ready = () => {
    docs ??= buildDocs(routesOf.get(app) ?? []).catch((err: unknown) => {
      docs = undefined
      throw err
    })
    return docs
  }
  app.addHook('onClose', async () => {
    if (docs) await (await docs.catch(() => undefined))?.close()
  })
  app.get(OPENAPI_PATH, { schema: { hide: true } }, async () => (await ready()).swagger())
  const forward = async (req: FastifyRequest, reply: FastifyReply) => {
    // HEAD is answered from the GET (Fastify drops the body); the instance has no HEAD routes.
    const res = await (await ready()).inject({ method: req.method === 'HEAD' ? 'GET' : (req.method as 'GET'), url: req.url, headers: req.headers })
    for (const [name, value] of Object.entries(res.headers)) if (value !== undefined && !HOP_HEADERS.has(name)) void reply.header(name, value)
    return reply.code(res.statusCode).send(res.rawPayload.length > 0 ? res.rawPayload : undefined)
  }
  app.get(DOCS_PREFIX, { schema: { hide: true } }, forward)
  app.get(`${DOCS_PREFIX}/*`, { schema: { hide: true } }, forward)
}

/** Whether a path is one of the documentation routes (public). */
export function isDocsPath(path: string): boolean {
  return path === OPENAPI_PATH || path === DOCS_PREFIX || path.startsWith(`${DOCS_PREFIX}/`)
}
