import type { AddressInfo } from 'node:net'
import type { FastifyInstance } from 'fastify'
import type { Logger } from 'pino'
import { ActionRunner } from './actions/run-action.js'
import { createAgentServices } from './agents/agent-services.js'
import { OAuthApps } from './auth/oauth-apps.js'
import { OAuthService } from './auth/oauth.js'
import type { Integration } from './catalog/catalog.js'
import { TenantIntegrations, TENANT_SOURCE } from './catalog/tenant-integrations.js'
import { baseUrlTemplated } from './catalog/scheme-base-url.js'
import { LazyGuardedOutbound } from './net/ssrf-guard.js'
import { oauthUrlsTemplated } from './auth/oauth-endpoints.js'
import type { Catalog } from './catalog/catalog.js'
import { loadCatalog } from './catalog/load-catalog.js'
import type { Branding, HubConfig } from './config.js'
import { createLogger } from './logger.js'
import type { DeliverySettings } from './events/delivery-worker.js'
import { createEventServices } from './events/event-services.js'
import { createTriggerServices, type TriggerServices } from './events/triggers/trigger-services.js'
import { buildServer } from './http/server.js'
import { ConnectSessions } from './connections/connect-sessions.js'
import { integrationLookup } from './catalog/find-integration.js'
import { openStore, type Store } from './store/store.js'
import { ApiKeyResolver, ensureBootstrapKey } from './tenants/api-keys.js'
import { withAdvisoryLock } from './store/advisory-lock.js'
import { resolveMasterKeys } from './vault/master-key-file.js'
import { Vault } from './vault/vault.js'
import { baseUrlOf } from './base-url.js'
import { DEFAULT_LIMITS, type HubLimits } from './limits.js'
import { explainListenError, guardMasterKey, prepareDataDir } from './startup-checks.js'
import { RunLog, type RunLogOptions } from './connections/run-log.js'
import type { JobEngineSettings } from './events/triggers/create-job-engine.js'
import type { JobEngine } from './events/triggers/job-engine.js'
import { createTriggerScheduler } from './events/triggers/trigger-scheduler.js'

/** Everything a hub is assembled from. Tests pass their own; {@link startHub} builds them from config. */
export interface HubDeps {
  store: Store
  vault: Vault
  catalog: Catalog
  logger: Logger
  /** Public base URL for absolute links; default the URL the hub listens on. */
  publicUrl?: string
  maxBodyBytes?: number
  upstreamConnectTimeoutMs?: number
  upstreamTimeoutMs?: number
  /** How long an OAuth authorization and its PENDING connection stay completable, ms (default 10 min). */
  oauthStateTtlMs?: number
  /** Refresh OAuth 2 tokens this long before they expire, ms (default 60 s). */
  oauthRefreshMarginMs?: number
  /** How often PENDING connections past their expiry are deleted, ms (default 60 s; 0 disables). */
  sweepIntervalMs?: number
  /** Let tenant-supplied URLs (remote MCP servers) reach loopback and private addresses; default false. */
  allowPrivateNetwork?: boolean
  /** Timeouts, admin body and registration limits, failed-key throttling (default DEFAULT_LIMITS). */
  limits?: HubLimits
  /** The run log's retention and buffering (default 7 days, 100,000 rows per tenant); false: off. */
  runLog?: RunLogOptions | false
  /** Bearer token of `GET /metrics` (`PATCHBAY_METRICS_TOKEN`); without it `/metrics` answers 404. */
  metricsToken?: string
  /** Webhook delivery and event retention settings (events/delivery-worker.ts DEFAULT_DELIVERY). */
  delivery?: Partial<DeliverySettings>
  /** The job engine running schedules and polls (pg-boss on PostgreSQL, in-process on SQLite); false: off. */
  jobs?: Partial<JobEngineSettings> | false
  /** The dashboard's product name and accent colour (default Patchbay's). */
  branding?: Branding
}

