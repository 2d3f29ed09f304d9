/**
 * Token response fields kept as connection values (`fromTokenResponse`): Salesforce answers the
 * org's API host as `instance_url` in its token response and nowhere before, so the connection
 * learns its base URL there. The values are stored in the connection's non-secret `config` (they
 * are addresses, not credentials), where templates see them like connect inputs.
 */
import type { OAuth2Definition } from '@patchbay/core'
import type { Integration } from '../../catalog/catalog.js'
import { baseUrlTemplate } from '../../catalog/scheme-base-url.js'
import { renderTemplate } from '../../catalog/template.js'
import { checkUrl } from '../../net/ssrf-guard.js'
import type { EndpointPolicy } from '../oauth-endpoints.js'
import { dig, TokenEndpointError, type TokenSet } from './token-response.js'

const MAX_VALUE_CHARS = 2048

/**
 * The connection's `config` with the declared token response values merged in, or undefined when
 * the definition declares none. A value the response leaves out keeps the stored one (a refresh
 * answer may omit it). The base URL these values make is checked like a tenant-given endpoint:
 * an http(s) URL the network policy allows, https unless the operator allows private networks.
 *
 * @example
 * ```ts
 * tokenResponseConfig(salesforce, o2, tokens, {}, policy) // { instance_url: 'https://acme.my.salesforce.com' }
 * ```
 *
 * @throws {TokenEndpointError} invalid_response naming the field that is missing or unusable (its value is never echoed).
 */
export function tokenResponseConfig(
  integration: Integration,
  o2: OAuth2Definition,
  tokens: TokenSet,
  config: Record<string, unknown>,
  policy: EndpointPolicy,
): Record<string, unknown> | undefined {
  const fields = Object.entries(o2.fromTokenResponse ?? {})
  if (fields.length === 0) return undefined
  const def = integration.definition
  const next = { ...config }
  const refuse = (why: string) => new TokenEndpointError('invalid_response', why, 200)
  for (const [name, path] of fields) {
    const v = dig(tokens.raw, path)
    if (v === undefined || v === null) continue
    if (typeof v !== 'string' || v === '' || v.length > MAX_VALUE_CHARS)
      throw refuse(`"${path}" in ${def.name}'s token response is not a string of 1 to ${MAX_VALUE_CHARS} characters`)
    next[name] = v
  }
  const template = baseUrlTemplate(def, 'OAUTH2')
  const base = renderTemplate(template, (n) => next[n], String)
  if (base === undefined) {
    const missing = fields.filter(([n]) => next[n] === undefined).map(([, p]) => `"${p}"`)
    throw refuse(`${def.name}'s token response has no ${missing.join(', ')}, which its base URL (${template}) needs`)
  }
  let url: URL
  try {
    url = checkUrl(base, policy)
  } catch (err) {
    throw refuse(`the base URL ${def.name}'s token response names is refused: ${(err as Error).message}`)
  }
  if (url.protocol !== 'https:' && !policy.allowPrivateNetwork) throw refuse(`the base URL ${def.name}'s token response names must be https`)
  return next
}
