import { resolve } from 'node:path'
import { DEFAULT_LIMITS, type HubLimits } from './limits.js'

/** Log levels accepted by `PATCHBAY_LOG_LEVEL`. */
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const
/** A pino log level. */
export type LogLevel = (typeof LOG_LEVELS)[number]

/** Everything the hub is configured with. Read once from the environment by {@link loadConfig}. */
export interface HubConfig {
  /** Interface to listen on (`PATCHBAY_HOST`, default 127.0.0.1). */
  readonly host: string
  /** Port (`PATCHBAY_PORT`, default 8470; 0 picks a free one). */
  readonly port: number
  /** Folder for the SQLite file and the generated master key (`PATCHBAY_DATA_DIR`, default ./.patchbay). */
  readonly dataDir: string
  /** `postgres://…` or a SQLite file path (`PATCHBAY_DATABASE_URL`, default `<dataDir>/patchbay.db`). */
  readonly databaseUrl: string
  /** Most PostgreSQL connections this process opens (`PATCHBAY_DATABASE_POOL_SIZE`, default 10). */
  readonly databasePoolSize: number
  /** Base64 of 32 bytes (`PATCHBAY_MASTER_KEY`); when absent a key file in `dataDir` is used or created. */
  readonly masterKey: string | undefined
  /** Comma-separated base64 keys, the first seals, all open (`PATCHBAY_MASTER_KEYS`; for rotation). */
  readonly masterKeys: string | undefined
  /** A keys file, one base64 key per line, the first seals (`PATCHBAY_MASTER_KEY_FILE`). */
  readonly masterKeyFile: string | undefined
  /** Public base URL of the hub, used in poll and OAuth callback URLs (`PATCHBAY_PUBLIC_URL`). */
  readonly publicUrl: string | undefined
  /** Extra folders of user integration definitions (`PATCHBAY_CATALOG_DIR`, `:`-separated). */
  readonly catalogDirs: readonly string[]
  /** An API key seeded at start for the `default` tenant (`PATCHBAY_BOOTSTRAP_API_KEY`). */
  readonly bootstrapApiKey: string | undefined
  /** `PATCHBAY_LOG_LEVEL`, default `info`. */
  readonly logLevel: LogLevel
  /** Largest accepted request body in bytes (`PATCHBAY_MAX_BODY_BYTES`, default 1 MiB). */
  readonly maxBodyBytes: number
  /** Connect timeout for calls to services, ms (`PATCHBAY_UPSTREAM_CONNECT_TIMEOUT_MS`, default 10 000). */
  readonly upstreamConnectTimeoutMs: number
  /** Total timeout for calls to services, ms (`PATCHBAY_UPSTREAM_TIMEOUT_MS`, default 60 000). */
  readonly upstreamTimeoutMs: number
  /** How long an OAuth authorization stays completable, s (`PATCHBAY_OAUTH_STATE_TTL_SECONDS`, default 600). */
  readonly oauthStateTtlSeconds: number
  /** Refresh OAuth 2 tokens this long before expiry, s (`PATCHBAY_OAUTH_REFRESH_MARGIN_SECONDS`, default 60). */
  readonly oauthRefreshMarginSeconds: number
  /** Let tenant-supplied URLs (remote MCP servers) reach loopback/private/link-local addresses (`PATCHBAY_ALLOW_PRIVATE_NETWORK`, default false). */
  readonly allowPrivateNetwork: boolean
  /** Days events (and their webhook deliveries) are kept (`PATCHBAY_EVENT_RETENTION_DAYS`, default 30). */
  readonly eventRetentionDays: number
  /** Timeouts, body and registration limits, failed-key throttling (`PATCHBAY_*`, see {@link HubLimits}). */
  readonly limits: HubLimits
  /** The run log (`PATCHBAY_RUN_LOG`, `PATCHBAY_RUN_LOG_MAX_AGE_DAYS`, `PATCHBAY_RUN_LOG_MAX_ROWS`). */
  readonly runLog: { readonly enabled: boolean; readonly maxAgeDays: number; readonly maxRows: number }
  /** Bearer token Prometheus sends to `GET /metrics` (`PATCHBAY_METRICS_TOKEN`); unset, `/metrics` is off. */
  readonly metricsToken: string | undefined
  /** The job engine of schedules and polls (`PATCHBAY_JOBS` true/false, default true; `PATCHBAY_PGBOSS_SCHEMA`, default `pgboss`). */
  readonly jobs: { readonly enabled: boolean; readonly pgBossSchema: string }
  /** The dashboard's product name and accent colour (`PATCHBAY_PRODUCT_NAME`, `PATCHBAY_ACCENT_COLOR`). */
  readonly branding: Branding
}

