/**
 * `createClient`: factories bound to one configuration, resolved once at the edge.
 */
import { resolveConfig } from './config.js'
import type { PatchbayConfig, ResolvedConfig } from './config.js'
import { streamEvents, type EventsOptions, type HubEvent } from './events.js'
import { createConnectSessionWith, runForEndUserWith, type ConnectSession, type CreateConnectSessionInput, type RunForEndUserInput } from './connect.js'
import type { ModelResponse } from './model-response.js'
import { createIntegrationFactory, createModelFactory } from './factories.js'
import type { IntegrationFactoryApi, ModelFactoryApi } from './factories.js'

/** What `createClient` returns: the factories bound to one resolved configuration. */
export interface PatchbayClient {
  /** The resolved, frozen configuration every call of this client uses. */
  readonly config: ResolvedConfig
  readonly ModelFactory: ModelFactoryApi
  readonly IntegrationFactory: IntegrationFactoryApi
  /** The tenant's events (`GET /api/v2/events`), long-polled: `for await (const e of client.events({ after }))`. */
  events(options?: EventsOptions): AsyncGenerator<HubEvent>
  /** A Connect session for one of your end users (`POST /api/v2/connect/sessions`); see {@link createConnectSession}. */
  createConnectSession(input: CreateConnectSessionInput): Promise<ConnectSession>
  /** Runs an action on an end user's connection of an integration; throws `AuthRequiredError` with a connect link when there is none. */
  runForEndUser<T = unknown>(input: RunForEndUserInput): Promise<ModelResponse<T>>
}

/**
 * Resolves a configuration once (options, then environment, then the local hub) and returns the
 * factories bound to it. No global state: several clients can talk to several hubs at once.
 *
 * @throws {AuthenticationError} when no API key can be found, or the env keys conflict.
 * @example
 * ```ts
 * const { IntegrationFactory, ModelFactory } = createClient({
 *   apiKey: 'pb_live_…',
 *   backendUrl: 'https://hub.example.com',
 *   onWarning: (message) => toast(message),
 * })
 * const github = await IntegrationFactory.get({ name: 'GitHub' })
 * ```
 */
export function createClient(config: PatchbayConfig = {}): PatchbayClient {
  const resolved = resolveConfig(config)
  return Object.freeze({
    config: resolved,
    ModelFactory: createModelFactory(resolved),
    IntegrationFactory: createIntegrationFactory(resolved),
    events: (options?: EventsOptions) => streamEvents(resolved, options),
    createConnectSession: (input: CreateConnectSessionInput) => createConnectSessionWith(resolved, input),
    runForEndUser: <T = unknown>(input: RunForEndUserInput) => runForEndUserWith<T>(resolved, input),
  })
}
