import { timingSafeEqual, createHash } from 'node:crypto'
import type { FastifyInstance } from 'fastify'
import { PatchbayError } from '@patchbay/core'
import { enableMetrics } from '../metrics/metrics.js'

/** The path Prometheus scrapes. */
export const METRICS_PATH = '/metrics'

function digest(s: string): Buffer {
  return createHash('sha256').update(s).digest()
}

/**
 * `GET /metrics`: the Prometheus text format, for a scraper sending
 * `Authorization: Bearer <PATCHBAY_METRICS_TOKEN>`. Without the setting the route does not exist
 * (404). The token is compared in constant time (both sides hashed first, so length leaks nothing).
 */
export function registerMetricsRoute(app: FastifyInstance, token: string | undefined): void {
  if (!token) return
  const registry = enableMetrics()
  const expected = digest(token)
  app.get(
    METRICS_PATH,
    {
      schema: {
        summary: 'Prometheus metrics (needs Authorization: Bearer <PATCHBAY_METRICS_TOKEN>)',
        tags: ['health'],
        security: [{ metricsToken: [] }],
        response: { 200: { type: 'string', description: 'Prometheus text exposition format' } },
      },
    },
    async (req, reply) => {
      const m = /^Bearer\s+(.+)$/i.exec(req.headers.authorization?.trim() ?? '')
      if (!m || !timingSafeEqual(digest((m[1] as string).trim()), expected)) {
        throw new PatchbayError('UNAUTHORIZED', 'Send the metrics token as `Authorization: Bearer <PATCHBAY_METRICS_TOKEN>`')
      }
      const text = await registry.metrics()
      return reply.type(registry.contentType).send(text)
    },
  )
}
