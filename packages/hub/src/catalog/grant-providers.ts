/**
 * One integration per OAuth provider of the `grant` npm package (MIT, Simeon Velichkov; see
 * NOTICE): its `config/oauth.json` (authorize, token and request-token URLs, OAuth version, scope
 * delimiter) and `config/profile.json` (a "who am I" URL per provider), read from the installed
 * package at load time, never copied. Each generated definition has the provider's OAUTH2 or
 * OAUTH1 scheme, a `GET_PROFILE` action that is its `verify` action, a base URL that is the
 * profile URL's origin, and `generatedFrom: grant`. Curated definitions with the same id replace
 * generated ones (load-catalog.ts). Providers whose data cannot make a working definition are
 * skipped with a reason.
 */
import { readFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import type { ActionDefinition, InputDefinition, IntegrationDefinition, SchemeDefinition } from '@patchbay/core'

/** Value of `generatedFrom` on the definitions built here. */
export const GRANT_GENERATOR = 'grant'

/** One provider of grant's `config/oauth.json`. */
export interface GrantOAuthEntry {
  authorize_url?: string
  access_url?: string
  request_url?: string
  oauth?: number
  scope_delimiter?: string
}

/** grant's two provider files, as parsed JSON. */
export interface GrantData {
  oauth: Record<string, GrantOAuthEntry>
  profile: Record<string, { profile_url?: string }>
}

/** Why a provider was not turned into a definition. */
export type GrantSkipReason = 'no-profile-url' | 'not-https' | 'missing-endpoint' | 'unknown-oauth-version' | 'invalid-id'

/** A provider left out, and why. */
export interface SkippedGrantProvider {
  id: string
  reason: GrantSkipReason
}

/** What {@link grantDefinitions} made of grant's data. */
export interface GrantDefinitions {
  definitions: IntegrationDefinition[]
  skipped: SkippedGrantProvider[]
}

/**
 * Providers documented to support PKCE (RFC 7636) on the authorization code flow. grant's data
 * does not say; the others get `pkce: false`, as grant itself defaults, since some reject it.
 */
const PKCE_PROVIDERS = new Set([
  'auth0',
  'authentik',
  'cognito',
  'dropbox',
  'etsy',
  'fusionauth',
  'gitlab',
  'google',
  'keycloak',
  'line',
  'microsoft',
  'okta',
  'salesforce',
  'zitadel',
])

const PLACEHOLDER = /\[([a-z_][a-z0-9_]*)\]/gi
const ID = /^[a-z0-9][a-z0-9-]{0,62}$/

/** `[subdomain]` → `{subdomain}`, and the names found. */
function templated(url: string, names: Set<string>): string {
  return url.replace(PLACEHOLDER, (_, name: string) => {
    names.add(name)
    return `{${name}}`
  })
}

/** True when the URL, with its placeholders filled, is an absolute https URL. */
function isHttps(url: string): boolean {
  const filled = url.replace(PLACEHOLDER, 'example')
  return URL.canParse(filled) && new URL(filled).protocol === 'https:'
}

function displayName(id: string): string {
  return id.charAt(0).toUpperCase() + id.slice(1)
}

function placeholderInput(name: string, provider: string): InputDefinition {
  return {
    name,
    displayName: displayName(name),
    description: `The ${name} of your ${provider} account or server, as it appears in its URLs (e.g. "acme" in https://acme.example.com, or a whole host name where the URL is https://[${name}]/…).`,
  }
}

/** Splits the profile URL into the request's base URL, path and fixed query. */
function profileRequest(profileUrl: string): { baseUrl: string; path: string; query: Record<string, string> } {
  // Placeholders are only ever in the host; a stand-in host lets URL parse it.
  const names: string[] = []
  const parsed = new URL(profileUrl.replace(PLACEHOLDER, (_, n: string) => (names.push(n), `ph${names.length - 1}x`)))
  const restore = (s: string) => s.replace(/ph(\d+)x/g, (_, i: string) => `{${names[Number(i)] ?? ''}}`)
  const query: Record<string, string> = {}
  // `{` in a fixed value would read as a placeholder: such a value is kept out (none in grant's data).
  for (const [k, v] of parsed.searchParams) if (!/[{}]/.test(v)) query[k] = v
  return { baseUrl: restore(parsed.origin), path: parsed.pathname === '' ? '/' : parsed.pathname, query }
}

/**
 * Builds one definition per usable provider of grant's data. Pure: the data is passed in.
 *
 * @example
 * ```ts
 * const { definitions, skipped } = grantDefinitions(await readGrantData())
 * ```
 */
export function grantDefinitions(data: GrantData): GrantDefinitions {
  const definitions: IntegrationDefinition[] = []
  const skipped: SkippedGrantProvider[] = []
  for (const id of Object.keys(data.oauth).sort()) {
    const entry = data.oauth[id] as GrantOAuthEntry
    const profileUrl = data.profile[id]?.profile_url
    const skip = (reason: GrantSkipReason) => skipped.push({ id, reason })
    if (!ID.test(id)) {
      skip('invalid-id')
      continue
    }
    if (entry.oauth !== 1 && entry.oauth !== 2) {
      skip('unknown-oauth-version')
      continue
    }
    const endpoints = [entry.authorize_url, entry.access_url, ...(entry.oauth === 1 ? [entry.request_url] : [])]
    if (endpoints.some((u) => !u)) {
      skip('missing-endpoint')
      continue
    }
    if (!profileUrl) {
      skip('no-profile-url')
      continue
    }
    if (![...endpoints, profileUrl].every((u) => isHttps(u as string))) {
      skip('not-https')
      continue
    }

    const name = displayName(id)
    const names = new Set<string>()
    const [authorizationUrl, tokenUrl, requestTokenUrl] = endpoints.map((u) => templated(u as string, names)) as [string, string, string?]
    const profile = profileRequest(profileUrl)
    templated(profileUrl, names)
    const inputs = [...names].map((n) => placeholderInput(n, name))
    const scheme: SchemeDefinition = {
      ...(inputs.length ? { inputs } : {}),
      ...(entry.oauth === 2
        ? {
            oauth2: {
              authorizationUrl,
              tokenUrl,
              scopeSeparator: entry.scope_delimiter ?? ',',
              // grant sends client credentials in the token request body, which providers accept most widely.
              clientAuth: 'client_secret_post' as const,
              pkce: PKCE_PROVIDERS.has(id),
            },
          }
        : { oauth1: { requestTokenUrl: requestTokenUrl as string, authorizationUrl, accessTokenUrl: tokenUrl } }),
    }
    const getProfile: ActionDefinition = {
      code: 'GET_PROFILE',
      name: 'Get profile',
      description: `Get the connected ${name} account's own profile (who the credentials belong to). Succeeds only when the credentials work.`,
      input: { type: 'object', properties: {}, additionalProperties: false },
      request: { method: 'GET', path: profile.path, ...(Object.keys(profile.query).length ? { query: profile.query } : {}) },
    }
    definitions.push({
      id,
      name,
      description: `${name} through OAuth ${entry.oauth}, from the grant provider list: check the connection with GET_PROFILE, call any endpoint with REQUEST.`,
      baseUrl: profile.baseUrl,
      auth: entry.oauth === 2 ? { OAUTH2: scheme } : { OAUTH1: scheme },
      actions: [getProfile],
      verify: 'GET_PROFILE',
      generatedFrom: GRANT_GENERATOR,
    })
  }
  return { definitions, skipped }
}

/**
 * Reads grant's `config/oauth.json` and `config/profile.json` from the installed package.
 *
 * @throws when the package is not installed or its files are not JSON.
 */
export async function readGrantData(): Promise<GrantData> {
  // grant has no `exports` map, so its files resolve by path (its main module, which pulls in an HTTP client, is never loaded).
  const require = createRequire(import.meta.url)
  const read = async (file: string) => JSON.parse(await readFile(require.resolve(`grant/config/${file}`), 'utf8')) as unknown
  const [oauth, profile] = await Promise.all([read('oauth.json'), read('profile.json')])
  return { oauth: oauth as GrantData['oauth'], profile: profile as GrantData['profile'] }
}
