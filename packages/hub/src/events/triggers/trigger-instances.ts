import type { Ajv, ErrorObject, ValidateFunction } from 'ajv'
import { ConnectionStatus, PatchbayError, type TriggerDefinition } from '@patchbay/core'
import type { Catalog } from '../../catalog/catalog.js'
import type { TenantIntegrations } from '../../catalog/tenant-integrations.js'
import { resolveTarget, type ExecuteTarget } from '../../connections/execute.js'
import { notActive } from '../../connections/execute-results.js'
import { newId } from '../../ids.js'
import { newTriggerInstanceRow, type Store, type TriggerInstanceRow } from '../../store/store.js'
import type { Vault } from '../../vault/vault.js'
import { checkConnectionSchedule, SCHEDULE_SLUG, SCHEDULE_TYPE } from './connection-schedule.js'
import { initialPollState } from './poll.js'
import {
  INBOUND_PATH,
  inboundTokenHash,
  newInboundToken,
  newSigningSecret,
  openTriggerSecrets,
  sealTriggerSecrets,
  secretConfigFields,
  type TriggerSecrets,
} from './trigger-secrets.js'
import { createAjv } from '../../catalog/ajv.js'

/** The answer to an activation: the id, the URL to register at the service, the secret shown once. */
export interface ActivatedTrigger {
  triggerId: string
  /** Where the service must send its webhooks (webhook triggers). */
  webhookUrl?: string
  /** The signing secret the hub generated (`secret.source: generated`); shown only here. */
  secret?: string
  /** When a schedule ({@link SCHEDULE_SLUG}) first runs. */
  nextRunAt?: string | null
}

/** A trigger instance as `GET /api/v2/connections/{id}/triggers` answers it (never a secret). */
export interface TriggerInstanceRecord {
  triggerId: string
  connectionId: string | null
  slug: string | null
  type: string
  enabled: boolean
  /** The config, without its secret fields. */
  config: Record<string, unknown>
  webhookUrl?: string
  nextRunAt: string | null
  lastRunAt: string | null
  failures: number
  lastError: string | null
  createdAt: string
  updatedAt: string
}

/** What the job engine (trig-sched's `JobEngine`) is told when an instance's due time changes. */
export interface TriggerJobs {
  schedule(jobId: string, dueAt: Date): Promise<void>
  unschedule(jobId: string): Promise<void>
}

/** What {@link TriggerInstances} is built with. */
export interface TriggerInstancesConfig {
  store: Store
  vault: Vault
  catalog: Catalog
  tenantIntegrations?: TenantIntegrations | undefined
  /** The job engine, told about polls to run; set later with {@link TriggerInstances.useJobs}. */
  jobs?: TriggerJobs | undefined
}

/** Most trigger instances one connection may have. */
export const MAX_TRIGGERS_PER_CONNECTION = 50

// Made on the first validation, so importing this module loads no Ajv (catalog/ajv.ts).
let ajvInstance: Ajv | undefined
const ajv = (): Ajv => (ajvInstance ??= createAjv({ allErrors: false, strict: false }))
const validators = new WeakMap<object, ValidateFunction>()

function validatorOf(trigger: TriggerDefinition): ValidateFunction {
  let v = validators.get(trigger.config)
  if (!v) {
    v = ajv().compile(trigger.config)
    validators.set(trigger.config, v)
  }
  return v
}

/** The first ajv error as `config.<field> <message>`. */
function configProblem(e: ErrorObject): string {
  const path = e.instancePath.split('/').filter(Boolean).join('.')
  if (e.keyword === 'required') return `config.${path ? `${path}.` : ''}${String(e.params['missingProperty'])} is required`
  if (e.keyword === 'additionalProperties') return `config.${path ? `${path}.` : ''}${String(e.params['additionalProperty'])} is not a field of this trigger`
  return `config${path ? `.${path}` : ''} ${e.message ?? 'is invalid'}`
}

/**
 * Checks a config against the trigger type's `config` schema.
 * @throws {PatchbayError} VALIDATION naming the field, e.g. `config.signing_secret is required`.
 */
