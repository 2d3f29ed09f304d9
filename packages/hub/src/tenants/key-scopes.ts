/** What an API key may do: `admin` everything, `connect` connect, `run` run actions and `/mcp`. */
export type KeyScope = 'admin' | 'connect' | 'run'

/** Every scope, in the order they are documented. */
export const KEY_SCOPES: readonly KeyScope[] = ['admin', 'connect', 'run']

/** Whether `value` names a scope. */
export function isKeyScope(value: unknown): value is KeyScope {
  return typeof value === 'string' && (KEY_SCOPES as readonly string[]).includes(value)
}

/** Parses the stored, space-separated scopes; unknown words are dropped. */
export function parseScopes(stored: string): KeyScope[] {
  return stored.split(/\s+/).filter(isKeyScope)
}

/**
 * Whether a key holding `held` may use something that needs any of `needed`; `admin` may use
 * everything.
 */
export function allows(held: readonly KeyScope[], needed: readonly KeyScope[]): boolean {
  return held.includes('admin') || needed.some((s) => held.includes(s))
}
