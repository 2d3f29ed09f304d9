/**
 * `Integration`: a template for an external service. Connecting it with credentials creates a
 * connection (a `ConnectionTool`).
 *
 * @see ../../../shared/spec/aixplain-wire-contract.md §10.3
 */
import { FunctionType, isAuthenticationSchema, isOAuthSchema, ResponseStatus } from '@patchbay/core'
import type { AttributeEntry, AuthenticationSchema, AuthInputDescriptor, ConnectResult } from '@patchbay/core'
import { buildConnectorParams } from './auth-params.js'
import type { BaseAuthenticationParams } from './auth-params.js'
import { ValidationError } from './errors.js'
import { isRecord } from './http.js'
import { Model, supplierName } from './model.js'
import type { ModelInit, ModelOptions } from './model.js'
import type { ModelResponse } from './model-response.js'

/**
 * Id of aiXplain's "Remote MCP Server" integration. Connecting it sends only `{data}` (a URL
 * string or `{url}`), with no scheme, name or description.
 */
export const MCP_INTEGRATION_ID = '686eb9cd26480723d0634d3e'

/** Options of {@link Integration.connect}. */
export interface ConnectOptions extends BaseAuthenticationParams {
  /** Name, description and connector id as one object; when given, the top-level ones are ignored. */
  args?: BaseAuthenticationParams
  /**
   * The scheme's credential inputs, e.g. `{ token }`. Ignored for OAuth schemes. For the MCP
   * integration, a URL string or `{ url }`.
   */
  data?: Record<string, unknown> | string
}

/**
 * The `code` of the first attribute named `name`, or `undefined`.
 *
 * @example
 * ```ts
 * findAttribute(integration.attributes, 'auth_schemes') // '["OAUTH2","BEARER_TOKEN"]'
 * ```
 */
export function findAttribute(attributes: readonly AttributeEntry[], name: string): string | undefined {
  return attributes.find((entry) => entry.name === name)?.code
}

function parseJsonAttribute(integration: Model, name: string): unknown {
  const code = findAttribute(integration.attributes, name)
  if (code === undefined) return undefined
  try {
    return JSON.parse(code)
  } catch (cause) {
    throw new TypeError(`The integration ${integration.id} has an attribute '${name}' that is not JSON: ${code}`, {
      cause,
    })
  }
}

/** Turns a connect response's `data` into an object even when the service sent JSON text. */
function normalizeConnectResponse(response: ModelResponse<unknown>): ModelResponse<ConnectResult> {
  const data = response.data
  if (typeof data === 'string' && data !== '') {
    let parsed: unknown = data
    try {
      parsed = JSON.parse(data)
    } catch {
      // Not JSON: maybe a bare connection id (§12.7).
    }
    if (isRecord(parsed)) response.data = parsed
    else if (response.status === ResponseStatus.SUCCESS && typeof parsed === 'string') response.data = { id: parsed }
  }
  return response as ModelResponse<ConnectResult>
}

/**
 * An integration (`functionType` `connector`): a service such as GitHub or Slack that lists the
 * authentication schemes it supports. {@link Integration.connect} creates a connection.
 *
 * @example
 * ```ts
 * const github = await IntegrationFactory.get({ name: 'GitHub' })
 * github.authenticationMethods // ['OAUTH2', 'BEARER_TOKEN']
 * const res = await github.connect(AuthenticationSchema.BEARER_TOKEN, { data: { token }, name: 'My GitHub' })
 * const tool = await ModelFactory.get(res.data.id, { expect: ConnectionTool })
 * ```
 */
export class Integration extends Model {
  /** The scheme names of the `auth_schemes` attribute, e.g. `['OAUTH2', 'BEARER_TOKEN']`. */
  readonly authenticationMethods: AuthenticationSchema[]

  /**
   * @throws {TypeError} when `functionType` is not `connector`, or an attribute is not JSON.
   */
  constructor(init: ModelInit, options: ModelOptions = {}) {
    const functionType = init.functionType ?? FunctionType.INTEGRATION
    if (functionType !== FunctionType.INTEGRATION) throw new TypeError('Integration only supports connector function')
    super({ supplier: 'aiXplain', ...init, functionType }, options)
    const schemes = parseJsonAttribute(this, 'auth_schemes')
    this.authenticationMethods = Array.isArray(schemes) ? schemes.filter(isAuthenticationSchema) : []
  }

  /**
   * The credential inputs a scheme asks for (the `<SCHEME>-inputs` attribute); `[]` when the
   * attribute is absent, as for OAuth schemes.
   *
   * @example
   * ```ts
   * github.getAuthInputs(AuthenticationSchema.BEARER_TOKEN).map((input) => input.name) // ['token']
   * ```
   */
  getAuthInputs(schema: AuthenticationSchema): AuthInputDescriptor[] {
    const inputs = parseJsonAttribute(this, `${schema}-inputs`)
    return Array.isArray(inputs) ? inputs.filter((input): input is AuthInputDescriptor => isRecord(input)) : []
  }

