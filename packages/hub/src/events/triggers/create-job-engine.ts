import type { Store } from '../../store/store.js'
import { InProcessJobEngine } from './in-process-job-engine.js'
import type { DueWork, JobEngine, RunErrorHandler } from './job-engine.js'
import { PgBossJobEngine } from './pg-boss-job-engine.js'

/** Settings of the hub's job engine (`HubDeps.jobs`). */
export interface JobEngineSettings {
  /** Run schedules and polls at all; default true (tests that do not exercise them turn it off). */
  enabled: boolean
  /** pg-boss's schema on PostgreSQL; default `pgboss`. */
  pgBossSchema: string
  /** How often a process looks for due runs on PostgreSQL, s; default 1. */
  pollingIntervalSeconds: number
}

/** The defaults of {@link JobEngineSettings}. */
export const DEFAULT_JOB_ENGINE: JobEngineSettings = Object.freeze({ enabled: true, pgBossSchema: 'pgboss', pollingIntervalSeconds: 1 })

/**
 * The job engine for a store: {@link PgBossJobEngine} on PostgreSQL (many processes), the
 * {@link InProcessJobEngine} on SQLite (one process). Both take their work from `work`.
 *
 * @example
 * ```ts
 * const engine = createJobEngine(store, work, { onError: (err) => logger.warn({ err }, 'run failed') })
 * await engine.start()
 * ```
 */
export function createJobEngine(
  store: Store,
  work: DueWork,
  options: Partial<JobEngineSettings> & { onError?: RunErrorHandler; onBossError?: (err: Error) => void } = {},
): JobEngine {
  const settings = { ...DEFAULT_JOB_ENGINE, ...options }
  if (store.dialect === 'postgres') {
    return new PgBossJobEngine({
      db: store.db,
      work,
      schema: settings.pgBossSchema,
      pollingIntervalSeconds: settings.pollingIntervalSeconds,
      ...(options.onError ? { onError: options.onError } : {}),
      ...(options.onBossError ? { onBossError: options.onBossError } : {}),
    })
  }
  return new InProcessJobEngine({ work, ...(options.onError ? { onError: options.onError } : {}) })
}