/** What the dashboard shows as its own: the product name and the accent colour of links and buttons. */
export interface Branding {
  /** Default `Patchbay`. */
  readonly productName: string
  /** `#rrggbb` with a contrast of at least 4.5:1 against white; undefined: the built-in blue. */
  readonly accentColor: string | undefined
}

/** The WCAG 2 contrast ratio of two `#rrggbb` colours (1 to 21). */
export function contrastRatio(a: string, b: string): number {
  const lum = (hex: string) => {
    const [r, g, bl] = [1, 3, 5].map((i) => {
      const c = Number.parseInt(hex.slice(i, i + 2), 16) / 255
      return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4
    }) as [number, number, number]
    return 0.2126 * r + 0.7152 * g + 0.0722 * bl
  }
  const [hi, lo] = [lum(a), lum(b)].sort((x, y) => y - x) as [number, number]
  return (hi + 0.05) / (lo + 0.05)
}

/**
 * Checks a branding accent colour: `#rrggbb`, readable as white text on it and as link text on
 * white (WCAG AA, 4.5:1).
 *
 * @throws {ConfigError} saying what is wrong.
 */
export function checkAccentColor(value: string, name = 'PATCHBAY_ACCENT_COLOR'): string {
  if (!/^#[0-9a-fA-F]{6}$/.test(value)) throw new ConfigError(`${name} must be a colour as #rrggbb (e.g. #0b57d0); got "${value.slice(0, 40)}"`)
  const ratio = contrastRatio(value.toLowerCase(), '#ffffff')
  if (ratio < 4.5) {
    throw new ConfigError(
      `${name} ${value} has a contrast of ${ratio.toFixed(2)}:1 against white; WCAG AA needs 4.5:1 for the dashboard's buttons and links: choose a darker colour`,
    )
  }
  return value.toLowerCase()
}

/** A configuration value is invalid; the message names the variable and what it accepts. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError'
}

function integer(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name]
  if (raw === undefined || raw === '') return fallback
  const n = Number(raw)
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new ConfigError(`${name} must be an integer from ${min} to ${max}; got "${raw}"`)
  }
  return n
}

/**
 * Reads and validates the hub's configuration from environment variables. Called once, at the
 * edge (the CLI); everything else receives the frozen result.
 *
 * @example
 * ```ts
 * const config = loadConfig({ ...process.env, PATCHBAY_PORT: '0' })
 * ```
 * @throws {ConfigError} naming the variable that is wrong.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): HubConfig {
  const dataDir = resolve(env['PATCHBAY_DATA_DIR'] || '.patchbay')
  const logLevel = (env['PATCHBAY_LOG_LEVEL'] || 'info') as LogLevel
  if (!LOG_LEVELS.includes(logLevel)) {
    throw new ConfigError(`PATCHBAY_LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}; got "${logLevel}"`)
  }
  const publicUrl = env['PATCHBAY_PUBLIC_URL'] || undefined
  if (publicUrl !== undefined) {
    let url: URL
    try {
      url = new URL(publicUrl)
    } catch {
      throw new ConfigError(`PATCHBAY_PUBLIC_URL must be an absolute http(s) URL such as https://hub.example.com; got "${publicUrl}"`)
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      throw new ConfigError(`PATCHBAY_PUBLIC_URL must use http or https; got "${url.protocol}"`)
    }
  }
  const databaseUrl = env['PATCHBAY_DATABASE_URL'] || resolve(dataDir, 'patchbay.db')
  checkDatabaseUrl(databaseUrl)
  const keySources = ['PATCHBAY_MASTER_KEYS', 'PATCHBAY_MASTER_KEY', 'PATCHBAY_MASTER_KEY_FILE'].filter((n) => env[n])
  if (keySources.length > 1) {
    throw new ConfigError(`Set only one of ${keySources.join(' and ')}: they would disagree on which master key seals`)
  }
  const bootstrapApiKey = env['PATCHBAY_BOOTSTRAP_API_KEY'] || undefined
  if (bootstrapApiKey !== undefined && bootstrapApiKey.length < 16) {
    throw new ConfigError('PATCHBAY_BOOTSTRAP_API_KEY must be at least 16 characters long')
  }
  const metricsToken = env['PATCHBAY_METRICS_TOKEN'] || undefined
  if (metricsToken !== undefined && metricsToken.length < 16) {
    throw new ConfigError('PATCHBAY_METRICS_TOKEN must be at least 16 characters long (e.g. openssl rand -hex 24)')
  }
  const allowPrivate = (env['PATCHBAY_ALLOW_PRIVATE_NETWORK'] ?? '').toLowerCase()
  if (!['', 'true', 'false', '1', '0'].includes(allowPrivate)) {
    throw new ConfigError(`PATCHBAY_ALLOW_PRIVATE_NETWORK must be true or false; got "${env['PATCHBAY_ALLOW_PRIVATE_NETWORK']}"`)
  }
  return Object.freeze({
    host: env['PATCHBAY_HOST'] || '127.0.0.1',
    port: integer(env, 'PATCHBAY_PORT', 8470, 0, 65535),
    dataDir,
    databaseUrl,
    databasePoolSize: integer(env, 'PATCHBAY_DATABASE_POOL_SIZE', 10, 2, 1000),
    masterKey: env['PATCHBAY_MASTER_KEY'] || undefined,
    masterKeys: env['PATCHBAY_MASTER_KEYS'] || undefined,
    masterKeyFile: env['PATCHBAY_MASTER_KEY_FILE'] ? resolve(env['PATCHBAY_MASTER_KEY_FILE']) : undefined,
    publicUrl: publicUrl?.replace(/\/+$/, ''),
    catalogDirs: Object.freeze(
      (env['PATCHBAY_CATALOG_DIR'] ?? '')
        .split(':')
        .filter(Boolean)
        .map((d) => resolve(d)),
    ),
    bootstrapApiKey,
    logLevel,
    maxBodyBytes: integer(env, 'PATCHBAY_MAX_BODY_BYTES', 1024 * 1024, 1024, 100 * 1024 * 1024),
    upstreamConnectTimeoutMs: integer(env, 'PATCHBAY_UPSTREAM_CONNECT_TIMEOUT_MS', 10_000, 1, 600_000),
    upstreamTimeoutMs: integer(env, 'PATCHBAY_UPSTREAM_TIMEOUT_MS', 60_000, 1, 3_600_000),
    oauthStateTtlSeconds: integer(env, 'PATCHBAY_OAUTH_STATE_TTL_SECONDS', 600, 10, 86_400),
    oauthRefreshMarginSeconds: integer(env, 'PATCHBAY_OAUTH_REFRESH_MARGIN_SECONDS', 60, 0, 86_400),
    allowPrivateNetwork: allowPrivate === 'true' || allowPrivate === '1',
    eventRetentionDays: integer(env, 'PATCHBAY_EVENT_RETENTION_DAYS', 30, 1, 3650),
    limits: loadLimits(env),
    runLog: Object.freeze({
      enabled: !['false', '0', 'off'].includes((env['PATCHBAY_RUN_LOG'] ?? '').toLowerCase()),
      maxAgeDays: integer(env, 'PATCHBAY_RUN_LOG_MAX_AGE_DAYS', 7, 1, 3650),
      maxRows: integer(env, 'PATCHBAY_RUN_LOG_MAX_ROWS', 100_000, 100, 100_000_000),
    }),
    metricsToken,
    jobs: loadJobs(env),
    branding: Object.freeze({
      productName: (env['PATCHBAY_PRODUCT_NAME'] || 'Patchbay').trim().slice(0, 60) || 'Patchbay',
      accentColor: env['PATCHBAY_ACCENT_COLOR'] ? checkAccentColor(env['PATCHBAY_ACCENT_COLOR']) : undefined,
    }),
  })
}

function loadJobs(env: NodeJS.ProcessEnv): HubConfig['jobs'] {
  const enabled = (env['PATCHBAY_JOBS'] ?? '').toLowerCase()
  if (!['', 'true', 'false', '1', '0'].includes(enabled)) throw new ConfigError(`PATCHBAY_JOBS must be true or false; got "${env['PATCHBAY_JOBS']}"`)
  const schema = env['PATCHBAY_PGBOSS_SCHEMA'] || 'pgboss'
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(schema)) throw new ConfigError(`PATCHBAY_PGBOSS_SCHEMA must be a lower-case SQL name (letters, digits, _), e.g. pgboss; got "${schema}"`)
  return Object.freeze({ enabled: enabled !== 'false' && enabled !== '0', pgBossSchema: schema })
}

/**
 * `postgres://…`, `postgresql://…`, `sqlite:<path>` or a plain file path; any other `scheme:` (e.g.
 * `mysql://…`) would silently become a SQLite file named after the scheme, so it is refused.
 */
function checkDatabaseUrl(url: string): void {
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(url)?.[1]?.toLowerCase()
  // One letter before `:` is a Windows drive (C:\db), not a scheme.
  if (scheme === undefined || scheme.length === 1 || ['postgres', 'postgresql', 'sqlite'].includes(scheme)) return
  throw new ConfigError(
    `PATCHBAY_DATABASE_URL uses the unsupported scheme "${scheme}:"; use postgres://user@host:5432/db for PostgreSQL, or a SQLite file path such as /var/lib/patchbay/patchbay.db`,
  )
}

function loadLimits(env: NodeJS.ProcessEnv): HubLimits {
  const d = DEFAULT_LIMITS
  const limits: HubLimits = {
    requestTimeoutMs: integer(env, 'PATCHBAY_REQUEST_TIMEOUT_MS', d.requestTimeoutMs, 100, 3_600_000),
    headersTimeoutMs: integer(env, 'PATCHBAY_HEADERS_TIMEOUT_MS', d.headersTimeoutMs, 100, 3_600_000),
    keepAliveTimeoutMs: integer(env, 'PATCHBAY_KEEP_ALIVE_TIMEOUT_MS', d.keepAliveTimeoutMs, 100, 3_600_000),
    connectionTimeoutMs: integer(env, 'PATCHBAY_CONNECTION_TIMEOUT_MS', d.connectionTimeoutMs, 1_000, 86_400_000),
    maxAdminBodyBytes: integer(env, 'PATCHBAY_MAX_ADMIN_BODY_BYTES', d.maxAdminBodyBytes, 1024, 100 * 1024 * 1024),
    maxTenantIntegrations: integer(env, 'PATCHBAY_MAX_TENANT_INTEGRATIONS', d.maxTenantIntegrations, 0, 100_000),
    authFailuresPerWindow: integer(env, 'PATCHBAY_AUTH_FAILURES_PER_MINUTE', d.authFailuresPerWindow, 1, 1_000_000),
    authFailureWindowMs: d.authFailureWindowMs,
  }
  if (limits.headersTimeoutMs > limits.requestTimeoutMs) {
    throw new ConfigError(
      `PATCHBAY_HEADERS_TIMEOUT_MS (${limits.headersTimeoutMs}) must not exceed PATCHBAY_REQUEST_TIMEOUT_MS (${limits.requestTimeoutMs}): the headers are part of the request`,
    )
  }
  return Object.freeze(limits)
}
