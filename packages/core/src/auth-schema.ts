/**
 * The six authentication schemes an integration can support. The string value equals the name,
 * exactly as aiXplain's backend spells them in the `auth_schemes` attribute.
 *
 * @example
 * ```ts
 * import { AuthenticationSchema } from '@patchbay/core'
 * integration.connect(AuthenticationSchema.BEARER_TOKEN, { data: { token } })
 * ```
 * @see ../../shared/spec/aixplain-wire-contract.md §10.1
 */
export const AuthenticationSchema = {
  BEARER_TOKEN: 'BEARER_TOKEN',
  OAUTH1: 'OAUTH1',
  OAUTH2: 'OAUTH2',
  API_KEY: 'API_KEY',
  BASIC: 'BASIC',
  NO_AUTH: 'NO_AUTH',
} as const

/** One of the six scheme names, e.g. `'BEARER_TOKEN'`. */
export type AuthenticationSchema = (typeof AuthenticationSchema)[keyof typeof AuthenticationSchema]

/** Every scheme name, in the order aiXplain lists them. */
export const AUTHENTICATION_SCHEMAS: readonly AuthenticationSchema[] = Object.freeze(Object.values(AuthenticationSchema))

/**
 * Whether `value` is one of the six scheme names (case-sensitive, as on the wire).
 *
 * @example
 * ```ts
 * isAuthenticationSchema('API_KEY') // true
 * isAuthenticationSchema('api_key') // false
 * ```
 */
export function isAuthenticationSchema(value: unknown): value is AuthenticationSchema {
  return typeof value === 'string' && (AUTHENTICATION_SCHEMAS as readonly string[]).includes(value)
}

/** Whether a scheme needs a browser redirect (OAuth) rather than credentials given at connect. */
export function isOAuthSchema(schema: AuthenticationSchema): schema is 'OAUTH1' | 'OAUTH2' {
  return schema === 'OAUTH1' || schema === 'OAUTH2'
}

/** Whether a scheme's connections hold an access token that expires and is refreshed (OAuth 2). */
export function refreshesTokens(schema: string): boolean {
  return schema === 'OAUTH2'
}

/**
 * The provider block a scheme's definition entry must carry (`oauth2` for OAUTH2, `oauth1` for
 * OAUTH1), or undefined for a scheme that takes none.
 */
export function providerBlockOf(schema: AuthenticationSchema): 'oauth1' | 'oauth2' | undefined {
  return schema === 'OAUTH1' ? 'oauth1' : schema === 'OAUTH2' ? 'oauth2' : undefined
}

/** Fields a scheme adds to its connection's secrets, visible to its `apply` templates (OAUTH2: `access_token`). */
export function tokenFieldsOf(schema: AuthenticationSchema): readonly string[] {
  return schema === 'OAUTH2' ? ['access_token'] : []
}
