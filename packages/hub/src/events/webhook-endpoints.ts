import { randomBytes } from 'node:crypto'
import { PatchbayError } from '@patchbay/core'
import { newId } from '../ids.js'
import { checkUrl } from '../net/ssrf-guard.js'
import { CONNECTION_EVENT_TYPES } from '../store/event-store.js'
import { TRIGGER_EVENT_TYPES } from '../store/trigger-store.js'
import type { Store, WebhookEndpointRow } from '../store/store.js'
import { webhookSecretBinding } from '../vault/sealed-columns.js'
import type { Vault } from '../vault/vault.js'

/** The event types an endpoint may subscribe to: connection and trigger events. */
export const EVENT_TYPES: readonly string[] = [...CONNECTION_EVENT_TYPES, ...TRIGGER_EVENT_TYPES]

/** Most endpoints a tenant may have. */
export const MAX_ENDPOINTS = 20

/** A webhook endpoint as the API answers it (the secret only when it was just created). */
export interface WebhookEndpointRecord {
  id: string
  url: string
  /** The event types it receives; null: every type. */
  events: string[] | null
  createdAt: string
  /** The signing secret (`whsec_…`), shown once: in the answer that created the endpoint. */
  secret?: string
}

/**
 * A new Standard Webhooks signing secret: `whsec_` and base64 of 24 random bytes.
 *
 * @example
 * ```ts
 * newWebhookSecret() // 'whsec_3q2+7w…'
 * ```
 */
export function newWebhookSecret(): string {
  return `whsec_${randomBytes(24).toString('base64')}`
}

/**
 * A tenant's webhook endpoints: set (by URL: a new URL gets an id and a secret, a known one its new
 * event list), listed, removed. URLs are https, or http when the operator allows private networks;
 * the SSRF guard's rules apply (and apply again to every delivery).
 *
 * @example
 * ```ts
 * const { id, secret } = await endpoints.set(tenantId, { url: 'https://app.example.com/hooks' })
 * ```
 */
export class WebhookEndpoints {
  readonly #store: Store
  readonly #vault: Vault
  readonly #allowPrivateNetwork: boolean

  constructor(deps: { store: Store; vault: Vault; allowPrivateNetwork: boolean }) {
    this.#store = deps.store
    this.#vault = deps.vault
    this.#allowPrivateNetwork = deps.allowPrivateNetwork
  }

  /**
   * Creates the endpoint for `url`, or updates the event list of the tenant's endpoint with that URL.
   * @throws {PatchbayError} VALIDATION saying what to fix in the body.
   */
  async set(tenantId: string, body: { url?: unknown; events?: unknown }): Promise<WebhookEndpointRecord & { created: boolean }> {
    const url = this.checkEndpointUrl(body.url)
    const events = checkEvents(body.events)
    const existing = (await this.#store.webhooks.listEndpoints(tenantId)).find((e) => e.url === url)
    if (existing) {
      const row = await this.#store.webhooks.setEndpointEvents(tenantId, existing.id, events ? JSON.stringify(events) : null)
      return { ...endpointRecord(row ?? existing), created: false }
    }
    if ((await this.#store.webhooks.listEndpoints(tenantId)).length >= MAX_ENDPOINTS) {
      throw new PatchbayError('VALIDATION', `A tenant may have at most ${MAX_ENDPOINTS} webhook endpoints; remove one first (DELETE /api/v2/webhooks/{id})`)
    }
    const id = `we_${newId()}`
    const secret = newWebhookSecret()
    const row: WebhookEndpointRow = {
      id,
      tenant_id: tenantId,
      url,
      events: events ? JSON.stringify(events) : null,
      secret: this.#vault.seal(secret, webhookSecretBinding(tenantId, id)),
      created_at: new Date().toISOString(),
    }
    await this.#store.webhooks.insertEndpoint(row)
    return { ...endpointRecord(row), secret, created: true }
  }

  /** The tenant's endpoints, without secrets. */
  async list(tenantId: string): Promise<WebhookEndpointRecord[]> {
    return (await this.#store.webhooks.listEndpoints(tenantId)).map(endpointRecord)
  }

  /**
   * Removes an endpoint and its pending deliveries.
   * @throws {PatchbayError} NOT_FOUND when the tenant has no such endpoint.
   */
  async remove(tenantId: string, id: string): Promise<void> {
    if (!(await this.#store.webhooks.deleteEndpoint(tenantId, id))) {
      throw new PatchbayError('NOT_FOUND', `No webhook endpoint ${id}; list them with GET /api/v2/webhooks`)
    }
  }

  /** The plaintext signing secret of a stored endpoint. */
  openSecret(row: WebhookEndpointRow): string {
    return this.#vault.open<string>(row.secret, webhookSecretBinding(row.tenant_id, row.id))
  }

  /**
   * Checks an endpoint URL: an absolute https URL (http only when private networks are allowed),
   * no credentials in it, not a private address unless allowed.
   * @throws {PatchbayError} VALIDATION.
   */
  checkEndpointUrl(raw: unknown): string {
    if (typeof raw !== 'string' || !raw.trim()) {
      throw new PatchbayError('VALIDATION', 'url is required: the https URL the hub sends events to, e.g. https://app.example.com/webhooks/patchbay')
    }
    if (raw.length > 2048) throw new PatchbayError('VALIDATION', 'url must be at most 2,048 characters')
    const url = checkUrl(raw.trim(), { allowPrivateNetwork: this.#allowPrivateNetwork })
    if (url.protocol !== 'https:' && !this.#allowPrivateNetwork) {
      throw new PatchbayError('VALIDATION', 'url must use https (http is accepted only when the operator sets PATCHBAY_ALLOW_PRIVATE_NETWORK=true)')
    }
    return url.toString()
  }
}

function checkEvents(raw: unknown): string[] | undefined {
  if (raw === undefined || raw === null) return undefined
  if (!Array.isArray(raw) || raw.length === 0 || raw.some((t) => typeof t !== 'string')) {
    throw new PatchbayError('VALIDATION', `events must be a non-empty array of event types (leave it out for all of them): ${EVENT_TYPES.join(', ')}`)
  }
  const unknown = (raw as string[]).filter((t) => !EVENT_TYPES.includes(t))
  if (unknown.length > 0) {
    throw new PatchbayError('VALIDATION', `Unknown event type ${JSON.stringify(unknown[0]?.slice(0, 100))}; the types are ${EVENT_TYPES.join(', ')}`)
  }
  return [...new Set(raw as string[])]
}

function endpointRecord(row: WebhookEndpointRow): WebhookEndpointRecord {
  return { id: row.id, url: row.url, events: row.events ? (JSON.parse(row.events) as string[]) : null, createdAt: row.created_at }
}
