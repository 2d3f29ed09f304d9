/** OpenAPI security schemes → the definition's auth schemes, each with a `base_url` input. */
import type { AuthenticationSchema, InputDefinition, OAuth2Definition, SchemeDefinition } from '@patchbay/core'
import { isObj, type Json } from './json.js'

const BASE_URL_INPUT = (base: string | undefined): InputDefinition => ({
  name: 'base_url',
  displayName: 'Base URL',
  description: base ? `Root URL of the API; default ${base}. Change it for another region, a proxy or a test server.` : 'Root URL of the API, e.g. https://api.example.com/v1.',
  ...(base ? { required: false, default: base } : {}),
})

/** Every scheme with a `base_url` input first (defaulting to the document's server URL when it has one). */
export function withBaseUrlInput(auth: Partial<Record<AuthenticationSchema, SchemeDefinition>>, base: string | undefined): Partial<Record<AuthenticationSchema, SchemeDefinition>> {
  const out: Partial<Record<AuthenticationSchema, SchemeDefinition>> = {}
  for (const [k, v] of Object.entries(auth) as Array<[AuthenticationSchema, SchemeDefinition]>) {
    out[k] = { ...v, inputs: [BASE_URL_INPUT(base), ...(v.inputs ?? [])] }
  }
  return out
}

function absolute(url: string, base: string | undefined): string | undefined {
  if (/^https?:\/\//.test(url)) return url
  if (!base) return undefined
  try {
    return new URL(url, `${base}/`).toString()
  } catch {
    return undefined
  }
}

/** Maps security schemes to auth schemes (the first of each kind wins); NO_AUTH when none maps. */
export function securitySchemes(api: Json, swagger2: boolean, base: string | undefined, warnings: string[]): Partial<Record<AuthenticationSchema, SchemeDefinition>> {
  const raw = swagger2 ? api['securityDefinitions'] : isObj(api['components']) ? api['components']['securitySchemes'] : undefined
  const auth: Partial<Record<AuthenticationSchema, SchemeDefinition>> = {}
  const secret = (name: string, displayName: string, description: string): InputDefinition => ({ name, displayName, description, secret: true })
  for (const [key, s] of Object.entries(isObj(raw) ? raw : {})) {
    if (!isObj(s)) continue
    const type = String(s['type'] ?? '')
    const scheme = String(s['scheme'] ?? '').toLowerCase()
    if (type === 'http' && scheme === 'bearer') {
      auth.BEARER_TOKEN ??= {
        inputs: [secret('token', 'Bearer token', `Token sent as Authorization Bearer (${key}${typeof s['bearerFormat'] === 'string' ? `, ${s['bearerFormat']}` : ''}).`)],
        apply: { headers: { Authorization: 'Bearer {token}' } },
      }
    } else if ((type === 'http' && scheme === 'basic') || type === 'basic') {
      auth.BASIC ??= {
        inputs: [{ name: 'username', displayName: 'Username', description: `HTTP Basic user name (${key}).` }, secret('password', 'Password', 'HTTP Basic password.')],
        apply: { basic: { username: '{username}', password: '{password}' } },
      }
    } else if (type === 'apiKey') {
      const name = typeof s['name'] === 'string' ? s['name'] : ''
      const where = String(s['in'] ?? '')
      if (!name || auth.API_KEY) {
        if (auth.API_KEY) warnings.push(`Security scheme ${key}: only the first API key scheme is used`)
        continue
      }
      const input = secret('api_key', 'API key', `The key, sent in the ${where} ${name} (${key}).`)
      if (where === 'header') auth.API_KEY = { inputs: [input], apply: { headers: { [name]: '{api_key}' } } }
      else if (where === 'query') auth.API_KEY = { inputs: [input], apply: { query: { [name]: '{api_key}' } } }
      else if (where === 'cookie') auth.API_KEY = { inputs: [input], apply: { headers: { Cookie: `${name}={api_key}` } } }
      else warnings.push(`Security scheme ${key}: API key in "${where}" is not supported`)
    } else if (type === 'oauth2') {
      if (auth.OAUTH2) continue
      const o2 = oauth2(s, swagger2, base)
      if (o2) auth.OAUTH2 = { oauth2: o2 }
      else warnings.push(`Security scheme ${key}: only OAuth 2 authorization-code and client-credentials flows with absolute URLs are supported`)
    } else {
      warnings.push(`Security scheme ${key} (${type}${scheme ? ` ${scheme}` : ''}) is not supported; connect with another scheme`)
    }
  }
  if (Object.keys(auth).length === 0) auth.NO_AUTH = {}
  return auth
}

function oauth2(s: Json, swagger2: boolean, base: string | undefined): OAuth2Definition | undefined {
  const scopesOf = (v: unknown) => (isObj(v) ? Object.keys(v) : [])
  const build = (flow: Json, grant: 'authorization_code' | 'client_credentials'): OAuth2Definition | undefined => {
    const tokenUrl = typeof flow['tokenUrl'] === 'string' ? absolute(flow['tokenUrl'], base) : undefined
    const authorizationUrl = typeof flow['authorizationUrl'] === 'string' ? absolute(flow['authorizationUrl'], base) : undefined
    if (!tokenUrl || (grant === 'authorization_code' && !authorizationUrl)) return undefined
    const scopes = scopesOf(flow['scopes'])
    return {
      ...(grant === 'authorization_code' ? { authorizationUrl: authorizationUrl as string } : { grant }),
      tokenUrl,
      ...(scopes.length ? { scopes, scopeSeparator: ' ' } : {}),
    }
  }
  if (swagger2) {
    const flow = s['flow']
    if (flow === 'accessCode') return build(s, 'authorization_code')
    if (flow === 'application') return build(s, 'client_credentials')
    return undefined
  }
  const flows = isObj(s['flows']) ? s['flows'] : {}
  if (isObj(flows['authorizationCode'])) return build(flows['authorizationCode'], 'authorization_code')
  if (isObj(flows['clientCredentials'])) return build(flows['clientCredentials'], 'client_credentials')
  return undefined
}

/** UPPER_SNAKE action code from an operationId or method + path, unique, at most 64 characters. */
