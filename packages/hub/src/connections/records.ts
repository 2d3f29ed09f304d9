import {
  AUTHENTICATION_SCHEMAS,
  CONNECTION_DESCRIPTION_SUFFIX,
  type AttributeEntry,
  type AuthInputDescriptor,
  type AuthenticationSchema,
  type ConnectionStatus,
  type ModelRecordV1,
  type ParamSpec,
  refreshesTokens,
} from '@patchbay/core'
import { supplierCode, type Integration } from '../catalog/catalog.js'
import type { ConnectionRow } from '../store/store.js'

/** Catalog entries have no creation time of their own; a fixed one keeps records stable. */
const CATALOG_EPOCH = '2026-01-01T00:00:00.000Z'

const cache = new WeakMap<Integration, { schemes: AuthenticationSchema[]; attributes: AttributeEntry[] }>()

/** The schemes an integration supports, in the canonical order. */
export function schemesOf(integration: Integration): AuthenticationSchema[] {
  return describe(integration).schemes
}

/** The wire descriptors of a scheme's inputs (§5.1 `AuthInputDescriptor`). */
export function inputDescriptors(integration: Integration, schema: AuthenticationSchema): AuthInputDescriptor[] {
  return (integration.definition.auth[schema]?.inputs ?? []).map((i) => ({
    name: i.name,
    displayName: i.displayName,
    type: i.type ?? 'string',
    description: i.description,
    required: i.required ?? true,
  }))
}

function describe(integration: Integration) {
  let d = cache.get(integration)
  if (!d) {
    const schemes = AUTHENTICATION_SCHEMAS.filter((s) => integration.definition.auth[s] !== undefined)
    const attributes: AttributeEntry[] = [{ name: 'auth_schemes', code: JSON.stringify(schemes) }]
    // v1 requires a `<SCHEME>-inputs` attribute for every listed scheme, "[]" when it has none.
    for (const s of schemes) attributes.push({ name: `${s}-inputs`, code: JSON.stringify(inputDescriptors(integration, s)) })
    if (integration.definition.generatedFrom) attributes.push({ name: 'generated_from', code: JSON.stringify(integration.definition.generatedFrom) })
    d = { schemes, attributes }
    cache.set(integration, d)
  }
  return d
}

function param(name: string, dataSubType: string): ParamSpec {
  return {
    name,
    required: true,
    isFixed: false,
    values: [],
    defaultValues: [],
    availableOptions: [],
    dataType: 'text',
    dataSubType,
    multipleValues: false,
  }
}

const CONNECTION_PARAMS: ParamSpec[] = [param('action', 'text'), param('data', 'json')]

function base(integration: Integration) {
  const code = supplierCode(integration.supplier)
  const supplier = { id: code, name: integration.supplier, code }
  return {
    serviceName: null,
    supplier,
    vendor: supplier,
    host: 'Patchbay',
    developer: integration.supplier,
    function: { id: 'utilities', name: 'Utilites' },
    type: 'regular',
    pricing: { price: 0, currency: 'USD' },
    version: { name: null, id: integration.definition.id },
    connectionType: ['synchronous'],
    supportsStreaming: false,
  }
}

/**
 * The v1 record of an integration (§5.1): `functionType: connector`, `params: []` (so v2's
 * connect body always validates, §7.3), attributes as a list of `{name, code}` JSON strings.
 */
export function integrationRecord(integration: Integration): ModelRecordV1 {
  const def = integration.definition
  return {
    id: integration.modelId,
    name: def.name,
    description: def.description,
    status: 'onboarded',
    ...base(integration),
    functionType: 'connector',
    params: [],
    attributes: describe(integration).attributes,
    createdAt: CATALOG_EPOCH,
    updatedAt: CATALOG_EPOCH,
    path: integration.path,
  }
}

const ASSET_STATUS: Record<ConnectionStatus, string> = {
  PENDING: 'pending',
  ACTIVE: 'onboarded',
  EXPIRED: 'failed',
  ERROR: 'failed',
}

/** The description a connection is served with: its own text plus aiXplain's scheme suffix. */
export function connectionDescription(description: string, schema: string): string {
  return `${description}${CONNECTION_DESCRIPTION_SUFFIX}${schema}`
}

/**
 * The v1 record of a connection: `functionType: connection`, the `action`/`data` params,
 * `parentModelId`, and Patchbay's lifecycle fields (`connectionStatus`, `connectionStatusReason`).
 */
export function connectionRecord(row: ConnectionRow, integration: Integration): ModelRecordV1 {
  const status = row.status as ConnectionStatus
  return {
    id: row.id,
    name: row.name,
    description: row.description,
    status: ASSET_STATUS[status] ?? 'failed',
    ...base(integration),
    // A remote MCP server's connection is an `mcpconnection` (aiXplain's clients pick MCPConnection by it).
    functionType: integration.definition.kind === 'mcp' ? 'mcpconnection' : 'connection',
    params: CONNECTION_PARAMS,
    attributes: describe(integration).attributes,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    parentModelId: integration.modelId,
    actionsAvailable: true,
    connectionStatus: status,
    connectionStatusReason: row.status_reason,
    authScheme: row.auth_scheme as AuthenticationSchema,
    ...(row.status === 'PENDING' ? { connectionExpiresAt: row.expires_at } : {}),
    ...(refreshesTokens(row.auth_scheme) ? { tokenExpiresAt: row.token_expires_at } : {}),
    endUserId: row.end_user_id ?? null,
    tags: parseTags(row.tags),
  }
}

/** The stored tags of a connection (JSON text), or null. */
function parseTags(raw: string | null | undefined): Record<string, string> | null {
  if (!raw) return null
  try {
    return JSON.parse(raw) as Record<string, string>
  } catch {
    return null
  }
}
