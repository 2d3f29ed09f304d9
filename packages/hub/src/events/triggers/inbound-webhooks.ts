import { PatchbayError, type TriggerDefinition } from '@patchbay/core'
import type { Catalog } from '../../catalog/catalog.js'
import { integrationLookup, type IntegrationLookup } from '../../catalog/find-integration.js'
import type { TenantIntegrations } from '../../catalog/tenant-integrations.js'
import type { Store, TriggerInstanceRow } from '../../store/store.js'
import { openConnectionSecrets } from '../../vault/connection-secrets.js'
import type { Vault } from '../../vault/vault.js'
import { fireTrigger } from './fire.js'
import { acceptsEvent, challengeAnswer, eventKind, routingValue } from './inbound.js'
import { valueAt } from './json-path.js'
import { verifySignature, type InboundHeaders } from './signatures.js'
import { inboundTokenHash, openTriggerSecrets } from './trigger-secrets.js'

/** Reads a field of a tenant's OAuth app's sealed secrets (Slack's `signing_secret`). */
export type OAuthAppSecretReader = (tenantId: string, integrationModelId: string, field: string) => Promise<string | undefined>

/** What {@link InboundWebhooks} is built with. */
export interface InboundWebhooksConfig {
  store: Store
  vault: Vault
  catalog: Catalog
  tenantIntegrations?: TenantIntegrations | undefined
  oauthAppSecret: OAuthAppSecretReader
}

/** The answer to an inbound delivery: a challenge to echo, or how many instances fired. */
export type InboundAnswer = { challenge: string } | { received: true; fired: number }

/** Config fields that narrow which events an instance takes (a convention of the built-in types). */
function instanceKinds(config: Record<string, unknown>): string[] | undefined {
  for (const field of ['event_types', 'resource_types']) {
    const v = config[field]
    if (Array.isArray(v) && v.length > 0) return v.filter((x): x is string => typeof x === 'string')
  }
  return undefined
}

/** The instance's own filters on the payload: `actions` (payload `action`) and `ref` (payload `ref`). */
function payloadMatches(config: Record<string, unknown>, payload: unknown): boolean {
  const actions = config['actions']
  if (Array.isArray(actions) && actions.length > 0 && !actions.includes(valueAt(payload, 'action'))) return false
  const ref = config['ref']
  if (typeof ref === 'string' && ref !== '' && valueAt(payload, 'ref') !== ref) return false
  return true
}

const unauthorized = (reason: string) => new PatchbayError('UNAUTHORIZED', `The webhook signature was rejected: ${reason}`)

/**
 * Receives a service's webhook at an inbound URL (`POST /api/v2/triggers/inbound/{token}`, no API
 * key: the token finds the instances, the signature proves the sender). In order: the token's
 * instances (none: 404, as for a deleted trigger); the signature over the raw bytes with each
 * instance's secret (none verifies: 401, nothing stored); the JSON body; a verification challenge
 * (Slack's `url_verification`) answered with its value; then per instance the payload routing
 * (Slack's `team_id` against the connection's token), the event-kind filter and the instance's
 * own filters, and {@link fireTrigger} for each instance that takes it. Paused instances and
 * events no instance takes (a GitHub `ping`) are acknowledged with `fired: 0`.
 *
 * @example
 * ```ts
 * const answer = await inbound.receive(token, req.headers, rawBody)
 * ```
 */
export class InboundWebhooks {
  readonly #deps: InboundWebhooksConfig
  readonly #lookup: IntegrationLookup

  constructor(deps: InboundWebhooksConfig) {
    this.#deps = deps
    this.#lookup = integrationLookup(deps.catalog, deps.tenantIntegrations)
  }

