import { PatchbayError } from '@patchbay/core'
import type { Logger } from 'pino'
import { integrationLookup } from '../../catalog/find-integration.js'
import { execute, resolveTarget, type ExecuteDeps } from '../../connections/execute.js'
import { createJobEngine, type JobEngineSettings } from './create-job-engine.js'
import type { JobEngine } from './job-engine.js'
import type { PollPolicy } from './poll.js'
import { type PollDefinitionLookup, type TriggerActionRunner, TriggerWork } from './trigger-work.js'

/**
 * Runs a trigger's action through the execute path (`connections/execute.ts`): the same checks,
 * OAuth refresh, redaction and run log as a call from a client. A service's failure (or a
 * connection that is not ACTIVE) is an answer `{ ok: false, error }`, never a throw.
 */
export function triggerActionRunner(deps: ExecuteDeps): TriggerActionRunner {
  return async (tenantId, connectionId, action, input) => {
    try {
      const target = await resolveTarget(deps, tenantId, connectionId)
      const result = await execute(deps, tenantId, target, { action, data: input })
      if (result.status === 'SUCCESS') return { ok: true, data: result.data }
      return { ok: false, error: String((result as { errorMessage?: unknown }).errorMessage ?? 'the action failed') }
    } catch (err) {
      if (err instanceof PatchbayError) return { ok: false, error: err.message }
      throw err
    }
  }
}

/** The poll definition of a connection instance: its integration's trigger type by slug (catalog, then the tenant's own). */
export function pollDefinitionLookup(deps: Pick<ExecuteDeps, 'catalog' | 'tenantIntegrations'>): PollDefinitionLookup {
  const find = integrationLookup(deps.catalog, deps.tenantIntegrations)
  return async (row) => {
    if (row.integration_id === null) return undefined
    const integration = await find(row.tenant_id, row.integration_id)
    return integration?.definition.triggers?.find((t) => t.slug === row.slug && t.type === 'poll')?.poll
  }
}

/** What {@link createTriggerScheduler} is built with. */
export interface TriggerSchedulerConfig {
  execute: ExecuteDeps
  logger: Logger
  settings?: Partial<JobEngineSettings>
  /** Poll tunables (failures before `trigger.failed`, backoff cap). */
  policy?: Omit<PollPolicy, 'intervalSeconds'>
}

/**
 * The hub's scheduler: the job engine for its database (pg-boss on PostgreSQL, in-process on
 * SQLite) over {@link TriggerWork}. hub.ts builds it once, starts it, tells the trigger
 * instances service about it, and stops it on close.
 *
 * @example
 * ```ts
 * const jobs = createTriggerScheduler({ execute: deps, logger })
 * await jobs.start()
 * ```
 */
export function createTriggerScheduler(config: TriggerSchedulerConfig): JobEngine {
  const { execute: deps, logger } = config
  const work = new TriggerWork({
    store: deps.store,
    vault: deps.vault,
    runAction: triggerActionRunner(deps),
    pollDefinition: pollDefinitionLookup(deps),
    ...(config.policy ? { policy: config.policy } : {}),
  })
  return createJobEngine(deps.store, work, {
    ...config.settings,
    onError: (err, run) => logger.warn({ err: (err as Error).message, triggerId: run.jobId, dueAt: run.dueAt.toISOString() }, 'a trigger run could not be recorded; it is retried'),
    onBossError: (err) => logger.warn({ err: err.message }, 'pg-boss (the job engine) reported an error'),
  })
}
