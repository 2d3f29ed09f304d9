/**
 * Where a connection's requests go: the base URL template of its scheme when the scheme declares
 * one (Salesforce's OAUTH2 takes `{instance_url}` from the token response), else the
 * definition's. Every place that renders a base URL asks here, so the two cannot disagree.
 */
import type { IntegrationDefinition } from '@patchbay/core'

/**
 * The base URL template of a connection of `scheme`.
 *
 * @example
 * ```ts
 * baseUrlTemplate(salesforce, 'OAUTH2') // '{instance_url}'
 * baseUrlTemplate(salesforce, 'BEARER_TOKEN') // 'https://{instance}.my.salesforce.com'
 * ```
 */
export function baseUrlTemplate(def: IntegrationDefinition, scheme: string | undefined): string {
  return (scheme !== undefined ? def.auth[scheme as keyof IntegrationDefinition['auth']]?.baseUrl : undefined) ?? def.baseUrl
}

/** Names of the connection values a scheme takes from its token response (OAUTH2 `fromTokenResponse`), none for others. */
export function tokenResponseNames(def: IntegrationDefinition, scheme: string | undefined): string[] {
  if (scheme !== 'OAUTH2') return []
  return Object.keys(def.auth.OAUTH2?.oauth2?.fromTokenResponse ?? {})
}

/** Whether any base URL of a definition (its own or a scheme's) is a template, i.e. its requests go where a connection says. */
export function baseUrlTemplated(def: IntegrationDefinition): boolean {
  return def.baseUrl.includes('{') || Object.values(def.auth).some((s) => s?.baseUrl?.includes('{') === true)
}
