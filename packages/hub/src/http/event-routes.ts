import type { FastifyInstance } from 'fastify'
import { PatchbayError } from '@patchbay/core'
import { deliveryRecord } from '../events/event-services.js'
import { int, requireObject } from './request.js'
import type { ServerDeps } from './server-deps.js'

const DELIVERY_STATUSES = ['PENDING', 'DELIVERED', 'FAILED']

/**
 * Webhook endpoints (`/api/v2/webhooks`), their deliveries, and the events feed
 * (`/api/v2/events`) of the caller's tenant (docs/webhooks.md).
 */
export function registerEventRoutes(app: FastifyInstance, deps: Pick<ServerDeps, 'events' | 'store'>): void {
  const { endpoints, feed } = deps.events
  app.put('/api/v2/webhooks', async (req, reply) => {
    const body = requireObject(req.body, 'webhook endpoint')
    const { created, ...endpoint } = await endpoints.set(req.tenantId, { url: body['url'], events: body['events'] })
    return reply.code(created ? 201 : 200).send(endpoint)
  })
  app.get('/api/v2/webhooks', async (req) => ({ items: await endpoints.list(req.tenantId) }))
  app.get<{ Querystring: Record<string, string | undefined> }>('/api/v2/webhooks/deliveries', async (req) => {
    const status = req.query['status']
    if (status !== undefined && !DELIVERY_STATUSES.includes(status)) {
      throw new PatchbayError('VALIDATION', `status must be one of ${DELIVERY_STATUSES.join(', ')}`)
    }
    const rows = await deps.store.webhooks.listDeliveries(req.tenantId, {
      limit: int(req.query['limit'], 'limit', 50, 1, 200),
      endpointId: req.query['endpointId'],
      status,
    })
    return { items: rows.map(deliveryRecord) }
  })
  app.delete<{ Params: { id: string } }>('/api/v2/webhooks/:id', async (req) => {
    await endpoints.remove(req.tenantId, req.params.id)
    return { id: req.params.id, deleted: true }
  })
  app.get<{ Querystring: Record<string, string | undefined> }>('/api/v2/events', async (req, reply) => {
    // A client that hangs up ends its long-poll.
    const controller = new AbortController()
    const onClose = () => controller.abort()
    reply.raw.once('close', onClose)
    try {
      return await feed.read(req.tenantId, {
        after: req.query['after'],
        waitSeconds: int(req.query['wait'], 'wait', 0, 0, 30),
        limit: int(req.query['limit'], 'limit', 100, 1, 100),
        signal: controller.signal,
      })
    } finally {
      reply.raw.off('close', onClose)
    }
  })
}
