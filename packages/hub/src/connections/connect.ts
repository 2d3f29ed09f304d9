import { ConnectionStatus, PatchbayError, isAuthenticationSchema, type AuthenticationSchema, type ConnectResult, type InputDefinition } from '@patchbay/core'
import { checkInputDepth } from '../actions/json-depth.js'
import { integrationLabel, metrics } from '../metrics/metrics.js'
import { configOf } from '../auth/oauth-endpoints.js'
import { createAuthSchemes } from '../auth/registry.js'
import type { AuthSchemes, ConnectionDraft } from '../auth/scheme.js'
import type { Integration } from '../catalog/catalog.js'
import { baseUrlTemplate, tokenResponseNames } from '../catalog/scheme-base-url.js'
import { placeholderNames, renderTemplate } from '../catalog/template.js'
import { newId } from '../ids.js'
import type { ConnectionPatch, ConnectionRow, Store } from '../store/store.js'
import { sealConnectionSecrets } from '../vault/connection-secrets.js'
import type { Vault } from '../vault/vault.js'
import { newConnectionRow } from './connection-row.js'
import { isMcpIntegration, probeMcp, type McpSessions } from './mcp.js'
import { connectionDescription, schemesOf } from './records.js'

/** The connect body of the execute endpoint (§4.1), as received. */
export interface ConnectBody {
  name?: unknown
  description?: unknown
  authScheme?: unknown
  data?: unknown
}

/** Dependencies of {@link connect}. */
export interface ConnectDeps {
  store: Store
  vault: Vault
  /** The OAuth flows, whose `schemes` are every scheme; without it OAUTH1/OAUTH2 connects are refused. */
  oauth?: { readonly schemes: AuthSchemes } | undefined
  /** Sessions with remote MCP servers (integrations of `kind: mcp`). */
  mcpClients?: McpSessions | undefined
}

/** Per-call options of {@link connect}. */
export interface ConnectOptions {
  /** The app's end user a new connection belongs to, and the tags it carries (Connect sessions). */
  endUser?: { id: string; tags?: Record<string, string> | null } | undefined
  /**
   * Called with the exact row about to be written when the connect saves working credentials
   * (ACTIVE, not an OAuth flow in progress), before anything is written: the Connect page verifies
   * the credentials here and claims its session; a throw writes nothing.
   */
  beforeSave?: ((row: ConnectionRow) => Promise<void>) | undefined
}

const MAX_NAME = 200
const MAX_INPUT_CHARS = 16_384
const STATIC_SCHEMES = createAuthSchemes()

/** What a connect is about to save, once the body is understood; the same for every scheme. */
interface Prepared {
  schema: AuthenticationSchema
  config: Record<string, unknown>
  secrets: Record<string, unknown>
  assetId: string | undefined
  /** The checked `name` of the body, undefined when blank. */
  name: string | undefined
  /** The name of a new connection when the body gives none. */
  defaultName: (id: string) => string
  /** The description of a new connection, before the scheme suffix. */
  description: string
  /** The body's own description (a reconnect keeps the existing one without it). */
  givenDescription: string | undefined
}

/**
 * Creates (or, with `data.assetId`, updates in place) a connection of `integration` for a tenant,
 * following §15.7 of the wire contract, for every scheme and kind: validate or infer the scheme
 * (or, for an MCP server, reach it), check the credential inputs, then let the scheme connect
 * (auth/scheme.ts): a static scheme saves the connection ACTIVE, an OAuth scheme saves it PENDING
 * and answers the provider URL. Secrets are stored sealed. Nothing is written unless every check
 * passes.
 *
 * @example
 * ```ts
 * const { id } = await connect({ store, vault }, tenantId, github, { authScheme: 'BEARER_TOKEN', data: { token } })
 * ```
 *
 * @throws {PatchbayError} UNSUPPORTED_SCHEME, MISSING_INPUT, VALIDATION, NAME_EXISTS, NOT_FOUND,
 *   OAUTH_APP_NOT_CONFIGURED, UPSTREAM_*.
 */
