/**
 * `@patchbay/sdk`: aiXplain's v1 integration model (integrations, connections, actions) in
 * idiomatic TypeScript. Uses `fetch` only, so it runs in Node and in browsers.
 *
 * @packageDocumentation
 */
export { AuthenticationSchema, FunctionType, ResponseStatus } from '@patchbay/core'
export type { ActionInputSpec, AttributeEntry, AuthInputDescriptor, ConnectResult, SupplierRecord } from '@patchbay/core'

export { buildConnectorParams } from './auth-params.js'
export type { BaseAuthenticationParams } from './auth-params.js'

export { createClient } from './client.js'
export type { PatchbayClient } from './client.js'
export { AuthRequiredError, createConnectSession, runForEndUser } from './connect.js'
export type { AuthRequiredInit, ConnectSession, ConnectSessionEndUser, CreateConnectSessionInput, RunForEndUserInput } from './connect.js'
export { streamEvents } from './events.js'
export type { EventsOptions, HubEvent } from './events.js'

export { DEFAULT_BACKEND_URL, DEFAULT_MODELS_RUN_URL, isResolvedConfig, resolveConfig } from './config.js'
export type { ClientConfig, ConfigOptions, FetchLike, PatchbayConfig, ResolvedConfig } from './config.js'

export { ConnectAction, ConnectionTool } from './connection-tool.js'
export type { ActionInputs, ActionParameters, ActionRunInput, ConnectActionInit, ToolSchemaFormat, ToolSchemaOptions } from './connection-tool.js'

export {
  AixplainError,
  AixplainErrorCode,
  AuthenticationError,
  BillingError,
  ErrorCategory,
  errorFromCode,
  errorFromStatus,
  ErrorSeverity,
  InternalError,
  isAixplainErrorCode,
  NetworkError,
  ResourceError,
  ServiceError,
  SupplierError,
  ValidationError,
} from './errors.js'
export type { AixplainErrorDict, AixplainErrorOptions } from './errors.js'

export { createIntegrationFactory, createModelFactory, IntegrationFactory, ModelFactory } from './factories.js'
export type {
  AnyModel,
  GetModelOptions,
  IntegrationFactoryApi,
  IntegrationRef,
  ListModelsOptions,
  ListOptions,
  ListResult,
  ModelClass,
  ModelFactoryApi,
} from './factories.js'

export { findAttribute, Integration, MCP_INTEGRATION_ID } from './integration.js'
export type { ConnectOptions } from './integration.js'

export { MCPConnection } from './mcp-connection.js'

export { buildPayload, Model, supplierName } from './model.js'
export type { ModelFunction, ModelInit, ModelOptions, PollOptions, RunAsyncOptions, RunOptions, Supplier } from './model.js'

export { ModelResponse } from './model-response.js'
export type { ModelResponseDict, ModelResponseInit } from './model-response.js'