  /**
   * Connects the integration, creating a connection (aiXplain's v1 algorithm, §10.3):
   * 1. The MCP integration ({@link MCP_INTEGRATION_ID}) sends `{data}` only (`{data: {}}` when
   *    none is given), whatever the other arguments.
   * 2. `schema` is required and must be one of {@link Integration.authenticationMethods}.
   * 3. For non-OAuth schemes every input the scheme lists must be a key of `data`, except those
   *    marked `required: false` (aiXplain's Python client demands those too); the body is
   *    `{name, description, authScheme, data}`.
   * 4. For OAuth schemes the body has no `data`; when the answer carries a `redirectURL`, the
   *    config's `onWarning` hook receives "Before using the tool, please visit the following URL
   *    to complete the connection: <url>".
   *
   * Like every run, HTTP failures resolve to a FAILED response rather than throwing. `data` is
   * `{ id, redirectURL? }` on success (parsed when the service sent it as JSON text).
   *
   * @throws {ValidationError} when the scheme is missing or unsupported, or an input is missing.
   * @throws {TypeError} when `data` is not an object for a non-OAuth scheme.
   * @example
   * ```ts
   * const res = await github.connect(AuthenticationSchema.BEARER_TOKEN, { data: { token }, name: 'My GitHub' })
   * if (res.status === ResponseStatus.SUCCESS) console.log(res.data.id)
   *
   * // OAuth: visit the URL (also passed to onWarning), then use the connection.
   * const oauth = await github.connect(AuthenticationSchema.OAUTH2, { name: 'Via OAuth' })
   * console.log(oauth.data.redirectURL)
   * ```
   * @see ../../../shared/spec/aixplain-wire-contract.md §10.3, §4.1
   */
  async connect(schema?: AuthenticationSchema, options: ConnectOptions = {}): Promise<ModelResponse<ConnectResult>> {
    if (this.id === MCP_INTEGRATION_ID) {
      return normalizeConnectResponse(await this.execute({ data: options.data ?? {} }))
    }
    const supported = JSON.stringify(this.authenticationMethods)
    if (schema === undefined || schema === null) {
      throw new ValidationError(
        `An authentication schema is required for this integration (${this.name}). ` + `Please provide an AuthenticationSchema value; supported: ${supported}.`,
      )
    }
    const args = options.args ?? buildConnectorParams(options as Record<string, unknown>)
    if (!(this.authenticationMethods as string[]).includes(schema)) {
      throw new ValidationError(`Authentication schema ${schema} is not supported for this integration. ` + `Supported authentication methods: ${supported}`)
    }
    const name = args.name ?? null
    const description = args.description ?? null

    if (isOAuthSchema(schema)) {
      // OAuth takes no credentials at connect time: the user grants access at the redirect URL.
      const response = normalizeConnectResponse(await this.execute({ name, description, authScheme: schema }))
      const redirectURL: unknown = isRecord(response.data) ? response.data.redirectURL : undefined
      if (typeof redirectURL === 'string' && redirectURL !== '') {
        this.config.onWarning(`Before using the tool, please visit the following URL to complete the connection: ${redirectURL}`)
      }
      return response
    }

    const data = options.data === undefined || options.data === '' ? {} : options.data
    if (!isRecord(data)) {
      throw new TypeError(`\`data\` must be an object of the ${schema} inputs of ${this.name}, e.g. { token: '…' }`)
    }
    // aiXplain's v1 client demands every listed input whatever its `required` flag says (§12.4);
    // an input the integration marks `required: false` (it has a default) may be left out here.
    const names = this.getAuthInputs(schema)
      .filter((input) => input.required !== false)
      .map((input) => input.name)
    for (const param of names) {
      if (Object.hasOwn(data, param)) continue
      if (names.length === 1) {
        throw new ValidationError(`Parameter '${param}' is required for ${this.name} ${schema} authentication. ` + 'Please provide the parameter in the `data` object.')
      }
      throw new ValidationError(
        `Parameters ${JSON.stringify(names)} are required for ${this.name} ${schema} authentication. ` +
          `Please provide the parameters in the \`data\` object ('${param}' is missing).`,
      )
    }
    return normalizeConnectResponse(await this.execute({ name, description, authScheme: schema, data }))
  }

  /** `Integration: <name> by <supplier name> (id=<id>)`. */
  override toString(): string {
    return `Integration: ${this.name} by ${supplierName(this.supplier)} (id=${this.id})`
  }
}
