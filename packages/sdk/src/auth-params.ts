/**
 * The common connect parameters of aiXplain's v1 SDK.
 *
 * @see ../../../shared/spec/aixplain-wire-contract.md §10.2
 */

/**
 * Parameters shared by every authentication scheme when connecting an integration.
 *
 * @example
 * ```ts
 * const args: BaseAuthenticationParams = { name: 'My GitHub', description: 'Team repos' }
 * await github.connect(AuthenticationSchema.BEARER_TOKEN, { args, data: { token } })
 * ```
 */
export interface BaseAuthenticationParams {
  /** Name of the new connection. */
  name?: string | undefined
  /** Description of the new connection. */
  description?: string | undefined
  /** Id of the integration (connector) to connect. */
  connectorId?: string | undefined
}

/**
 * Picks exactly `name`, `description` and `connectorId` out of `options`, ignoring every other
 * key (aiXplain's `build_connector_params`).
 *
 * @example
 * ```ts
 * buildConnectorParams({ name: 'My GitHub', data: { token }, extra: 1 })
 * // { name: 'My GitHub', description: undefined, connectorId: undefined }
 * ```
 */
export function buildConnectorParams(options: Readonly<Record<string, unknown>> = {}): BaseAuthenticationParams {
  const pick = (key: string): string | undefined => {
    const value = options[key]
    return typeof value === 'string' ? value : undefined
  }
  return { name: pick('name'), description: pick('description'), connectorId: pick('connectorId') }
}