export function checkTriggerConfig(trigger: TriggerDefinition, config: unknown): Record<string, unknown> {
  if (config === undefined || config === null) config = {}
  if (typeof config !== 'object' || Array.isArray(config))
    throw new PatchbayError('VALIDATION', 'config must be a JSON object (the fields of the trigger type, see list_trigger_types)')
  const validate = validatorOf(trigger)
  if (!validate(config)) {
    const first = validate.errors?.[0]
    throw new PatchbayError('VALIDATION', `${first ? configProblem(first) : 'config is invalid'}; the schema is the trigger type's config (list_trigger_types)`)
  }
  return config as Record<string, unknown>
}

/** The inbound URL of a token. */
export function inboundUrl(baseUrl: string, token: string): string {
  return `${baseUrl.replace(/\/+$/, '')}${INBOUND_PATH}${token}`
}

/**
 * Trigger instances on connections: activate a trigger type with its config (validated against
 * the type's schema; secrets sealed, never stored in the config), list, pause and resume, delete.
 * A webhook trigger gets an unguessable inbound URL (one per instance, or one per tenant and
 * integration when the definition routes by payload, as Slack's one Events URL per app); a poll
 * trigger is due at once and handed to the job engine.
 *
 * @example
 * ```ts
 * const { triggerId, webhookUrl, secret } = await triggers.activate(tenantId, connectionId, { slug: 'GITHUB_ISSUE_EVENT', config: {} }, 'https://hub.example.com')
 * ```
 */
export class TriggerInstances {
  readonly #deps: TriggerInstancesConfig
  #jobs: TriggerJobs | undefined

  constructor(deps: TriggerInstancesConfig) {
    this.#deps = deps
    this.#jobs = deps.jobs
  }

  /** Sets the job engine told about due times (built after this service in hub.ts). */
  useJobs(jobs: TriggerJobs | undefined): void {
    this.#jobs = jobs
  }