export async function connect(deps: ConnectDeps, tenantId: string, integration: Integration, body: ConnectBody, options: ConnectOptions = {}): Promise<ConnectResult> {
  const scheme = typeof body.authScheme === 'string' && Object.hasOwn(deps.oauth?.schemes ?? STATIC_SCHEMES, body.authScheme) ? body.authScheme : 'auto'
  try {
    const result = await connectOnce(deps, tenantId, integration, body, options)
    metrics.connects.inc({ integration: integrationLabel(integration), scheme, result: result.redirectURL ? 'pending' : 'active' })
    return result
  } catch (err) {
    metrics.connects.inc({ integration: integrationLabel(integration), scheme, result: 'error' })
    throw err
  }
}

async function connectOnce(deps: ConnectDeps, tenantId: string, integration: Integration, body: ConnectBody, options: ConnectOptions): Promise<ConnectResult> {
  // The limit of action inputs (issue 11 item 5): before anything walks, copies or stores `data`.
  checkInputDepth(body.data, 'data')
  const prepared = isMcpIntegration(integration) ? await prepareMcp(deps, body) : prepareHttp(deps, integration, body)
  const schemes = deps.oauth?.schemes ?? STATIC_SCHEMES
  const connectionId = prepared.assetId ?? newId()
  const result = await schemes[prepared.schema].connect({
    tenantId,
    integration,
    schema: prepared.schema,
    config: prepared.config,
    secrets: prepared.secrets,
    assetId: prepared.assetId,
    connectionId,
    save: (draft) => save(deps, tenantId, integration, prepared, connectionId, draft, options),
  })
  // A reconnected MCP server's pooled session still holds the old URL and token.
  if (prepared.assetId !== undefined && isMcpIntegration(integration)) await deps.mcpClients?.forget(prepared.assetId)
  return result
}

function prepareHttp(deps: ConnectDeps, integration: Integration, body: ConnectBody): Prepared {
  const def = integration.definition
  const data = parseData(body.data, def.name)
  const assetId = typeof data['assetId'] === 'string' ? data['assetId'] : undefined
  delete data['assetId']
  const schema = chooseScheme(integration, body.authScheme, data, deps.oauth?.schemes ?? STATIC_SCHEMES)
  const { config, secrets } = checkInputs(integration, schema, data)
  return {
    schema,
    config,
    secrets,
    assetId,
    name: checkName(body.name),
    defaultName: (id) => `${def.name} connection ${id.slice(-6)}`,
    description: ownDescription(body) ?? def.description,
    givenDescription: ownDescription(body),
  }
}

async function prepareMcp(deps: ConnectDeps, body: ConnectBody): Promise<Prepared> {
  const name = checkName(body.name)
  const mcp = await probeMcp(deps, body.data)
  return {
    schema: mcp.schema,
    config: { ...mcp.config },
    secrets: { ...mcp.secrets },
    assetId: mcp.assetId,
    name,
    defaultName: mcp.name,
    description: ownDescription(body) ?? mcp.description,
    givenDescription: ownDescription(body),
  }
}

/**
 * The one insert-or-reconnect of a connection. A reconnect (`data.assetId`) keeps the name and
 * description unless the body gives new ones, and (for a re-authorization, `keepState`) the
 * status and secrets until the flow completes.
 */
