/**
 * The connector-definition format: one file (YAML or JSON) per integration. Integrations are data,
 * not code; every behaviour lives in the hub's shared runner.
 *
 * Templates: any string marked "template" may hold `{name}` placeholders. In `baseUrl`, `path`,
 * `query` and `headers`, a placeholder is looked up in the action's inputs, then in the
 * connection's non-secret inputs (secrets are only visible to a scheme's `apply`). In `path`,
 * `{name}` is percent-encoded and `{+name}` is inserted as it is (for values holding `/`).
 * A string that is exactly one placeholder keeps the value's JSON type (used in bodies). A query
 * or header entry whose placeholder has no value is left out.
 *
 * @see docs/catalog.md for the full format with a complete example.
 */
import type { AuthenticationSchema } from './auth-schema.js'
import { triggerDefinitionSchema, type TriggerDefinition } from './trigger-definition.js'

/** A credential or configuration input a scheme asks for at connect time. */
export interface InputDefinition {
  /** Key in the connect `data`, e.g. `token`. */
  name: string
  /** Label shown to people, e.g. `Personal access token`. */
  displayName: string
  /** Wire type; default `string`. */
  type?: 'string' | 'number' | 'integer' | 'boolean'
  /** What it is and where to find it. */
  description: string
  /** Default `true`. aiXplain's v1 client treats every listed input as required anyway. */
  required?: boolean
  /** A secret is stored encrypted and only ever used by `apply`; default `false`. */
  secret?: boolean
  /** Value used when an optional input is not given. */
  default?: string
  /** An https page that says where to find this value (the Connect page links it next to the field). */
  helpUrl?: string
}

/** How a scheme's credentials are put on an outgoing request. Values are templates. */
export interface ApplyDefinition {
  /** Headers to set, e.g. `{ Authorization: 'Bearer {token}' }`. Header names may be templates. */
  headers?: Record<string, string>
  /** Query parameters to add, e.g. `{ api_key: '{api_key}' }`. */
  query?: Record<string, string>
  /** HTTP Basic credentials (RFC 7617). */
  basic?: { username: string; password: string }
  /** Sign each request with AWS Signature Version 4 (rides on API_KEY: aiXplain has six scheme names). */
  awsSigV4?: AwsSigV4ApplyDefinition
}

/**
 * AWS Signature Version 4 signing of every request. Values are templates over the scheme's inputs
 * (or literals, e.g. `service: s3`, `region: us-east-1`).
 *
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv.html
 */
export interface AwsSigV4ApplyDefinition {
  /** e.g. `{access_key_id}`. */
  accessKeyId: string
  /** e.g. `{secret_access_key}`. */
  secretAccessKey: string
  /** Session token of temporary credentials; an empty or absent value signs without one. */
  sessionToken?: string
  /** Region of the credential scope, e.g. `{region}`. */
  region: string
  /** Service signing name, e.g. `s3`, `sqs`, `execute-api`. */
  service: string
  /** Send `x-amz-content-sha256: UNSIGNED-PAYLOAD` instead of the body's hash (S3 only); default `false`. */
  unsignedPayload?: boolean
}

