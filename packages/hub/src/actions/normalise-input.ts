import { PatchbayError } from '@patchbay/core'
import type { ErrorObject } from 'ajv'

/**
 * The `data` of an action run as an object: aiXplain's clients send an object, a JSON string of
 * one, or `" "`/nothing for no inputs. `what` names the inputs in errors ("inputs", "tool arguments").
 *
 * @example
 * ```ts
 * normaliseInput('{"owner":"octocat"}', 'GITHUB_GET_REPOSITORY') // { owner: 'octocat' }
 * ```
 *
 * @throws {PatchbayError} INVALID_ACTION_INPUT for anything else.
 */
export function normaliseInput(raw: unknown, code: string, what = 'inputs'): Record<string, unknown> {
  if (raw === undefined || raw === null || raw === '' || raw === ' ') return {}
  let value = raw
  if (typeof raw === 'string') {
    try {
      value = JSON.parse(raw)
    } catch {
      throw new PatchbayError('INVALID_ACTION_INPUT', `data for ${code} must be an object of ${what} (or a JSON string of one)`)
    }
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new PatchbayError('INVALID_ACTION_INPUT', `data for ${code} must be an object of ${what}; got ${Array.isArray(value) ? 'an array' : typeof value}`)
  }
  return { ...(value as Record<string, unknown>) }
}

/** One input-schema violation in words that name the field (`'owner' is required`). */
export function describeInputError(e: ErrorObject): string {
  const field = e.instancePath ? `'${e.instancePath.slice(1).replace(/\//g, '.')}'` : 'data'
  switch (e.keyword) {
    case 'required':
      return `'${[e.instancePath.slice(1).replace(/\//g, '.'), String(e.params['missingProperty'])].filter(Boolean).join('.')}' is required`
    case 'additionalProperties':
      return `'${String(e.params['additionalProperty'])}' is not an input of this action`
    case 'enum':
      return `${field} must be one of ${JSON.stringify(e.params['allowedValues'])}`
    default:
      return `${field} ${e.message ?? 'is invalid'}`
  }
}