async function save(deps: ConnectDeps, tenantId: string, integration: Integration, p: Prepared, id: string, draft: ConnectionDraft, options: ConnectOptions): Promise<string> {
  if (p.assetId !== undefined) {
    const existing = await deps.store.getConnection(tenantId, p.assetId)
    if (!existing) throw new PatchbayError('NOT_FOUND', `No connection with id ${p.assetId} to update (data.assetId)`)
    if (existing.integration_id !== integration.modelId) {
      throw new PatchbayError('VALIDATION', `Connection ${p.assetId} belongs to another integration; reconnect it through its own integration`)
    }
    // A re-authorization keeps what the last token response gave (the base URL) until the next one replaces it.
    const before = configOf(existing)
    const learnt = draft.keepState ? Object.fromEntries(tokenResponseNames(integration.definition, p.schema).flatMap((k) => (k in before ? [[k, before[k]]] : []))) : {}
    const patch: ConnectionPatch = {
      name: p.name ?? existing.name,
      description: connectionDescription(p.givenDescription ?? stripSuffix(existing.description), p.schema),
      auth_scheme: p.schema,
      config: JSON.stringify(draft.config ?? { ...learnt, ...p.config }),
    }
    if (!draft.keepState) {
      patch.status = draft.status
      patch.status_reason = draft.statusReason ?? null
      patch.secrets = draft.sealed !== undefined ? draft.sealed : sealConnectionSecrets(deps.vault, tenantId, p.assetId, draft.secrets)
      if (draft.expiresAt !== undefined) patch.expires_at = draft.expiresAt
      if (draft.tokenExpiresAt !== undefined) patch.token_expires_at = draft.tokenExpiresAt
    }
    // A reconnect that saves working credentials now reports it with the change (outbox).
    const event = !draft.keepState && (draft.status ?? ConnectionStatus.ACTIVE) === ConnectionStatus.ACTIVE ? ({ type: 'connection.reauthorized' } as const) : undefined
    // The candidate at a version no cache holds, so a verify call reads these credentials.
    if (event && options.beforeSave) await options.beforeSave({ ...existing, ...patch, version: -1 })
    const updated = await deps.store.updateConnection(tenantId, p.assetId, patch, undefined, event)
    if (!updated) throw new PatchbayError('NOT_FOUND', `No connection with id ${p.assetId} to update (data.assetId)`)
    return p.assetId
  }
  const status = draft.status ?? ConnectionStatus.ACTIVE
  const row = newConnectionRow(deps.vault, {
    id,
    tenantId,
    integrationId: integration.modelId,
    name: p.name ?? p.defaultName(id),
    description: connectionDescription(p.description, p.schema),
    schema: p.schema,
    config: draft.config ?? p.config,
    ...(draft.sealed !== undefined ? { sealed: draft.sealed } : { secrets: draft.secrets ?? {} }),
    status,
    statusReason: draft.statusReason ?? null,
    expiresAt: draft.expiresAt ?? null,
    tokenExpiresAt: draft.tokenExpiresAt ?? null,
    endUserId: options.endUser?.id ?? null,
    tags: options.endUser?.tags ?? null,
  })
  if (status === ConnectionStatus.ACTIVE && options.beforeSave) await options.beforeSave(row)
  // A PENDING connection reports connection.created when its authorization completes.
  await deps.store.insertConnection(row, status === ConnectionStatus.ACTIVE ? { type: 'connection.created' } : undefined)
  return id
}

function ownDescription(body: ConnectBody): string | undefined {
  return typeof body.description === 'string' && body.description.trim() ? body.description : undefined
}

function stripSuffix(description: string): string {
  const i = description.indexOf('\n\n Authentication scheme used for this connections: ')
  return i === -1 ? description : description.slice(0, i)
}

function parseData(raw: unknown, integrationName: string): Record<string, unknown> {
  if (raw === undefined || raw === null || raw === '' || raw === ' ') return {}
  if (typeof raw === 'object' && !Array.isArray(raw)) return { ...(raw as Record<string, unknown>) }
  throw new PatchbayError(
    'VALIDATION',
    `data must be an object of credential inputs for ${integrationName}, e.g. {"token": "…"}; got ${Array.isArray(raw) ? 'an array' : typeof raw}`,
  )
}

/** §15.7a and §12.6: use the given scheme, or infer it when a v2 client sent none. */
function chooseScheme(integration: Integration, given: unknown, data: Record<string, unknown>, schemes: AuthSchemes): AuthenticationSchema {
  const supported = schemesOf(integration)
  const name = integration.definition.name
  if (given !== undefined && given !== null && given !== '') {
    if (!isAuthenticationSchema(given) || !supported.includes(given)) {
      throw new PatchbayError(
        'UNSUPPORTED_SCHEME',
        `Authentication schema \`${String(given)}\` is not supported for ${name}. Supported authentication methods: ${JSON.stringify(supported)}`,
      )
    }
    return given
  }
  if (supported.length === 1) return supported[0] as AuthenticationSchema
  const keys = Object.keys(data)
  if (keys.length === 0) {
    const oauth = supported.find((s) => schemes[s].redirects)
    if (oauth) return oauth
    if (supported.includes('NO_AUTH')) return 'NO_AUTH'
  }
  // The scheme whose required inputs are all present, preferring the one matching most keys.
  let best: { schema: AuthenticationSchema; score: number } | undefined
  for (const s of supported) {
    const inputs = integration.definition.auth[s]?.inputs ?? []
    if (inputs.length === 0 && keys.length > 0) continue
    const complete = inputs.every((i) => i.required === false || i.default !== undefined || keys.includes(i.name))
    if (!complete) continue
    const score = inputs.filter((i) => keys.includes(i.name)).length
    if (!best || score > best.score) best = { schema: s, score }
  }
  if (best) return best.schema
  throw new PatchbayError('VALIDATION', `authScheme is required: ${name} supports ${JSON.stringify(supported)} and the data given does not match one of them`)
}

