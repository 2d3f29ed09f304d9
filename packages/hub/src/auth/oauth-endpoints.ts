/**
 * OAuth endpoint URLs as templates: `{name}` placeholders in a definition's OAuth URLs (and a
 * `grant` that is one placeholder) are filled from the connection's non-secret inputs before any
 * protocol step. A URL with a placeholder is tenant-controlled, so it must be https (unless the
 * operator allows private networks) and pass the network policy's URL check; its calls go through
 * the guarded fetch (see {@link oauthUrlsTemplated}).
 */
import { PatchbayError, type IntegrationDefinition, type OAuth1Definition, type OAuth2Definition } from '@patchbay/core'
import { placeholderNames, renderTemplate } from '../catalog/template.js'
import { checkUrl } from '../net/ssrf-guard.js'

/** The URL fields of an OAuth 2 block that may be templates. */
const OAUTH2_URLS = ['authorizationUrl', 'tokenUrl', 'revocationUrl', 'issuer'] as const
/** The URL fields of an OAuth 1.0a block that may be templates. */
const OAUTH1_URLS = ['requestTokenUrl', 'authorizationUrl', 'accessTokenUrl'] as const
const GRANTS = new Set(['authorization_code', 'client_credentials'])
/**
 * A value filled into part of a URL: a host name, port and path (Keycloak's `{subdomain}` is
 * `host/realms/acme`), never user info, a query or a fragment.
 */
const URL_PART = /^[A-Za-z0-9._~:/-]+$/
const WHOLE = /^\{\+?([A-Za-z_][A-Za-z0-9_]*)\}$/

/** How tenant-controlled endpoints are checked. */
export interface EndpointPolicy {
  /** `PATCHBAY_ALLOW_PRIVATE_NETWORK`: http and private addresses allowed. */
  allowPrivateNetwork: boolean
}

/** The placeholder names in a definition's OAuth URLs and OAuth 2 grant (for the validator). */
export function oauthPlaceholders(block: OAuth2Definition | OAuth1Definition): string[] {
  const fields = 'tokenUrl' in block ? [...OAUTH2_URLS, 'grant'] : OAUTH1_URLS
  const record = block as unknown as Record<string, unknown>
  return [...new Set(fields.flatMap((f) => (typeof record[f] === 'string' ? placeholderNames(record[f] as string) : [])))]
}

/** Whether any OAuth URL of a definition is a template, i.e. its endpoints are tenant-controlled. */
export function oauthUrlsTemplated(def: IntegrationDefinition): boolean {
  const o2 = def.auth.OAUTH2?.oauth2
  const o1 = def.auth.OAUTH1?.oauth1
  return (o2 !== undefined && oauthPlaceholders(o2).length > 0) || (o1 !== undefined && oauthPlaceholders(o1).length > 0)
}

function renderUrl(name: string, field: string, template: string, inputs: Record<string, unknown>, policy: EndpointPolicy): string {
  const names = placeholderNames(template)
  if (names.length === 0) return template
  const whole = WHOLE.test(template)
  const missing = names.filter((n) => inputs[n] === undefined || inputs[n] === null || inputs[n] === '')
  if (missing.length) {
    throw new PatchbayError(
      'VALIDATION',
      `${name}'s ${field} is built from the connection input${missing.length > 1 ? 's' : ''} ${missing.join(', ')}: give ${missing.length > 1 ? 'them' : 'it'} in data`,
    )
  }
  const url = renderTemplate(
    template,
    (n) => inputs[n],
    (v) => {
      if (!whole && !URL_PART.test(v)) {
        throw new PatchbayError(
          'VALIDATION',
          `${name}'s ${field} takes ${JSON.stringify(v.slice(0, 100))} inside its URL (${template}); give a host name (and path) only: letters, digits and . - _ ~ : /`,
        )
      }
      return v
    },
  ) as string
  const parsed = checkUrl(url, policy)
  if (parsed.protocol !== 'https:' && !policy.allowPrivateNetwork) {
    throw new PatchbayError(
      'VALIDATION',
      `${name}'s ${field} must be an https URL; got ${parsed.protocol.slice(0, -1)} (the operator may allow http with PATCHBAY_ALLOW_PRIVATE_NETWORK=true)`,
    )
  }
  return url
}

/**
 * The OAuth 2 block with its URLs and grant filled from the connection's non-secret inputs.
 *
 * @example
 * ```ts
 * resolveOAuth2('Okta', { tokenUrl: 'https://{subdomain}.okta.com/oauth2/v1/token' }, { subdomain: 'acme' }, { allowPrivateNetwork: false })
 * // { tokenUrl: 'https://acme.okta.com/oauth2/v1/token' }
 * ```
 *
 * @throws {PatchbayError} VALIDATION naming the missing input, a value that would change the URL's
 *   structure, a URL that is not https, or one the network policy refuses.
 */
export function resolveOAuth2(name: string, o2: OAuth2Definition, inputs: Record<string, unknown>, policy: EndpointPolicy): OAuth2Definition {
  if (oauthPlaceholders(o2).length === 0) return o2
  const out: Record<string, unknown> = { ...o2 }
  for (const field of OAUTH2_URLS) {
    const t = o2[field]
    if (t === undefined) continue
    // An optional URL input left empty (the HTTP API's authorization_url under client credentials) drops the field.
    const single = WHOLE.exec(t)
    if (single && field !== 'tokenUrl' && (inputs[single[1] as string] ?? '') === '') delete out[field]
    else out[field] = renderUrl(name, field, t, inputs, policy)
  }
  if (o2.grant !== undefined && !GRANTS.has(o2.grant)) {
    const grant = renderTemplate(o2.grant, (n) => inputs[n], String) ?? 'authorization_code'
    if (!GRANTS.has(grant))
      throw new PatchbayError('VALIDATION', `${name}'s OAuth 2 grant must be authorization_code or client_credentials; got ${JSON.stringify(grant.slice(0, 60))}`)
    out['grant'] = grant
  }
  if (out['grant'] !== 'client_credentials' && out['authorizationUrl'] === undefined) {
    throw new PatchbayError('VALIDATION', `${name} needs an authorization URL for the authorization_code grant: give it in data (or choose client_credentials)`)
  }
  return out as unknown as OAuth2Definition
}

/**
 * The OAuth 1.0a block with its three URLs filled from the connection's non-secret inputs.
 *
 * @throws {PatchbayError} VALIDATION as {@link resolveOAuth2}.
 */
export function resolveOAuth1(name: string, o1: OAuth1Definition, inputs: Record<string, unknown>, policy: EndpointPolicy): OAuth1Definition {
  if (oauthPlaceholders(o1).length === 0) return o1
  const out = { ...o1 }
  for (const field of OAUTH1_URLS) out[field] = renderUrl(name, field, o1[field], inputs, policy)
  return out
}

/** The non-secret connect inputs of a connection row (its `config` column). */
export function configOf(row: { config: string }): Record<string, unknown> {
  try {
    return JSON.parse(row.config) as Record<string, unknown>
  } catch {
    return {}
  }
}
