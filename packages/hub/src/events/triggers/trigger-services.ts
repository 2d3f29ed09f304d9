import type { OAuthApps } from '../../auth/oauth-apps.js'
import type { Catalog } from '../../catalog/catalog.js'
import type { TenantIntegrations } from '../../catalog/tenant-integrations.js'
import type { Store } from '../../store/store.js'
import type { Vault } from '../../vault/vault.js'
import { AixplainTriggers } from './aixplain-triggers.js'
import { InboundWebhooks } from './inbound-webhooks.js'
import { TriggerInstances, type TriggerJobs } from './trigger-instances.js'

/** The triggers room's services, built once in hub.ts. */
export interface TriggerServices {
  /** Trigger instances on connections (`/api/v2/connections/{id}/triggers`, `activate_trigger`). */
  instances: TriggerInstances
  /** Inbound webhooks (`/api/v2/triggers/inbound/{token}`). */
  inbound: InboundWebhooks
  /** aiXplain's v1 trigger records (`/v1/triggers`). */
  aixplain: AixplainTriggers
  /** Hands the job engine (built later) to the services that schedule work. */
  useJobs(jobs: TriggerJobs | undefined): void
}

/**
 * Builds the trigger services.
 *
 * @example
 * ```ts
 * const triggers = createTriggerServices({ store, vault, catalog, tenantIntegrations, oauthApps })
 * triggers.useJobs(jobEngine)
 * ```
 */
export function createTriggerServices(deps: {
  store: Store
  vault: Vault
  catalog: Catalog
  tenantIntegrations?: TenantIntegrations | undefined
  oauthApps: OAuthApps
}): TriggerServices {
  const instances = new TriggerInstances(deps)
  const aixplain = new AixplainTriggers(deps)
  const inbound = new InboundWebhooks({ ...deps, oauthAppSecret: (tenantId, modelId, field) => deps.oauthApps.secretField(tenantId, modelId, field) })
  return {
    instances,
    inbound,
    aixplain,
    useJobs(jobs) {
      instances.useJobs(jobs)
      aixplain.useJobs(jobs)
    },
  }
}
