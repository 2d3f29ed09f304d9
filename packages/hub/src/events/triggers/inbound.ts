import type { WebhookTriggerDefinition } from '@patchbay/core'
import { valueAt } from './json-path.js'
import { headerOf, type InboundHeaders } from './signatures.js'

/**
 * The answer to a verification handshake (Slack's `{"type": "url_verification", "challenge": …}`),
 * or `undefined` when the payload is an ordinary event. Only asked after the signature verified.
 */
export function challengeAnswer(def: WebhookTriggerDefinition, payload: unknown): { challenge: string } | undefined {
  const c = def.challenge
  if (!c || valueAt(payload, c.when.path) !== c.when.equals) return undefined
  const value = valueAt(payload, c.respond)
  return typeof value === 'string' ? { challenge: value } : undefined
}

/** The event kind a delivery names (header or payload path of the definition's filter), if any. */
export function eventKind(def: WebhookTriggerDefinition, headers: InboundHeaders, payload: unknown): string | undefined {
  const f = def.filter
  if (!f) return undefined
  const fromHeader = f.header ? headerOf(headers, f.header) : undefined
  if (fromHeader !== undefined) return fromHeader
  const fromPath = f.path ? valueAt(payload, f.path) : undefined
  return typeof fromPath === 'string' ? fromPath : undefined
}

function kindMatches(kind: string | undefined, patterns: readonly string[] | undefined): boolean {
  if (!patterns || patterns.length === 0) return true
  if (kind === undefined) return false
  return patterns.some((p) => (p.endsWith('*') ? kind.startsWith(p.slice(0, -1)) : kind === p))
}

/**
 * Whether a delivery is an event of this trigger instance: its kind is among the definition's
 * `filter.kinds` and among the instance's own choice (`instanceKinds`, e.g. Stripe's
 * `event_types` config; a trailing `*` matches a prefix). A delivery that is not an event (a
 * GitHub `ping`) is acknowledged and dropped by the caller.
 */
export function acceptsEvent(def: WebhookTriggerDefinition, headers: InboundHeaders, payload: unknown, instanceKinds?: readonly string[]): boolean {
  const kind = eventKind(def, headers, payload)
  return kindMatches(kind, def.filter?.kinds) && kindMatches(kind, instanceKinds)
}

/**
 * The value a payload-routed delivery is matched on (Slack's `team_id`), as a string, or
 * `undefined` when the definition routes by URL or the payload lacks it.
 */
export function routingValue(def: WebhookTriggerDefinition, payload: unknown): string | undefined {
  if (def.routing?.by !== 'payload' || !def.routing.path) return undefined
  const value = valueAt(payload, def.routing.path)
  return typeof value === 'string' || typeof value === 'number' ? String(value) : undefined
}