/** OAuth 2.0 provider facts (used from the OAuth issue on). */
export interface OAuth2Definition {
  authorizationUrl?: string
  tokenUrl: string
  revocationUrl?: string
  scopes?: string[]
  scopeSeparator?: string
  authorizationParams?: Record<string, string>
  tokenParams?: Record<string, string>
  /** How the client authenticates at the token endpoint; default `client_secret_basic`. */
  clientAuth?: 'client_secret_basic' | 'client_secret_post'
  /** Default `true`; set `false` only for a provider that rejects PKCE. */
  pkce?: boolean
  /** Default `authorization_code`; `{name}` takes it from a connection input (the HTTP API). */
  grant?: 'authorization_code' | 'client_credentials' | `{${string}}`
  /** Dotted path of the access token in a non-standard token response, e.g. `authed_user.access_token`. */
  accessTokenPath?: string
  /**
   * The authorization server's issuer identifier. When set, the callback must carry an `iss`
   * parameter equal to it (RFC 9207 mix-up defence: set it only for a provider that sends `iss`,
   * i.e. `authorization_response_iss_parameter_supported`); when unset, `iss` is ignored.
   */
  issuer?: string
  /** Lifetime assumed when the token response has no `expires_in` (seconds); default: no expiry (refresh only after a 401). */
  defaultExpiresIn?: number
  /**
   * Token response fields kept as non-secret connection values, by name → dotted path in the
   * response, e.g. `{ instance_url: instance_url }` (Salesforce names the org's API host only
   * there). Templates (the scheme's `baseUrl`, actions) see them as connection inputs; a refresh
   * that answers one again replaces it.
   */
  fromTokenResponse?: Record<string, string>
}

/** OAuth 1.0a provider facts (used from the OAuth issue on). */
export interface OAuth1Definition {
  requestTokenUrl: string
  authorizationUrl: string
  accessTokenUrl: string
  signatureMethod?: 'HMAC-SHA1' | 'HMAC-SHA256' | 'PLAINTEXT' | 'RSA-SHA1'
  authorizationParams?: Record<string, string>
}

/** One supported scheme of an integration. */
export interface SchemeDefinition {
  /** Inputs asked for at connect time; none for a scheme that needs nothing. */
  inputs?: InputDefinition[]
  /** How credentials reach the request. Defaults: OAUTH2 sends `Authorization: Bearer {access_token}`. */
  apply?: ApplyDefinition
  /** Base URL template of this scheme's connections, in place of the definition's, e.g. `{instance_url}`. */
  baseUrl?: string
  /** OAUTH2 only. */
  oauth2?: OAuth2Definition
  /** OAUTH1 only. */
  oauth1?: OAuth1Definition
}

/** HTTP methods an action may use. */
export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE' | 'HEAD'

/** How an action turns its inputs into an HTTP request. */
export interface RequestDefinition {
  /** An HTTP method, or a template (`{method}`) naming an input that holds one. */
  method: HttpMethod | string
  /** Path template appended to the base URL, e.g. `/repos/{owner}/{repo}`. */
  path: string
  /** Query parameter → template. */
  query?: Record<string, string>
  /** Name of an object-valued input whose entries are all added to the query. */
  queryFrom?: string
  /** Header → template. */
  headers?: Record<string, string>
  /** Name of an object-valued input whose entries are all added as headers. */
  headersFrom?: string
  /** The request body. Omit for none. */
  body?: BodyDefinition
  /** `body` (default): `data` is the parsed response body. `envelope`: `{ status, headers, body }`. */
  response?: 'body' | 'envelope'
}

/** The body of an action request. */
export interface BodyDefinition {
  /** `json` (default) or `form` (`application/x-www-form-urlencoded`). */
  encoding?: 'json' | 'form'
  /** Inputs to send as body fields. Default: every input not used by path, query or headers. */
  fields?: string[]
  /** Name of an input whose value is the whole body (an object, or a string sent as it is). */
  from?: string
}

/** One action of an integration. */
export interface ActionDefinition {
  /** UPPER_SNAKE, at most 64 characters, unique in the integration, e.g. `GITHUB_GET_REPOSITORY`. */
  code: string
  /** Display name. */
  name: string
  /** What the action does, written so an agent can choose it. */
  description: string
  /** JSON Schema (draft 2020-12 subset) of the inputs; must be `type: object`. */
  input: Record<string, unknown>
  request: RequestDefinition
  /** Link to the provider's reference page of the endpoint this action calls. */
  docsUrl?: string
}

/** What an integration's connections talk to; see {@link IntegrationDefinition.kind}. */
export type IntegrationKind = 'http' | 'mcp'