  /** A tenant's connection and its integration. @throws {PatchbayError} NOT_FOUND. */
  async connectionTarget(tenantId: string, connectionId: string): Promise<ExecuteTarget & { kind: 'connection' }> {
    const target = /^[0-9a-f]{24}$/.test(connectionId) ? await resolveTarget(this.#deps, tenantId, connectionId).catch(() => undefined) : undefined
    if (!target || target.kind !== 'connection') throw new PatchbayError('NOT_FOUND', `No connection ${connectionId.slice(0, 64)}; list them with POST /sdk/models/paginate`)
    return target
  }

  /**
   * Activates trigger type `body.slug` on a connection.
   * @throws {PatchbayError} VALIDATION (unknown slug, config failing its schema), NOT_FOUND, LIMIT_REACHED.
   */
  async activate(tenantId: string, connectionId: string, body: { slug?: unknown; config?: unknown }, baseUrl: string): Promise<ActivatedTrigger> {
    const { integration, connection } = await this.connectionTarget(tenantId, connectionId)
    // A connection still waiting for its OAuth grant has no account yet to watch.
    if (connection.status === ConnectionStatus.PENDING) throw notActive(connection)
    const triggers = integration.definition.triggers ?? []
    const slug = body.slug
    if (typeof slug !== 'string' || slug === '') {
      throw new PatchbayError('VALIDATION', `slug is required: one of ${triggers.map((t) => t.slug).join(', ') || '(this integration has no triggers)'}`)
    }
    const trigger = triggers.find((t) => t.slug === slug.toUpperCase())
    if (!trigger && slug.toUpperCase() === SCHEDULE_SLUG) return this.#activateSchedule(tenantId, integration, connection.id, body.config)
    if (!trigger) {
      throw new PatchbayError(
        'VALIDATION',
        `${integration.definition.name} has no trigger ${JSON.stringify(slug.slice(0, 64))}; its triggers are ${triggers.map((t) => t.slug).join(', ') || '(none)'}`,
      )
    }
    const config = checkTriggerConfig(trigger, body.config)
    await this.#checkLimit(tenantId, connection.id)
    const id = newId()
    const now = new Date().toISOString()
    const hidden = secretConfigFields(trigger)
    const stored: Record<string, unknown> = {}
    const secrets: TriggerSecrets = {}
    for (const [k, v] of Object.entries(config)) {
      if (hidden.has(k)) secrets.configSecrets = { ...secrets.configSecrets, [k]: v }
      else stored[k] = v
    }
    const answer: ActivatedTrigger = { triggerId: id }
    let tokenHash: string | null = null
    if (trigger.type === 'webhook' && trigger.webhook) {
      const source = trigger.webhook.secret?.source
      if (source === 'generated') answer.secret = secrets.signingSecret = newSigningSecret(trigger)
      if (source === 'config' && trigger.webhook.secret?.input) secrets.signingSecret = String(config[trigger.webhook.secret.input] ?? '')
      const token = (await this.#sharedToken(tenantId, integration.definition.id, trigger, triggers)) ?? newInboundToken()
      secrets.inboundToken = token
      tokenHash = inboundTokenHash(token)
      answer.webhookUrl = inboundUrl(baseUrl, token)
    }
    const poll = trigger.type === 'poll'
    const row = newTriggerInstanceRow({
      id,
      tenant_id: tenantId,
      connection_id: connection.id,
      integration_id: integration.definition.id,
      slug: trigger.slug,
      type: trigger.type,
      config: JSON.stringify(stored),
      secret: sealTriggerSecrets(this.#deps.vault, tenantId, id, secrets),
      inbound_token_hash: tokenHash,
      next_run_at: poll ? now : null,
      state: poll ? JSON.stringify(initialPollState(new Date(now))) : null,
      created_at: now,
      name: trigger.name,
    })
    await this.#deps.store.triggers.insert(row)
    if (poll) await this.#jobs?.schedule(id, new Date(now))
    return answer
  }

  async #checkLimit(tenantId: string, connectionId: string): Promise<void> {
    const existing = await this.#deps.store.triggers.list(tenantId, { connectionId })
    if (existing.length >= MAX_TRIGGERS_PER_CONNECTION) {
      throw new PatchbayError(
        'LIMIT_REACHED',
        `A connection may have at most ${MAX_TRIGGERS_PER_CONNECTION} triggers; delete one first (DELETE /api/v2/connections/${connectionId}/triggers/{triggerId})`,
      )
    }
  }

  /** A built-in {@link SCHEDULE_SLUG} instance: runs `config.action` with `config.input` on `config.schedule` (connection-schedule.ts). */
  async #activateSchedule(tenantId: string, integration: ExecuteTarget['integration'], connectionId: string, config: unknown): Promise<ActivatedTrigger> {
    const now = new Date()
    const s = checkConnectionSchedule(integration, config, now)
    await this.#checkLimit(tenantId, connectionId)
    const id = newId()
    const at = now.toISOString()
    const nextRunAt = s.firstRunAt?.toISOString() ?? null
    const secrets: TriggerSecrets = Object.keys(s.secretInput).length > 0 ? { configSecrets: s.secretInput } : {}
    await this.#deps.store.triggers.insert(
      newTriggerInstanceRow({
        id,
        tenant_id: tenantId,
        connection_id: connectionId,
        integration_id: integration.definition.id,
        slug: SCHEDULE_SLUG,
        type: SCHEDULE_TYPE,
        name: `Schedule ${s.action}`,
        config: JSON.stringify({ action: s.action, input: s.input, schedule: s.given }),
        secret: sealTriggerSecrets(this.#deps.vault, tenantId, id, secrets),
        configuration: JSON.stringify(s.schedule),
        next_run_at: nextRunAt,
        created_at: at,
      }),
    )
    if (nextRunAt) await this.#jobs?.schedule(id, new Date(nextRunAt))
    return { triggerId: id, nextRunAt }
  }

  /**
   * A payload-routed trigger reuses the inbound token of the tenant's other payload-routed
   * instances of the same integration: one URL per tenant and integration (Slack's one Events URL
   * per app), each delivery routed to its connection by the payload.
   */
  async #sharedToken(tenantId: string, integrationId: string, trigger: TriggerDefinition, all: readonly TriggerDefinition[]): Promise<string | undefined> {
    if (trigger.webhook?.routing?.by !== 'payload') return undefined
    const payloadRouted = new Set(all.filter((t) => t.webhook?.routing?.by === 'payload').map((t) => t.slug))
    const siblings = (await this.#deps.store.triggers.list(tenantId, { kind: 'connection' })).filter(
      (r) => r.integration_id === integrationId && r.inbound_token_hash !== null && r.slug !== null && payloadRouted.has(r.slug),
    )
    for (const s of siblings) {
      const token = openTriggerSecrets(this.#deps.vault, s).inboundToken
      if (token) return token
    }
    return undefined
  }

  /** A connection's trigger instances. @throws {PatchbayError} NOT_FOUND for an unknown connection. */
  async list(tenantId: string, connectionId: string, baseUrl: string): Promise<TriggerInstanceRecord[]> {
    const { connection } = await this.connectionTarget(tenantId, connectionId)
    const rows = await this.#deps.store.triggers.list(tenantId, { kind: 'connection', connectionId: connection.id })
    return rows.map((r) => this.record(r, baseUrl))
  }

  /** The wire record of a row (the inbound URL reopened from the sealed token; no secret). */
  record(r: TriggerInstanceRow, baseUrl: string): TriggerInstanceRecord {
    const token = r.inbound_token_hash ? openTriggerSecrets(this.#deps.vault, r).inboundToken : undefined
    return {
      triggerId: r.id,
      connectionId: r.connection_id,
      slug: r.slug,
      type: r.type,
      enabled: r.enabled === 1,
      config: JSON.parse(r.config) as Record<string, unknown>,
      ...(token ? { webhookUrl: inboundUrl(baseUrl, token) } : {}),
      nextRunAt: r.next_run_at,
      lastRunAt: r.last_run_at,
      failures: r.failures,
      lastError: r.last_error,
      createdAt: r.created_at,
      updatedAt: r.updated_at,
    }
  }

  async #own(tenantId: string, connectionId: string | undefined, triggerId: string): Promise<TriggerInstanceRow> {
    const row = await this.#deps.store.triggers.get(tenantId, triggerId)
    if (!row || row.kind !== 'connection' || (connectionId !== undefined && row.connection_id !== connectionId)) {
      throw new PatchbayError(
        'NOT_FOUND',
        `No trigger ${triggerId.slice(0, 64)}${connectionId ? ` on connection ${connectionId.slice(0, 64)}` : ''}; list them with GET /api/v2/connections/{id}/triggers`,
      )
    }
    return row
  }

  /**
   * Pauses (`false`) or resumes (`true`) an instance; a resumed poll is due at once, a resumed
   * schedule keeps its due time (one missed while paused runs once, at once).
   * @throws {PatchbayError} VALIDATION, NOT_FOUND.
   */
  async setEnabled(tenantId: string, connectionId: string | undefined, triggerId: string, enabled: unknown, baseUrl: string): Promise<TriggerInstanceRecord> {
    if (typeof enabled !== 'boolean') throw new PatchbayError('VALIDATION', 'enabled is required: true to resume the trigger, false to pause it')
    const row = await this.#own(tenantId, connectionId, triggerId)
    const now = new Date()
    const due = enabled && row.type === 'poll' ? now.toISOString() : row.next_run_at
    const updated = await this.#deps.store.triggers.update(tenantId, row.id, { enabled: enabled ? 1 : 0, next_run_at: due, ...(enabled ? { failures: 0 } : {}) }, { now })
    if (enabled && due) await this.#jobs?.schedule(row.id, new Date(due))
    if (!enabled) await this.#jobs?.unschedule(row.id)
    return this.record(updated ?? row, baseUrl)
  }

  /** Deletes an instance (its URL answers 404 from now on). @throws {PatchbayError} NOT_FOUND. */
  async remove(tenantId: string, connectionId: string | undefined, triggerId: string): Promise<void> {
    const row = await this.#own(tenantId, connectionId, triggerId)
    await this.#deps.store.triggers.delete(tenantId, row.id)
    await this.#jobs?.unschedule(row.id)
  }
}