/** A running (or ready to run) hub. */
export interface Hub {
  readonly app: FastifyInstance
  readonly store: Store
  readonly catalog: Catalog
  /** Listens on host:port and returns the base URL (`http://127.0.0.1:8470`). */
  listen(host: string, port: number): Promise<string>
  /** The base URL once listening. */
  readonly url: string | undefined
  /** OAuth flows, refresh and housekeeping. */
  readonly oauth: OAuthService
  /** Trigger instances, inbound webhooks, aiXplain's v1 triggers. */
  readonly triggers: TriggerServices
  /** Stops accepting requests, waits for in-flight ones, closes pools and the store. */
  close(): Promise<void>
  /** The job engine running schedules and polls (undefined when `jobs: false`). */
  readonly jobs: JobEngine | undefined
}

/**
 * Assembles a hub from its dependencies. No environment is read here. Every service is built
 * here, once, and handed to the HTTP server (`buildServer` builds none).
 *
 * @example
 * ```ts
 * const hub = createHub({ store, vault, catalog, logger })
 * const url = await hub.listen('127.0.0.1', 0)
 * ```
 */
export function createHub(deps: HubDeps): Hub {
  let url: string | undefined
  const publicUrl = () => deps.publicUrl ?? url
  const oauthApps = new OAuthApps(deps.store, deps.vault)
  const tenantIntegrations = new TenantIntegrations(deps.store, deps.catalog)
  // URLs a tenant controls (templated base URLs, definitions a tenant registered) may not reach
  // this hub's own network unless the operator allows it (PATCHBAY_ALLOW_PRIVATE_NETWORK).
  const tenantControlled = (i: Integration) => i.source === TENANT_SOURCE || baseUrlTemplated(i.definition)
  // Made on the first guarded call: a start loads no undici (net/undici.ts).
  const guarded = deps.allowPrivateNetwork
    ? undefined
    : new LazyGuardedOutbound({
        allowPrivateNetwork: false,
        connectTimeoutMs: deps.upstreamConnectTimeoutMs ?? 10_000,
        timeoutMs: deps.upstreamTimeoutMs ?? 60_000,
      })
  const oauth = new OAuthService({
    store: deps.store,
    vault: deps.vault,
    catalog: deps.catalog,
    tenantIntegrations,
    apps: oauthApps,
    logger: deps.logger,
    publicUrl,
    ...(guarded
      ? {
          guard: {
            fetch: guarded.fetch,
            appliesTo: (i: Integration) => i.source === TENANT_SOURCE || oauthUrlsTemplated(i.definition),
          },
        }
      : {}),
    allowPrivateNetwork: deps.allowPrivateNetwork ?? false,
    ...(deps.oauthStateTtlMs !== undefined ? { stateTtlMs: deps.oauthStateTtlMs } : {}),
    ...(deps.oauthRefreshMarginMs !== undefined ? { refreshMarginMs: deps.oauthRefreshMarginMs } : {}),
  })
  const runner = new ActionRunner({
    vault: deps.vault,
    connectTimeoutMs: deps.upstreamConnectTimeoutMs ?? 10_000,
    timeoutMs: deps.upstreamTimeoutMs ?? 60_000,
    schemes: oauth.schemes,
    ...(guarded
      ? {
          guard: {
            get dispatcher() {
              return guarded.dispatcher
            },
            appliesTo: tenantControlled,
          },
        }
      : {}),
  })
  const sweepMs = deps.sweepIntervalMs ?? 60_000
  const sweeper =
    sweepMs > 0
      ? setInterval(() => {
          oauth.sweep().then(
            (n) => {
              if (n.connections > 0) deps.logger.info({ deleted: n.connections }, 'deleted PENDING connections whose authorization expired')
            },
            (err: unknown) => deps.logger.warn({ err: (err as Error).message }, 'sweeping expired PENDING connections failed'),
          )
          // Connect sessions are kept a day past their expiry, so their link still says "expired".
          deps.store.connectSessions
            .deleteExpired(new Date(Date.now() - 86_400_000))
            .catch((err: unknown) => deps.logger.warn({ err: (err as Error).message }, 'sweeping expired Connect sessions failed'))
        }, sweepMs)
      : undefined
  sweeper?.unref()
  // Remote MCP clients (the MCP Server integration); the server closes them when it closes.
  const { mcpClients } = createAgentServices({
    store: deps.store,
    catalog: deps.catalog,
    tenantIntegrations,
    allowPrivateNetwork: deps.allowPrivateNetwork ?? false,
    upstreamConnectTimeoutMs: deps.upstreamConnectTimeoutMs,
    upstreamTimeoutMs: deps.upstreamTimeoutMs,
  })
  const runLog = deps.runLog === false ? undefined : new RunLog(deps.store, deps.logger, deps.runLog ?? { maxAgeMs: 7 * 86_400_000, maxRows: 100_000 })
  // Webhook endpoints, the events feed and the outbox's delivery worker (started here).
  const events = createEventServices({ store: deps.store, vault: deps.vault, logger: deps.logger, allowPrivateNetwork: deps.allowPrivateNetwork ?? false, delivery: deps.delivery })
  // Trigger instances, inbound webhooks and aiXplain's v1 triggers; the job engine is handed in with triggers.useJobs.
  const triggers = createTriggerServices({ store: deps.store, vault: deps.vault, catalog: deps.catalog, tenantIntegrations, oauthApps })
  // Schedules and polls of trigger instances: pg-boss on PostgreSQL, timers on SQLite (events/triggers/).
  const jobs =
    deps.jobs === false || deps.jobs?.enabled === false
      ? undefined
      : createTriggerScheduler({
          execute: { store: deps.store, vault: deps.vault, catalog: deps.catalog, runner, tenantIntegrations, runLog },
          logger: deps.logger,
          settings: deps.jobs ?? {},
        })
  triggers.useJobs(jobs)
  const jobsStarted = jobs?.start().catch((err: unknown) => deps.logger.error({ err: (err as Error).message }, 'the job engine did not start: schedules and polls are not running'))
  const app = buildServer({
    runLog,
    store: deps.store,
    vault: deps.vault,
    catalog: deps.catalog,
    runner,
    keys: new ApiKeyResolver(deps.store),
    logger: deps.logger,
    oauth,
    oauthApps,
    tenantIntegrations,
    mcpClients,
    backgroundRuns: new Set<Promise<void>>(),
    maxBodyBytes: deps.maxBodyBytes ?? 1024 * 1024,
    publicUrl,
    upstreamTimeoutMs: deps.upstreamTimeoutMs ?? 60_000,
    limits: deps.limits ?? DEFAULT_LIMITS,
    metricsToken: deps.metricsToken,
    events,
    triggers,
    connectSessions: new ConnectSessions({ store: deps.store, findIntegration: integrationLookup(deps.catalog, tenantIntegrations) }),
    ...(deps.branding ? { branding: deps.branding } : {}),
  })
  return {
    triggers,
    app,
    store: deps.store,
    catalog: deps.catalog,
    get url() {
      return url
    },
    async listen(host, port) {
      await app.listen({ host, port })
      const addr = app.server.address() as AddressInfo
      url = baseUrlOf(addr.address, addr.port)
      return url
    },
    oauth,
    jobs,
    async close() {
      await jobsStarted
      await jobs?.stop()
      if (sweeper) clearInterval(sweeper)
      events.feed.close()
      await app.close()
      await runLog?.close()
      await events.close()
      await runner.close()
      await guarded?.close()
      await deps.store.close()
    },
  }
}