/** One integration: a template for an external service. */
export interface IntegrationDefinition {
  /** Stable slug, lowercase letters, digits and dashes: `github`. Its marketplace path is `<supplier code>/<id>`. */
  id: string
  /** Optional 24-hex wire id; by default one is derived from `id` so it never changes. */
  modelId?: string
  name: string
  description: string
  /** Default `Patchbay`. */
  supplier?: string
  /** Default `1.0.0`. */
  version?: string
  /** Link to the service's API documentation. */
  docsUrl?: string
  /**
   * What a connection of it talks to: `http` (default), actions are HTTP requests built from the
   * definition; `mcp`, a remote MCP server whose tools are the actions (`actions` stays empty).
   */
  kind?: IntegrationKind
  /** Base URL template, e.g. `https://{subdomain}.atlassian.net`. */
  baseUrl: string
  /** Headers sent on every request (templates). */
  headers?: Record<string, string>
  /** Supported schemes, at least one. */
  auth: Partial<Record<AuthenticationSchema, SchemeDefinition>>
  actions: ActionDefinition[]
  /** Code of an action with no required inputs whose success means the credentials work ("who am I"). */
  verify?: string
  /** Default `true`: the hub adds the shared `REQUEST` proxy action; `false` opts out. */
  proxy?: boolean
  /** Set on definitions the hub generates from a dataset, e.g. `grant` (not written by hand). */
  generatedFrom?: string
  /** Trigger types: events the service can send (webhook) or the hub can poll for (docs/triggers.md). */
  triggers?: TriggerDefinition[]
}

const templateMap = {
  type: 'object',
  additionalProperties: { type: 'string' },
} as const

const inputSchema = {
  type: 'object',
  required: ['name', 'displayName', 'description'],
  additionalProperties: false,
  properties: {
    name: { type: 'string', pattern: '^[A-Za-z_][A-Za-z0-9_]{0,63}$' },
    displayName: { type: 'string', minLength: 1 },
    type: { enum: ['string', 'number', 'integer', 'boolean'] },
    description: { type: 'string' },
    required: { type: 'boolean' },
    secret: { type: 'boolean' },
    default: { type: 'string' },
    helpUrl: { type: 'string', pattern: '^https?://[^\\s]+$', maxLength: 2048 },
  },
} as const

const schemeSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    inputs: { type: 'array', items: inputSchema },
    baseUrl: { type: 'string', minLength: 1 },
    apply: {
      type: 'object',
      additionalProperties: false,
      properties: {
        headers: templateMap,
        query: templateMap,
        basic: {
          type: 'object',
          required: ['username', 'password'],
          additionalProperties: false,
          properties: { username: { type: 'string' }, password: { type: 'string' } },
        },
        awsSigV4: {
          type: 'object',
          required: ['accessKeyId', 'secretAccessKey', 'region', 'service'],
          additionalProperties: false,
          properties: {
            accessKeyId: { type: 'string', minLength: 1 },
            secretAccessKey: { type: 'string', minLength: 1 },
            sessionToken: { type: 'string' },
            region: { type: 'string', minLength: 1 },
            service: { type: 'string', minLength: 1 },
            unsignedPayload: { type: 'boolean' },
          },
        },
      },
    },
    oauth2: {
      type: 'object',
      required: ['tokenUrl'],
      additionalProperties: false,
      properties: {
        authorizationUrl: { type: 'string', minLength: 1 },
        tokenUrl: { type: 'string', minLength: 1 },
        revocationUrl: { type: 'string', minLength: 1 },
        scopes: { type: 'array', items: { type: 'string' } },
        scopeSeparator: { type: 'string' },
        authorizationParams: templateMap,
        tokenParams: templateMap,
        clientAuth: { enum: ['client_secret_basic', 'client_secret_post'] },
        pkce: { type: 'boolean' },
        grant: { anyOf: [{ enum: ['authorization_code', 'client_credentials'] }, { type: 'string', pattern: '^\\{[A-Za-z_][A-Za-z0-9_]*\\}$' }] },
        accessTokenPath: { type: 'string' },
        issuer: { type: 'string', minLength: 1 },
        defaultExpiresIn: { type: 'integer', minimum: 1 },
        fromTokenResponse: { type: 'object', propertyNames: { pattern: '^[A-Za-z_][A-Za-z0-9_]{0,63}$' }, additionalProperties: { type: 'string', minLength: 1 } },
      },
    },
    oauth1: {
      type: 'object',
      required: ['requestTokenUrl', 'authorizationUrl', 'accessTokenUrl'],
      additionalProperties: false,
      properties: {
        requestTokenUrl: { type: 'string', minLength: 1 },
        authorizationUrl: { type: 'string', minLength: 1 },
        accessTokenUrl: { type: 'string', minLength: 1 },
        signatureMethod: { enum: ['HMAC-SHA1', 'HMAC-SHA256', 'PLAINTEXT', 'RSA-SHA1'] },
        authorizationParams: templateMap,
      },
    },
  },
} as const

