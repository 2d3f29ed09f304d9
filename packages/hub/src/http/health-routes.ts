import type { FastifyInstance } from 'fastify'
import { checkReadiness } from '../store/readiness.js'
import type { ServerDeps } from './server-deps.js'

/** How long `/ready` waits for the database, ms. */
const READY_TIMEOUT_MS = 1_000

const statusSchema = (values: string[]) => ({
  type: 'object',
  additionalProperties: true,
  required: ['status'],
  properties: { status: { type: 'string', enum: values }, reason: { type: 'string' } },
})

/**
 * `GET /health` (liveness: the process serves) and `GET /ready` (readiness: the database answers
 * and its schema is migrated; 503 otherwise). Both public.
 */
export function registerHealthRoutes(app: FastifyInstance, deps: Pick<ServerDeps, 'store'>): void {
  app.get('/health', { schema: { summary: 'Liveness: the process serves', tags: ['health'], security: [], response: { 200: statusSchema(['ok']) } } }, async () => ({
    status: 'ok',
  }))
  app.get(
    '/ready',
    {
      schema: {
        summary: 'Readiness: the database answers and is migrated',
        tags: ['health'],
        security: [],
        response: { 200: statusSchema(['ready']), 503: statusSchema(['unavailable']) },
      },
    },
    async (_req, reply) => {
      const r = await checkReadiness(deps.store, READY_TIMEOUT_MS)
      if (r.ready) return { status: 'ready' }
      return reply.status(503).send({ status: 'unavailable', reason: r.reason })
    },
  )
}