/** What {@link startHub} reports for the start banner. */
export interface StartedHub extends Hub {
  readonly url: string
  readonly masterKeySource: 'env' | 'file' | 'generated'
  readonly masterKeyFile: string | undefined
  /** The variable the master keys came from, when `masterKeySource` is `env`. */
  readonly masterKeyVariable: string | undefined
  /** Ids of the loaded master keys; the first one seals. */
  readonly masterKeyIds: readonly string[]
  readonly catalogErrors: number
  readonly hasApiKeys: boolean
}

/**
 * Starts a hub from configuration: master key, store (migrated), catalog, bootstrap key, HTTP.
 */
export async function startHub(config: HubConfig, logger: Logger = createLogger(config.logLevel)): Promise<StartedHub> {
  await prepareDataDir(config, logger)
  const store = openStore(config.databaseUrl, { poolSize: config.databasePoolSize })
  let mk: Awaited<ReturnType<typeof resolveMasterKeys>>
  try {
    await store.migrate()
    // Refuses a missing key file next to sealed values, and a key that does not open them.
    mk = await guardMasterKey(store, config, () => resolveMasterKeys(config))
  } catch (err) {
    await store.close()
    throw err
  }
  // Other hub processes may share the database: a run younger than this may still be running
  // in one of them (a run is bounded by the upstream timeout, twice with an OAuth refresh).
  const runBoundMs = 2 * config.upstreamTimeoutMs + 60_000
  const sweep = () => {
    const now = Date.now()
    return store.sweepRuns(new Date(now - runBoundMs), new Date(now - 3_600_000))
  }
  try {
    // Migrations (run above) take their own lock; the bootstrap key must not be seeded twice (two `default` tenants).
    await withAdvisoryLock(store, 'startup', async () => {
      await sweep()
      if (config.bootstrapApiKey) await ensureBootstrapKey(store, config.bootstrapApiKey)
    })
  } catch (err) {
    await store.close()
    throw err
  }
  let catalogErrors = 0
  const catalog = await loadCatalog({
    dirs: config.catalogDirs,
    onError: (e) => {
      catalogErrors++
      for (const p of e.problems) logger.warn({ file: e.file, field: p.field }, `skipped definition ${e.file}: ${p.field} ${p.message}`)
    },
  })
  const hub = createHub({
    store,
    vault: new Vault(mk.keys),
    catalog,
    logger,
    ...(config.publicUrl ? { publicUrl: config.publicUrl } : {}),
    maxBodyBytes: config.maxBodyBytes,
    upstreamConnectTimeoutMs: config.upstreamConnectTimeoutMs,
    upstreamTimeoutMs: config.upstreamTimeoutMs,
    oauthStateTtlMs: config.oauthStateTtlSeconds * 1000,
    oauthRefreshMarginMs: config.oauthRefreshMarginSeconds * 1000,
    allowPrivateNetwork: config.allowPrivateNetwork,
    limits: config.limits,
    runLog: config.runLog.enabled ? { maxAgeMs: config.runLog.maxAgeDays * 86_400_000, maxRows: config.runLog.maxRows } : false,
    ...(config.metricsToken ? { metricsToken: config.metricsToken } : {}),
    delivery: { retentionMs: config.eventRetentionDays * 24 * 3_600_000 },
    jobs: config.jobs.enabled ? { pgBossSchema: config.jobs.pgBossSchema } : false,
    branding: config.branding,
  })
  const url = await hub.listen(config.host, config.port).catch(async (err: unknown) => {
    await hub.close()
    throw explainListenError(err, config.host, config.port)
  })
  const hasApiKeys = (await store.countTenants()) > 0
  // Runs left IN_PROGRESS by a process that died are failed once they are past the bound.
  const sweeper = setInterval(() => {
    sweep().catch((err: unknown) => logger.warn({ err }, 'sweeping old runs failed'))
  }, 60_000)
  sweeper.unref()
  return {
    app: hub.app,
    store: hub.store,
    catalog: hub.catalog,
    listen: hub.listen,
    close: () => {
      clearInterval(sweeper)
      return hub.close()
    },
    oauth: hub.oauth,
    jobs: hub.jobs,
    triggers: hub.triggers,
    url,
    masterKeySource: mk.source,
    masterKeyFile: mk.file,
    masterKeyVariable: mk.variable,
    masterKeyIds: mk.keys.map((k) => k.id),
    catalogErrors,
    hasApiKeys,
  }
}