/**
 * JSON Schema (draft-07 compatible) of an {@link IntegrationDefinition}. The hub validates every
 * definition file against it, then checks what a schema cannot (placeholders, unique codes).
 */
export const integrationDefinitionSchema = {
  $id: 'https://patchbay.dev/schemas/integration-definition.json',
  type: 'object',
  required: ['id', 'name', 'description', 'baseUrl', 'auth', 'actions'],
  additionalProperties: false,
  properties: {
    $schema: { type: 'string' },
    id: { type: 'string', pattern: '^[a-z0-9][a-z0-9-]{0,62}$' },
    modelId: { type: 'string', pattern: '^[0-9a-f]{24}$' },
    name: { type: 'string', minLength: 1, maxLength: 100 },
    description: { type: 'string' },
    supplier: { type: 'string', minLength: 1 },
    version: { type: 'string', minLength: 1 },
    docsUrl: { type: 'string' },
    kind: { enum: ['http', 'mcp'] },
    baseUrl: { type: 'string', minLength: 1 },
    headers: templateMap,
    verify: { type: 'string', pattern: '^[A-Z][A-Z0-9_]{0,63}$' },
    proxy: { type: 'boolean' },
    generatedFrom: { type: 'string', minLength: 1 },
    triggers: { type: 'array', items: triggerDefinitionSchema },
    auth: {
      type: 'object',
      minProperties: 1,
      additionalProperties: false,
      properties: {
        BEARER_TOKEN: schemeSchema,
        OAUTH1: schemeSchema,
        OAUTH2: schemeSchema,
        API_KEY: schemeSchema,
        BASIC: schemeSchema,
        NO_AUTH: schemeSchema,
      },
    },
    actions: {
      type: 'array',
      items: {
        type: 'object',
        required: ['code', 'name', 'description', 'input', 'request'],
        additionalProperties: false,
        properties: {
          code: { type: 'string', pattern: '^[A-Z][A-Z0-9_]{0,63}$' },
          name: { type: 'string', minLength: 1 },
          description: { type: 'string', minLength: 1 },
          docsUrl: { type: 'string', minLength: 1 },
          input: {
            type: 'object',
            required: ['type'],
            properties: { type: { const: 'object' } },
          },
          request: {
            type: 'object',
            required: ['method', 'path'],
            additionalProperties: false,
            properties: {
              method: {
                anyOf: [{ enum: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD'] }, { type: 'string', pattern: '^\\{[A-Za-z_][A-Za-z0-9_]*\\}$' }],
              },
              path: { type: 'string' },
              query: templateMap,
              queryFrom: { type: 'string' },
              headers: templateMap,
              headersFrom: { type: 'string' },
              body: {
                type: 'object',
                additionalProperties: false,
                properties: {
                  encoding: { enum: ['json', 'form'] },
                  fields: { type: 'array', items: { type: 'string' } },
                  from: { type: 'string' },
                },
              },
              response: { enum: ['body', 'envelope'] },
            },
          },
        },
      },
    },
  },
} as const
