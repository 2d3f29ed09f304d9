import {
  ConnectionStatus,
  PatchbayError,
  isAuthenticationSchema,
  isOAuthSchema,
  type AuthenticationSchema,
  type ConnectResult,
  type InputDefinition,
} from '@patchbay/core'
import type { Integration } from '../catalog/catalog.js'
import { connectionDescription, schemesOf } from '../http/records.js'
import { newId } from '../ids.js'
import type { Store } from '../store/store.js'
import type { Vault } from '../vault/vault.js'
import { renderTemplate } from '../actions/template.js'
import { newConnectionRow } from './connection-row.js'
import type { OAuthService } from '../auth/oauth.js'

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
  /** OAuth flows; without it OAUTH1/OAUTH2 connects are refused. */
  oauth?: OAuthService
}

const MAX_NAME = 200
const MAX_INPUT_CHARS = 16_384

/**
 * Creates (or, with `data.assetId`, updates in place) a connection of `integration` for a tenant,
 * following §15.7 of the wire contract: validate or infer the scheme, check the credential inputs,
 * store secrets sealed, and answer the new id. Nothing is written unless every check passes.
 *
 * @throws {PatchbayError} UNSUPPORTED_SCHEME, MISSING_INPUT, VALIDATION, NAME_EXISTS, NOT_FOUND.
 */
export async function connect(
  deps: ConnectDeps,
  tenantId: string,
  integration: Integration,
  body: ConnectBody,
): Promise<ConnectResult> {
  const def = integration.definition
  const data = parseData(body.data, def.name)
  const assetId = typeof data['assetId'] === 'string' ? data['assetId'] : undefined
  delete data['assetId']
  const schema = chooseScheme(integration, body.authScheme, data)
  const { config, secrets } = checkInputs(integration, schema, data)
  if (isOAuthSchema(schema)) {
    if (!deps.oauth) throw new PatchbayError('UNSUPPORTED_SCHEME', `${schema} is not enabled on this hub`)
    const own = typeof body.description === 'string' && body.description.trim() ? body.description : def.description
    return deps.oauth.connect(tenantId, integration, {
      schema,
      name: assetId !== undefined && !(typeof body.name === 'string' && body.name.trim()) ? await existingName(deps, tenantId, assetId) : connectionName(body.name, def.name),
      description: connectionDescription(own, schema),
      config,
      secrets,
      ...(assetId !== undefined ? { assetId } : {}),
    })
  }

  if (assetId !== undefined) return reconnect(deps, tenantId, integration, assetId, body, schema, config, secrets)

  const name = connectionName(body.name, def.name)
  const id = newId()
  const own = typeof body.description === 'string' && body.description.trim() ? body.description : def.description
  const row = newConnectionRow(deps.vault, {
    id,
    tenantId,
    integrationId: integration.modelId,
    name,
    description: connectionDescription(own, schema),
    schema,
    config,
    secrets,
  })
  await deps.store.insertConnection(row)
  return { id }
}

async function reconnect(
  deps: ConnectDeps,
  tenantId: string,
  integration: Integration,
  id: string,
  body: ConnectBody,
  schema: AuthenticationSchema,
  config: Record<string, unknown>,
  secrets: Record<string, unknown>,
): Promise<ConnectResult> {
  const existing = await deps.store.getConnection(tenantId, id)
  if (!existing) throw new PatchbayError('NOT_FOUND', `No connection with id ${id} to update (data.assetId)`)
  if (existing.integration_id !== integration.modelId) {
    throw new PatchbayError('VALIDATION', `Connection ${id} belongs to another integration; reconnect it through its own integration`)
  }
  // An empty name means "keep the name" (§8.4 update: the PUT already stored it).
  const name = typeof body.name === 'string' && body.name.trim() ? connectionName(body.name, '') : existing.name
  const updated = await deps.store.updateConnection(tenantId, id, {
    name,
    auth_scheme: schema,
    status: ConnectionStatus.ACTIVE,
    status_reason: null,
    config: JSON.stringify(config),
    secrets: Object.keys(secrets).length ? deps.vault.seal(secrets, { tenantId, connectionId: id }) : null,
    description: connectionDescription(stripSuffix(existing.description), schema),
  })
  if (!updated) throw new PatchbayError('NOT_FOUND', `No connection with id ${id} to update (data.assetId)`)
  return { id }
}

async function existingName(deps: ConnectDeps, tenantId: string, id: string): Promise<string> {
  const row = await deps.store.getConnection(tenantId, id)
  if (!row) throw new PatchbayError('NOT_FOUND', `No connection with id ${id} to update (data.assetId)`)
  return row.name
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
function chooseScheme(integration: Integration, given: unknown, data: Record<string, unknown>): AuthenticationSchema {
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
    const oauth = supported.find(isOAuthSchema)
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
  throw new PatchbayError(
    'VALIDATION',
    `authScheme is required: ${name} supports ${JSON.stringify(supported)} and the data given does not match one of them`,
  )
}

function checkInputs(
  integration: Integration,
  schema: AuthenticationSchema,
  data: Record<string, unknown>,
): { config: Record<string, unknown>; secrets: Record<string, unknown> } {
  const def = integration.definition
  const inputs: InputDefinition[] = def.auth[schema]?.inputs ?? []
  const missing = inputs.filter((i) => i.required !== false && i.default === undefined && isBlank(data[i.name]))
  if (missing.length === 1) {
    const m = missing[0] as InputDefinition
    throw new PatchbayError(
      'MISSING_INPUT',
      `Parameter '${m.name}' is required for ${def.name} ${schema} authentication: add it to data (${m.displayName}: ${m.description})`,
    )
  }
  if (missing.length > 1) {
    throw new PatchbayError(
      'MISSING_INPUT',
      `Parameters ${JSON.stringify(missing.map((m) => m.name))} are required for ${def.name} ${schema} authentication: add them to data`,
    )
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
  // The base URL must come out as an http(s) URL from these inputs, or every action would fail.
  const baseUrl = renderTemplate(def.baseUrl, (n) => config[n], String)
  if (baseUrl === undefined || !/^https?:\/\/[^/]/.test(baseUrl) || !URL.canParse(baseUrl)) {
    throw new PatchbayError(
      'VALIDATION',
      `The inputs given do not make a valid base URL for ${def.name} (template ${def.baseUrl}); check ${JSON.stringify(
        inputs.filter((i) => !i.secret).map((i) => i.name),
      )}`,
    )
  }
  return { config, secrets }
}

function isBlank(v: unknown): boolean {
  return v === undefined || v === null || (typeof v === 'string' && v.trim() === '')
}

function connectionName(raw: unknown, integrationName: string): string {
  if (typeof raw === 'string' && raw.trim()) {
    const name = raw.trim()
    if (name.length > MAX_NAME) throw new PatchbayError('VALIDATION', `name must be at most ${MAX_NAME} characters`)
    return name
  }
  if (raw !== undefined && raw !== null && typeof raw !== 'string') {
    throw new PatchbayError('VALIDATION', `name must be a string; got ${typeof raw}`)
  }
  return `${integrationName} connection ${newId().slice(-6)}`
}
