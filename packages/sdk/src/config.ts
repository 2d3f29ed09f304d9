/**
 * Client configuration: where the hub is, which API key to send, and the few side-effecting
 * functions (fetch, warnings, timers) the SDK uses, all injectable so it runs in browsers, in
 * Node and in tests without network or real time.
 *
 * @see ../../../shared/spec/aixplain-wire-contract.md §2
 */
import { AuthenticationError } from './errors.js'

/** Backend URL used when neither the option nor `BACKEND_URL` is set: a local Patchbay hub. */
export const DEFAULT_BACKEND_URL = 'http://127.0.0.1:8470'

/** Execute base URL used when nothing else says otherwise: the local hub's v1 execute path. */
export const DEFAULT_MODELS_RUN_URL = `${DEFAULT_BACKEND_URL}/api/v1/execute`

/** A function with the shape of the global `fetch`. */
export type FetchLike = (input: string, init?: RequestInit) => Promise<Response>

/**
 * What a client is built with. Every field is optional; see {@link resolveConfig} for how each
 * one is filled in.
 *
 * @example
 * ```ts
 * import { createClient } from '@patchbay/sdk'
 * const patchbay = createClient({
 *   apiKey: 'pb_live_…',
 *   backendUrl: 'https://hub.example.com',
 *   onWarning: (message) => logger.warn(message),
 * })
 * ```
 */
export interface PatchbayConfig {
  /** API key of the team. Falls back to `TEAM_API_KEY`, then `AIXPLAIN_API_KEY`. */
  apiKey?: string
  /**
   * Base URL of the platform backend (records, listing, deletes). Falls back to `BACKEND_URL`,
   * then `http://127.0.0.1:8470` (a local hub).
   */
  backendUrl?: string
  /**
   * Base URL of the execute service, ending in `/api/v1/execute`. Falls back to `MODELS_RUN_URL`,
   * then to `<backendUrl>/api/v1/execute` when a backend URL was given (a Patchbay hub serves
   * both), then to `http://127.0.0.1:8470/api/v1/execute`.
   */
  modelsRunUrl?: string
  /** The `fetch` to use; default the global one. Inject one to add retries, proxies or fakes. */
  fetch?: FetchLike
  /**
   * Receives every warning the SDK emits instead of printing it: the OAuth redirect warning of
   * `Integration.connect` ("Before using the tool, please visit the following URL to complete the
   * connection: <url>") and the no-action-scope warning of `ConnectionTool.getParameters`.
   * Default `console.warn`.
   */
  onWarning?: (message: string) => void
  /**
   * Where environment variables are read from; default `globalThis.process?.env` (empty in
   * browsers). Pass `{}` to ignore the environment.
   */
  env?: Readonly<Record<string, string | undefined>>
  /** Waits `ms` milliseconds between polls. Default `setTimeout`; tests inject a fake. */
  sleep?: (ms: number) => Promise<void>
  /** Current time in milliseconds, used for poll timeouts. Default `Date.now`; tests inject a fake. */
  now?: () => number
}

/** Alias of {@link PatchbayConfig}, for readers coming from other SDKs. */
export type ClientConfig = PatchbayConfig

/** A fully resolved, frozen configuration. Build one with {@link resolveConfig}. */
export interface ResolvedConfig {
  readonly apiKey: string
  readonly backendUrl: string
  readonly modelsRunUrl: string
  readonly fetch: FetchLike
  readonly onWarning: (message: string) => void
  readonly sleep: (ms: number) => Promise<void>
  readonly now: () => number
}

/** Per-call options every factory method and constructor accepts. */
export interface ConfigOptions {
  /** Configuration for this call; when absent it is resolved from the environment. */
  config?: PatchbayConfig | ResolvedConfig
}

const resolvedConfigs = new WeakSet<object>()

interface ProcessLike {
  env?: Record<string, string | undefined>
}

function defaultEnv(): Readonly<Record<string, string | undefined>> {
  // Browsers have no `process`; read it through globalThis so bundlers need no polyfill.
  const process = (globalThis as { process?: ProcessLike }).process
  return process?.env ?? {}
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value.trim()
}

function checkUrl(value: string, source: string): string {
  let url: URL
  try {
    url = new URL(value)
  } catch {
    throw new TypeError(`${source} must be an absolute http(s) URL such as http://127.0.0.1:8470; got "${value}"`)
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new TypeError(`${source} must use http or https; got "${url.protocol}"`)
  }
  return value.replace(/\/+$/, '')
}

