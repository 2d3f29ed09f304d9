import { createHash, randomBytes } from 'node:crypto'
import type { TriggerDefinition } from '@patchbay/core'
import type { TriggerInstanceRow } from '../../store/store.js'
import { triggerSecretBinding } from '../../vault/sealed-columns.js'
import type { Vault } from '../../vault/vault.js'
import { newWebhookSecret } from '../webhook-endpoints.js'

/** What a trigger instance keeps sealed (`trigger_instances.secret`). */
export interface TriggerSecrets {
  /** The signing secret the hub generated, or the one the config gave (`secret.source: config`). */
  signingSecret?: string
  /** The token of the inbound URL (kept so the URL can be listed again). */
  inboundToken?: string
  /** Config fields kept out of the stored config: the secret field and any `writeOnly` property. */
  configSecrets?: Record<string, unknown>
}

/** The path prefix of inbound webhook URLs (`POST /api/v2/triggers/inbound/{token}`, no API key). */
export const INBOUND_PATH = '/api/v2/triggers/inbound/'

/** A new inbound URL token: 32 random bytes, base64url (unguessable; only its hash is looked up). */
export function newInboundToken(): string {
  return randomBytes(32).toString('base64url')
}

/** SHA-256 (hex) of an inbound token, the stored lookup key. */
export function inboundTokenHash(token: string): string {
  return createHash('sha256').update(token).digest('hex')
}

/**
 * A signing secret the hub makes for a `secret.source: generated` trigger: a Standard Webhooks
 * `whsec_` secret for that scheme, else 32 random bytes as hex (what GitHub's webhook form takes).
 */
export function newSigningSecret(trigger: TriggerDefinition): string {
  return trigger.webhook?.signature.scheme === 'standard-webhooks' ? newWebhookSecret() : randomBytes(32).toString('hex')
}

/** Seals an instance's secrets, or null when there are none. */
export function sealTriggerSecrets(vault: Vault, tenantId: string, id: string, secrets: TriggerSecrets): string | null {
  return Object.keys(secrets).length === 0 ? null : vault.seal(secrets, triggerSecretBinding(tenantId, id))
}

/** Opens an instance's secrets ({} when it has none). */
export function openTriggerSecrets(vault: Vault, row: Pick<TriggerInstanceRow, 'secret' | 'tenant_id' | 'id'>): TriggerSecrets {
  return row.secret === null ? {} : vault.open<TriggerSecrets>(row.secret, triggerSecretBinding(row.tenant_id, row.id))
}

/** The config fields that are secrets: the definition's `secret.input` for source config, and every `writeOnly` property. */
export function secretConfigFields(trigger: TriggerDefinition): Set<string> {
  const fields = new Set<string>()
  const secret = trigger.webhook?.secret
  if (secret?.source === 'config' && secret.input) fields.add(secret.input)
  const props = (trigger.config['properties'] ?? {}) as Record<string, { writeOnly?: unknown } | undefined>
  for (const [name, schema] of Object.entries(props)) if (schema?.writeOnly === true) fields.add(name)
  return fields
}
