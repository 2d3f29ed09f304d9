import type { Generated } from 'kysely'

/**
 * `events`: what happened to a tenant's things (a connection created, expired, …), kept for the
 * events feed for the retention period. `seq` orders the feed (its cursor); `data` is JSON text
 * and never holds a credential.
 */
export interface EventTable {
  seq: Generated<number>
  id: string
  tenant_id: string
  type: string
  data: string
  created_at: string
}

/** `webhook_endpoints`: where a tenant wants its events sent; `secret` is the signing secret, sealed. */
export interface WebhookEndpointTable {
  id: string
  tenant_id: string
  url: string
  /** JSON array of event types, or null for every type. */
  events: string | null
  secret: string
  created_at: string
}

/**
 * `webhook_deliveries`: the outbox. One row per event and endpoint, written in the transaction of
 * the change the event reports; its id is the `webhook-id` of every attempt.
 */
export interface WebhookDeliveryTable {
  id: string
  tenant_id: string
  endpoint_id: string
  event_id: string
  /** PENDING (to send or retry), DELIVERED, or FAILED (gave up). */
  status: string
  attempts: number
  /** When the next attempt is due; a claimed delivery's lease end while it is being sent. */
  next_attempt_at: string
  created_at: string
  updated_at: string
}

/** `webhook_attempts`: each try of a delivery, with the receiver's status or the error. */
export interface WebhookAttemptTable {
  delivery_id: string
  attempt: number
  tenant_id: string
  at: string
  status_code: number | null
  error: string | null
  duration_ms: number
}
