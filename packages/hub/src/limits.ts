/**
 * The limits that protect a hub from slow, large or guessing clients (docs/security.md). Each has
 * a `PATCHBAY_*` variable (config.ts); tests build hubs with small values.
 */
export interface HubLimits {
  /** The whole request (headers and body) must arrive within this, ms (`PATCHBAY_REQUEST_TIMEOUT_MS`). */
  readonly requestTimeoutMs: number
  /** The request headers must arrive within this, ms (`PATCHBAY_HEADERS_TIMEOUT_MS`). */
  readonly headersTimeoutMs: number
  /** An idle keep-alive connection is closed after this, ms (`PATCHBAY_KEEP_ALIVE_TIMEOUT_MS`). */
  readonly keepAliveTimeoutMs: number
  /**
   * A socket with no traffic either way is closed after this, ms (`PATCHBAY_CONNECTION_TIMEOUT_MS`).
   * It must exceed the longest synchronous run, which waits silently for the service.
   */
  readonly connectionTimeoutMs: number
  /** Largest body of `POST /api/v2/admin/integrations`, bytes (`PATCHBAY_MAX_ADMIN_BODY_BYTES`). */
  readonly maxAdminBodyBytes: number
  /** Most runtime integrations one tenant may register (`PATCHBAY_MAX_TENANT_INTEGRATIONS`). */
  readonly maxTenantIntegrations: number
  /** Failed API-key checks one client address may make per window before 429 (`PATCHBAY_AUTH_FAILURES_PER_MINUTE`). */
  readonly authFailuresPerWindow: number
  /** The window of {@link authFailuresPerWindow}, ms (one minute). */
  readonly authFailureWindowMs: number
}

/**
 * The limits a hub runs with when nothing is configured.
 *
 * @example
 * ```ts
 * createHub({ store, vault, catalog, logger, limits: { ...DEFAULT_LIMITS, requestTimeoutMs: 1_000 } })
 * ```
 */
export const DEFAULT_LIMITS: HubLimits = Object.freeze({
  requestTimeoutMs: 30_000,
  headersTimeoutMs: 10_000,
  keepAliveTimeoutMs: 5_000,
  connectionTimeoutMs: 180_000,
  maxAdminBodyBytes: 1024 * 1024,
  maxTenantIntegrations: 100,
  authFailuresPerWindow: 20,
  authFailureWindowMs: 60_000,
})

/**
 * Deepest nesting of arrays and objects the hub accepts in an action's input and returns from a
 * service's JSON answer (fixed; docs/security.md). Deeper inputs answer 400 naming the input;
 * deeper answers a FAILED run, since serialising them would overflow the stack.
 */
export const MAX_JSON_DEPTH = 64