function resolveApiKey(explicit: string | undefined, env: Readonly<Record<string, string | undefined>>): string {
  const given = nonEmpty(explicit)
  if (given !== undefined) return given
  const team = nonEmpty(env['TEAM_API_KEY'])
  const aixplain = nonEmpty(env['AIXPLAIN_API_KEY'])
  if (team !== undefined && aixplain !== undefined && team !== aixplain) {
    throw new AuthenticationError(
      "Conflicting API keys: 'TEAM_API_KEY' and 'AIXPLAIN_API_KEY' are both set but differ. " + 'Unset one of them, set both to the same key, or pass `apiKey` explicitly.',
    )
  }
  const key = team ?? aixplain
  if (key === undefined) {
    throw new AuthenticationError(
      "No API key: neither 'TEAM_API_KEY' nor 'AIXPLAIN_API_KEY' is set. " +
        'Set one of these environment variables, or pass `apiKey` in the config ' +
        '(e.g. createClient({ apiKey }) or ModelFactory.get(id, { config: { apiKey } })).',
    )
  }
  return key
}

/**
 * Whether `config` came out of {@link resolveConfig} (and so is complete and frozen).
 *
 * @example
 * ```ts
 * isResolvedConfig(resolveConfig({ apiKey: 'k' })) // true
 * isResolvedConfig({ apiKey: 'k' }) // false
 * ```
 */
export function isResolvedConfig(config: unknown): config is ResolvedConfig {
  return typeof config === 'object' && config !== null && resolvedConfigs.has(config)
}

/**
 * Fills in a {@link PatchbayConfig}: explicit options first, then environment variables, then
 * the local hub. The result is frozen. Passing an already resolved config returns it unchanged.
 *
 * | Field | Option | Environment | Default |
 * |---|---|---|---|
 * | API key | `apiKey` | `TEAM_API_KEY`, else `AIXPLAIN_API_KEY` (both set and different: error) | none: error |
 * | Backend | `backendUrl` | `BACKEND_URL` | `http://127.0.0.1:8470` |
 * | Execute | `modelsRunUrl` | `MODELS_RUN_URL` | `<backend>/api/v1/execute` |
 *
 * @throws {AuthenticationError} when no API key is found, or the two key variables conflict.
 * @throws {TypeError} when a URL is not an absolute http(s) URL.
 * @example
 * ```ts
 * const config = resolveConfig({ apiKey: 'pb_live_…' })
 * config.backendUrl // 'http://127.0.0.1:8470' unless BACKEND_URL is set
 * ```
 * @see ../../../shared/spec/aixplain-wire-contract.md §2
 */
export function resolveConfig(config: PatchbayConfig | ResolvedConfig = {}): ResolvedConfig {
  if (resolvedConfigs.has(config)) return config as ResolvedConfig
  const options = config as PatchbayConfig
  const env = options.env ?? defaultEnv()
  const apiKey = resolveApiKey(options.apiKey, env)

  const explicitBackend = nonEmpty(options.backendUrl)
  const envBackend = nonEmpty(env['BACKEND_URL'])
  const backendUrl = checkUrl(
    explicitBackend ?? envBackend ?? DEFAULT_BACKEND_URL,
    explicitBackend !== undefined ? 'backendUrl' : envBackend !== undefined ? 'BACKEND_URL' : 'the default backend URL',
  )
  const explicitRun = nonEmpty(options.modelsRunUrl)
  const envRun = nonEmpty(env['MODELS_RUN_URL'])
  // A Patchbay hub serves the backend and execute paths on one origin, so a custom backend
  // without a custom execute URL most likely means "that hub", not the local default.
  const derivedRun = explicitBackend !== undefined || envBackend !== undefined ? `${backendUrl}/api/v1/execute` : DEFAULT_MODELS_RUN_URL
  const modelsRunUrl = checkUrl(explicitRun ?? envRun ?? derivedRun, explicitRun !== undefined ? 'modelsRunUrl' : envRun !== undefined ? 'MODELS_RUN_URL' : 'the execute URL')

  const injectedFetch = options.fetch
  const resolved: ResolvedConfig = Object.freeze({
    apiKey,
    backendUrl,
    modelsRunUrl,
    // Never call the global fetch unbound: browsers throw "Illegal invocation".
    fetch: injectedFetch ?? ((input: string, init?: RequestInit) => globalThis.fetch(input, init)),
    onWarning: options.onWarning ?? ((message: string) => console.warn(message)),
    sleep: options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms))),
    now: options.now ?? (() => Date.now()),
  })
  resolvedConfigs.add(resolved)
  return resolved
}
