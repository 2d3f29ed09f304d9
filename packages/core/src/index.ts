export { AuthenticationSchema, AUTHENTICATION_SCHEMAS, isAuthenticationSchema, isOAuthSchema, providerBlockOf, refreshesTokens, tokenFieldsOf } from './auth-schema.js'
export { ErrorCodes, PatchbayError } from './errors.js'
export type { ErrorCode, ErrorBody } from './errors.js'
export {
  FunctionType,
  ResponseStatus,
  ConnectionStatus,
  CONNECTION_DESCRIPTION_SUFFIX,
  ExecuteAction,
} from './wire.js'
export type {
  AttributeEntry,
  AuthInputDescriptor,
  ParamSpec,
  SupplierRecord,
  ModelRecordV1,
  PaginateRequestV1,
  PaginateResponseV1,
  ExecuteSuccess,
  ExecuteFailure,
  ExecuteInProgress,
  ExecuteResponse,
  ConnectResult,
  ActionSummary,
  ActionInputSpec,
  ActionInputsSpec,
} from './wire.js'
export { integrationDefinitionSchema } from './definition.js'
export type {
  IntegrationDefinition,
  IntegrationKind,
  SchemeDefinition,
  InputDefinition,
  ApplyDefinition,
  AwsSigV4ApplyDefinition,
  OAuth2Definition,
  OAuth1Definition,
  ActionDefinition,
  RequestDefinition,
  BodyDefinition,
  HttpMethod,
} from './definition.js'
export { triggerDefinitionSchema } from './trigger-definition.js'
export type {
  TriggerDefinition,
  SignatureScheme,
  SecretSource,
  WebhookTriggerDefinition,
  WebhookSignatureDefinition,
  WebhookSecretDefinition,
  WebhookRoutingDefinition,
  WebhookChallengeDefinition,
  WebhookFilterDefinition,
  PollTriggerDefinition,
} from './trigger-definition.js'
