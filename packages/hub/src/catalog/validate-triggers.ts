import type { Ajv } from 'ajv'
import { AUTHENTICATION_SCHEMAS, type IntegrationDefinition, type TriggerDefinition } from '@patchbay/core'
import { placeholderNames as placeholdersOf } from './template.js'

/** One problem found in a definition's `triggers:` (same shape as the definition's problems). */
export interface TriggerProblem {
  field: string
  message: string
}

/**
 * Checks what the schema of `triggers:` cannot: unique slugs, the block that matches the type,
 * a poll action that exists with a cursor input it has, a secret that names a real input, payload
 * routing with its path and match, and config/payload schemas that compile (when `ajv` is given).
 */
export function checkTriggers(def: IntegrationDefinition, ajv: Ajv | undefined): TriggerProblem[] {
  const problems: TriggerProblem[] = []
  const slugs = new Set<string>()
  const connectionInputs = new Set<string>()
  for (const schema of AUTHENTICATION_SCHEMAS) for (const input of def.auth[schema]?.inputs ?? []) connectionInputs.add(input.name)
  for (const [i, trigger] of (def.triggers ?? []).entries()) {
    const at = `/triggers/${i}`
    if (slugs.has(trigger.slug)) problems.push({ field: `${at}/slug`, message: `duplicates trigger "${trigger.slug}"` })
    slugs.add(trigger.slug)
    if (ajv) compiles(ajv, trigger, at, problems)
    if (trigger.type === 'webhook') checkWebhook(def, trigger, at, connectionInputs, problems)
    else checkPoll(def, trigger, at, problems)
  }
  return problems
}

function compiles(ajv: Ajv, trigger: TriggerDefinition, at: string, problems: TriggerProblem[]): void {
  for (const key of ['config', 'payload'] as const) {
    try {
      ajv.compile(trigger[key])
    } catch (err) {
      problems.push({ field: `${at}/${key}`, message: `is not a valid JSON Schema: ${(err as Error).message}` })
    } finally {
      ajv.removeSchema(trigger[key])
    }
  }
}

function configFields(trigger: TriggerDefinition): Set<string> {
  return new Set(Object.keys((trigger.config['properties'] ?? {}) as Record<string, unknown>))
}

function checkWebhook(def: IntegrationDefinition, trigger: TriggerDefinition, at: string, inputs: Set<string>, problems: TriggerProblem[]): void {
  const hook = trigger.webhook
  if (trigger.poll) problems.push({ field: `${at}/poll`, message: 'is only allowed on type poll' })
  if (!hook) {
    problems.push({ field: `${at}/webhook`, message: 'is required for type webhook' })
    return
  }
  const { signature, secret, routing } = hook
  if (signature.scheme === 'hmac-sha256' && !signature.header) {
    problems.push({ field: `${at}/webhook/signature/header`, message: 'is required for hmac-sha256 (e.g. X-Hub-Signature-256)' })
  }
  if (signature.scheme !== 'hmac-sha256' && (signature.header !== undefined || signature.prefix !== undefined)) {
    problems.push({ field: `${at}/webhook/signature`, message: `header and prefix are fixed by ${signature.scheme}; set them only for hmac-sha256` })
  }
  if (signature.scheme !== 'none' && !secret) {
    problems.push({ field: `${at}/webhook/secret`, message: `is required for signature scheme ${signature.scheme}` })
  }
  if (signature.scheme === 'none' && routing?.by === 'payload') {
    problems.push({ field: `${at}/webhook/routing`, message: 'an unsigned webhook must route by its unguessable URL (by: url)' })
  }
  if (secret) {
    const field = `${at}/webhook/secret`
    if (secret.source === 'connection' && !(secret.input && inputs.has(secret.input))) {
      problems.push({ field: `${field}/input`, message: 'must name an input of one of the schemes for source connection' })
    }
    if (secret.source === 'config' && !(secret.input && configFields(trigger).has(secret.input))) {
      problems.push({ field: `${field}/input`, message: 'must name a property of config for source config' })
    }
    if (secret.source === 'oauth-app' && !def.auth.OAUTH2 && !def.auth.OAUTH1) {
      problems.push({ field: `${field}/source`, message: 'oauth-app needs an OAUTH2 or OAUTH1 scheme on the integration' })
    }
    if ((secret.source === 'generated' || secret.source === 'oauth-app') && secret.input !== undefined) {
      problems.push({ field: `${field}/input`, message: `is only used by sources connection and config` })
    }
  }
  if (routing?.by === 'payload' && (!routing.path || !routing.match)) {
    problems.push({ field: `${at}/webhook/routing`, message: 'by payload needs path (in the payload) and match (a connection value)' })
  }
  if (routing?.by === 'payload' && routing.match) {
    const fromToken = routing.match.startsWith('token.') && (def.auth.OAUTH2 || def.auth.OAUTH1)
    if (!fromToken && !inputs.has(routing.match)) {
      problems.push({ field: `${at}/webhook/routing/match`, message: `names "${routing.match}", which is neither a connection input nor token.<path> of an OAuth scheme` })
    }
  }
  if (hook.filter?.kinds?.length && !hook.filter.header && !hook.filter.path) {
    problems.push({ field: `${at}/webhook/filter`, message: 'kinds need a header or a path that names the event kind' })
  }
}

function checkPoll(def: IntegrationDefinition, trigger: TriggerDefinition, at: string, problems: TriggerProblem[]): void {
  const poll = trigger.poll
  if (trigger.webhook) problems.push({ field: `${at}/webhook`, message: 'is only allowed on type webhook' })
  if (!poll) {
    problems.push({ field: `${at}/poll`, message: 'is required for type poll' })
    return
  }
  const action = def.actions.find((a) => a.code === poll.action) ?? (poll.action === 'REQUEST' && def.proxy !== false ? 'proxy' : undefined)
  if (!action) problems.push({ field: `${at}/poll/action`, message: `names "${poll.action}", which is not an action of this definition` })
  if (!poll.dedupe && !poll.cursor) problems.push({ field: `${at}/poll`, message: 'needs dedupe (an item id path) or cursor (an input the hub advances)' })
  if (poll.cursor && typeof action === 'object') {
    const properties = (action.input['properties'] ?? {}) as Record<string, unknown>
    const first = poll.cursor.input.split('.')[0] as string
    if (!(first in properties)) {
      problems.push({ field: `${at}/poll/cursor/input`, message: `names "${first}", which is not an input of ${poll.action}` })
    }
  }
  // Placeholders in the fixed input, items and dedupe are read from the trigger's config.
  const fields = configFields(trigger)
  const templates: Array<[string, string]> = [
    [`${at}/poll/items`, poll.items],
    ...(poll.dedupe ? ([[`${at}/poll/dedupe`, poll.dedupe]] as Array<[string, string]>) : []),
    ...stringsIn(poll.input ?? {}, `${at}/poll/input`),
  ]
  for (const [field, template] of templates) {
    for (const name of placeholdersOf(template)) {
      if (!fields.has(name)) problems.push({ field, message: `uses {${name}}, which is not a property of config` })
    }
  }
}

function stringsIn(value: unknown, at: string): Array<[string, string]> {
  if (typeof value === 'string') return [[at, value]]
  if (typeof value !== 'object' || value === null) return []
  return Object.entries(value).flatMap(([k, v]) => stringsIn(v, `${at}/${k}`))
}
