import type { IntegrationDefinition } from '@patchbay/core'

/** One trigger type as aiXplain's v2 SDK reads it (`TriggerTypeSpec`). */
export interface TriggerTypeRecord {
  slug: string
  name: string
  description: string
  /** JSON Schema of the config given at activation. */
  config: Record<string, unknown>
  /** JSON Schema of an event's data. */
  payload: Record<string, unknown>
  type: 'webhook' | 'poll'
}

/**
 * The answer to `{"action": "list_trigger_types"}` on an integration or a connection: the
 * definition's trigger types, without the hub-internal signing and polling details.
 */
export function triggerTypes(definition: IntegrationDefinition): TriggerTypeRecord[] {
  return (definition.triggers ?? []).map((t) => ({ slug: t.slug, name: t.name, description: t.description, config: t.config, payload: t.payload, type: t.type }))
}
