import type { ActionDefinition, IntegrationDefinition } from '@patchbay/core'

/** Code of the proxy action every integration offers unless its definition says `proxy: false`. */
export const PROXY_ACTION_CODE = 'REQUEST'

/**
 * The one definition of the proxy action: any method to any path under the integration's base
 * URL, with the connection's credentials applied, answering the whole response
 * (`{ status, headers, body }`) so non-2xx answers reach the caller as data. The same action as
 * the HTTP API integration's `REQUEST` (packages/hub/catalog/http-api.yaml).
 */
export const PROXY_ACTION: ActionDefinition = Object.freeze<ActionDefinition>({
  code: PROXY_ACTION_CODE,
  name: 'Send request',
  description:
    "Send any HTTP request to this service with the connection's credentials: a method, a path under the " +
    "integration's base URL (starting with /), optional query parameters, headers and body. Use it for " +
    'endpoints no other action covers. A JSON object or array body is sent as JSON; a string is sent as ' +
    'it is. Answers { status, headers, body } whatever the status.',
  input: {
    type: 'object',
    required: ['method', 'path'],
    properties: {
      method: { type: 'string', enum: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD'], description: 'HTTP method' },
      path: {
        type: 'string',
        pattern: '^/',
        description: 'Path appended to the base URL, starting with /, e.g. /users/42; put query parameters in query',
      },
      query: {
        type: 'object',
        description: 'Query parameters, e.g. {"page": 2, "q": "ada"}',
        additionalProperties: { type: ['string', 'number', 'boolean'] },
      },
      headers: {
        type: 'object',
        description: 'Extra request headers, e.g. {"Accept": "text/csv"}',
        additionalProperties: { type: 'string' },
      },
      body: { description: 'Request body: any JSON value (sent as application/json) or a string (sent as it is)' },
    },
  },
  request: {
    method: '{method}',
    path: '{+path}',
    queryFrom: 'query',
    headersFrom: 'headers',
    body: { from: 'body' },
    response: 'envelope',
  },
})

/**
 * The definition with {@link PROXY_ACTION} appended, unless it opts out (`proxy: false`) or
 * already has an action with that code (the HTTP API integration). Returns the same object
 * when nothing is added.
 *
 * @example
 * ```ts
 * withProxyAction(github).actions.at(-1)?.code // 'REQUEST'
 * ```
 */
export function withProxyAction(definition: IntegrationDefinition): IntegrationDefinition {
  if (definition.proxy === false || definition.actions.some((a) => a.code === PROXY_ACTION_CODE)) return definition
  return { ...definition, actions: [...definition.actions, PROXY_ACTION] }
}