  /**
   * Handles one delivery.
   * @throws {PatchbayError} NOT_FOUND (unknown token), UNAUTHORIZED (signature, timestamp), VALIDATION (not JSON).
   */
  async receive(token: string, headers: InboundHeaders, body: Buffer, now = new Date()): Promise<InboundAnswer> {
    const notFound = new PatchbayError('NOT_FOUND', 'No trigger at this URL: it was deleted, or never existed; activate one with POST /api/v2/connections/{id}/triggers')
    if (!/^[A-Za-z0-9_-]{20,100}$/.test(token)) throw notFound
    const rows = await this.#deps.store.triggers.findByInboundTokenHash(inboundTokenHash(token))
    const first = rows[0]
    if (!first || first.integration_id === null) throw notFound
    const integration = await this.#lookup(first.tenant_id, first.integration_id)
    if (!integration) throw notFound
    const candidates: { row: TriggerInstanceRow; def: TriggerDefinition }[] = []
    let reason = 'no trigger at this URL takes signed deliveries'
    for (const row of rows) {
      const def = integration.definition.triggers?.find((t) => t.slug === row.slug)
      if (!def?.webhook) continue
      const secret = def.webhook.signature.scheme === 'none' ? '' : await this.#secretOf(row, def, integration.modelId)
      if (secret === undefined) {
        reason = 'the hub has no signing secret for this trigger yet (for Slack: set signingSecret on the OAuth app, PUT /admin/oauth-apps/slack)'
        continue
      }
      const check = verifySignature(def.webhook.signature, secret, { headers, body }, now.getTime())
      if (check.ok) candidates.push({ row, def })
      else reason = check.reason
    }
    if (candidates.length === 0) throw unauthorized(reason)
    let payload: unknown
    try {
      payload = JSON.parse(body.toString('utf8'))
    } catch {
      throw new PatchbayError('VALIDATION', 'The webhook body is not valid JSON; this URL takes JSON event bodies')
    }
    for (const { def } of candidates) {
      const challenge = def.webhook && challengeAnswer(def.webhook, payload)
      if (challenge) return challenge
    }
    let fired = 0
    for (const { row, def } of candidates) {
      const hook = def.webhook
      if (!hook || row.enabled !== 1) continue
      const config = JSON.parse(row.config) as Record<string, unknown>
      if (hook.routing?.by === 'payload' && !(await this.#routesTo(row, hook.routing.match, routingValue(hook, payload)))) continue
      if (!acceptsEvent(hook, headers, payload, instanceKinds(config)) || !payloadMatches(config, payload)) continue
      const result = await fireTrigger(this.#deps.store, row.id, { cause: { type: 'webhook', kind: eventKind(hook, headers, payload) }, payloads: [payload], now })
      if (result.recorded) fired++
    }
    return { received: true, fired }
  }

  /** The signing secret of an instance, from where its definition says; undefined when there is none yet. */
  async #secretOf(row: TriggerInstanceRow, def: TriggerDefinition, modelId: string): Promise<string | undefined> {
    const source = def.webhook?.secret
    if (!source) return undefined
    switch (source.source) {
      case 'generated':
      case 'config':
        return openTriggerSecrets(this.#deps.vault, row).signingSecret || undefined
      case 'oauth-app':
        return this.#deps.oauthAppSecret(row.tenant_id, modelId, source.field ?? 'signing_secret')
      case 'connection': {
        const value = source.input ? await this.#connectionValue(row, source.input) : undefined
        return typeof value === 'string' && value !== '' ? value : undefined
      }
    }
  }

  /** A connection value: an input (config or sealed secrets), or `token.<path>` into the OAuth token response. */
  async #connectionValue(row: TriggerInstanceRow, name: string): Promise<unknown> {
    if (row.connection_id === null) return undefined
    const connection = await this.#deps.store.getConnection(row.tenant_id, row.connection_id)
    if (!connection) return undefined
    const secrets = openConnectionSecrets<Record<string, unknown>>(this.#deps.vault, connection)
    if (name.startsWith('token.')) return valueAt(secrets['raw'], name.slice('token.'.length))
    const config = JSON.parse(connection.config) as Record<string, unknown>
    return Object.hasOwn(config, name) ? config[name] : secrets[name]
  }

  async #routesTo(row: TriggerInstanceRow, match: string | undefined, value: string | undefined): Promise<boolean> {
    if (!match || value === undefined) return false
    const expected = await this.#connectionValue(row, match)
    return (typeof expected === 'string' || typeof expected === 'number') && String(expected) === value
  }
}
