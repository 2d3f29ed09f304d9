import type { IntegrationDefinition, TriggerDefinition } from '@patchbay/core'

/** One trigger type as aiXplain's v2 SDK reads it (`TriggerTypeSpec`): the definition without its webhook/poll blocks. */
export type TriggerTypeRecord = Pick<TriggerDefinition, 'slug' | 'name' | 'description' | 'config' | 'payload' | 'type'>

/**
 * The answer to `{"action": "list_trigger_types"}` on an integration or a connection: the
 * definition's trigger types, without the hub-internal signing and polling details.
 */
export function triggerTypes(definition: IntegrationDefinition): TriggerTypeRecord[] {
  return (definition.triggers ?? []).map((t) => ({ slug: t.slug, name: t.name, description: t.description, config: t.config, payload: t.payload, type: t.type }))
}
