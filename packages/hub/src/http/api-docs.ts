import { createRequire } from 'node:module'
import swagger from '@fastify/swagger'
import swaggerUi from '@fastify/swagger-ui'
import type { FastifyInstance } from 'fastify'

/** Where the OpenAPI document is served. */
export const OPENAPI_PATH = '/openapi.json'
/** Where the API reference page (Swagger UI, served from the package: no CDN) is served. */
export const DOCS_PREFIX = '/docs'

const { version } = createRequire(import.meta.url)('../../package.json') as { version: string }

/**
 * Starts collecting route schemas into an OpenAPI 3.1 document. Call before any route is added:
 * only routes added after it are in the document.
 */
export function registerOpenApi(app: FastifyInstance): void {
  void app.register(swagger, {
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
  })
}

/** `GET /openapi.json` and the reference page at `/docs`; both public, neither in the document. */
export function registerApiDocsRoutes(app: FastifyInstance): void {
  app.get(OPENAPI_PATH, { schema: { hide: true } }, async () => app.swagger())
  void app.register(swaggerUi, { routePrefix: DOCS_PREFIX, staticCSP: true })
}

/** Whether a path is one of the documentation routes (public). */
export function isDocsPath(path: string): boolean {
  return path === OPENAPI_PATH || path === DOCS_PREFIX || path.startsWith(`${DOCS_PREFIX}/`)
}
