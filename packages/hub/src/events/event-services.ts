import type { Logger } from 'pino'
import type { Store, WebhookAttemptRow, WebhookDeliveryRow } from '../store/store.js'
import type { Vault } from '../vault/vault.js'
import { DeliveryWorker, type DeliverySettings } from './delivery-worker.js'
import { EventsFeed } from './events-feed.js'
import { WebhookEndpoints } from './webhook-endpoints.js'

/** The events room's services, built once in hub.ts. */
export interface EventServices {
  endpoints: WebhookEndpoints
  feed: EventsFeed
  worker: DeliveryWorker
  /** Stops the worker and answers waiting long-polls. */
  close(): Promise<void>
}

/** A delivery as `GET /api/v2/webhooks/deliveries` answers it. */
export interface DeliveryRecord {
  /** The `webhook-id` every attempt carried. */
  id: string
  endpointId: string
  eventId: string
  eventType: string
  /** PENDING, DELIVERED or FAILED. */
  status: string
  createdAt: string
  /** When the next attempt is due (PENDING only). */
  nextAttemptAt: string | null
  attempts: { attempt: number; at: string; statusCode: number | null; error: string | null; durationMs: number }[]
}

/**
 * Builds the webhook endpoints, the events feed and the delivery worker (started here unless
 * `start: false`).
 *
 * @example
 * ```ts
 * const events = createEventServices({ store, vault, logger, allowPrivateNetwork: false })
 * ```
 */
export function createEventServices(deps: {
  store: Store
  vault: Vault
  logger: Logger
  allowPrivateNetwork: boolean
  delivery?: Partial<DeliverySettings> | undefined
  start?: boolean
}): EventServices {
  const endpoints = new WebhookEndpoints(deps)
  const feed = new EventsFeed(deps.store)
  const worker = new DeliveryWorker({ ...deps, endpoints, settings: deps.delivery ?? {} })
  if (deps.start !== false) worker.start()
  return {
    endpoints,
    feed,
    worker,
    async close() {
      feed.close()
      await worker.stop()
    },
  }
}

/** The wire record of a delivery and its attempts. */
export function deliveryRecord(d: { delivery: WebhookDeliveryRow; eventType: string; attempts: WebhookAttemptRow[] }): DeliveryRecord {
  return {
    id: d.delivery.id,
    endpointId: d.delivery.endpoint_id,
    eventId: d.delivery.event_id,
    eventType: d.eventType,
    status: d.delivery.status,
    createdAt: d.delivery.created_at,
    nextAttemptAt: d.delivery.status === 'PENDING' ? d.delivery.next_attempt_at : null,
    attempts: d.attempts.map((a) => ({ attempt: a.attempt, at: a.at, statusCode: a.status_code, error: a.error, durationMs: a.duration_ms })),
  }
}