function checkInputs(integration: Integration, schema: AuthenticationSchema, data: Record<string, unknown>): { config: Record<string, unknown>; secrets: Record<string, unknown> } {
  const def = integration.definition
  const inputs: InputDefinition[] = def.auth[schema]?.inputs ?? []
  const missing = inputs.filter((i) => i.required !== false && i.default === undefined && isBlank(data[i.name]))
  if (missing.length === 1) {
    const m = missing[0] as InputDefinition
    throw new PatchbayError('MISSING_INPUT', `Parameter '${m.name}' is required for ${def.name} ${schema} authentication: add it to data (${m.displayName}: ${m.description})`)
  }
  if (missing.length > 1) {
    throw new PatchbayError('MISSING_INPUT', `Parameters ${JSON.stringify(missing.map((m) => m.name))} are required for ${def.name} ${schema} authentication: add them to data`)
  }
  const config: Record<string, unknown> = {}
  const secrets: Record<string, unknown> = {}
  for (const input of inputs) {
    let value = data[input.name]
    if (isBlank(value)) {
      if (input.default === undefined) continue
      value = input.default
    }
    const type = input.type ?? 'string'
    const ok =
      type === 'string'
        ? typeof value === 'string'
        : type === 'boolean'
          ? typeof value === 'boolean'
          : typeof value === 'number' && Number.isFinite(value) && (type === 'number' || Number.isInteger(value))
    if (!ok) {
      // The value itself is never echoed: it may be a secret.
      throw new PatchbayError('VALIDATION', `Input '${input.name}' for ${def.name} ${schema} must be a ${type}; got ${typeof value}`)
    }
    if (typeof value === 'string' && value.length > MAX_INPUT_CHARS) {
      throw new PatchbayError('VALIDATION', `Input '${input.name}' is longer than ${MAX_INPUT_CHARS} characters`)
    }
    ;(input.secret ? secrets : config)[input.name] = value
  }
  // The base URL must come out as an http(s) URL from these inputs, or every action would fail
  // (one built from token response values is checked when the token arrives: token-values.ts).
  const template = baseUrlTemplate(def, schema)
  const later = tokenResponseNames(def, schema)
  const baseUrl = renderTemplate(template, (n) => config[n], String)
  if (!placeholderNames(template).some((n) => later.includes(n)) && (baseUrl === undefined || !/^https?:\/\/[^/]/.test(baseUrl) || !URL.canParse(baseUrl))) {
    throw new PatchbayError(
      'VALIDATION',
      `The inputs given do not make a valid base URL for ${def.name} (template ${template}); check ${JSON.stringify(inputs.filter((i) => !i.secret).map((i) => i.name))}`,
    )
  }
  return { config, secrets }
}

function isBlank(v: unknown): boolean {
  return v === undefined || v === null || (typeof v === 'string' && v.trim() === '')
}

/** The body's connection name, trimmed; undefined when blank (a default, or the existing name on reconnect). */
function checkName(raw: unknown): string | undefined {
  if (typeof raw === 'string' && raw.trim()) {
    const name = raw.trim()
    if (name.length > MAX_NAME) throw new PatchbayError('VALIDATION', `name must be at most ${MAX_NAME} characters`)
    return name
  }
  if (raw !== undefined && raw !== null && typeof raw !== 'string') {
    throw new PatchbayError('VALIDATION', `name must be a string; got ${typeof raw}`)
  }
  return undefined
}
