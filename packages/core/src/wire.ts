/**
 * Wire types of aiXplain's protocol, exactly as they travel (camelCase where the spec is
 * camelCase, snake_case where it is snake_case). Shared by the hub and the SDK.
 *
 * @see ../../shared/spec/aixplain-wire-contract.md §4, §5
 */
import type { AuthenticationSchema } from './auth-schema.js'

/** Backend `functionType` values relevant to integrations (§1). */
export const FunctionType = {
  AI: 'ai',
  UTILITY: 'utility',
  SEGMENTOR: 'segmentor',
  RECONSTRUCTOR: 'reconstructor',
  METRIC: 'metric',
  SEARCH: 'search',
  INTEGRATION: 'connector',
  CONNECTION: 'connection',
  MCP_CONNECTION: 'mcpconnection',
  MCP_SERVER: 'mcpserver',
} as const
/** A backend `functionType` string. */
export type FunctionType = (typeof FunctionType)[keyof typeof FunctionType]

/** Run statuses (§10.6). */
export const ResponseStatus = {
  IN_PROGRESS: 'IN_PROGRESS',
  SUCCESS: 'SUCCESS',
  FAILED: 'FAILED',
} as const
/** A run status string. */
export type ResponseStatus = (typeof ResponseStatus)[keyof typeof ResponseStatus]

/** Lifecycle state of a connection. OAuth connections start PENDING until the user grants access. */
export const ConnectionStatus = {
  PENDING: 'PENDING',
  ACTIVE: 'ACTIVE',
  EXPIRED: 'EXPIRED',
  ERROR: 'ERROR',
} as const
/** A connection lifecycle state. */
export type ConnectionStatus = (typeof ConnectionStatus)[keyof typeof ConnectionStatus]

/** `{name, code}` attribute entry as served on `sdk/models/*` (v1). `code` is JSON text. */
export interface AttributeEntry {
  name: string
  code: string
}

/** One credential input of a scheme, the parsed content of a `<SCHEME>-inputs` attribute (§5.1). */
export interface AuthInputDescriptor {
  name: string
  displayName: string
  type: string
  description: string
  required: boolean
  subtype?: string
  fileConfiguration?: { limit: number; extensions: string[] }
}

/** A model parameter spec (§5.1 `ParamSpec`). */
export interface ParamSpec {
  name: string
  required: boolean | null
  isFixed: boolean
  values: Array<{ value: unknown; label?: string }>
  defaultValues: Array<{ value: unknown }>
  availableOptions: unknown[]
  dataType: string
  dataSubType: string
  multipleValues: boolean
}

/** `{id, name, code}` supplier / vendor object. */
export interface SupplierRecord {
  id: number | string
  name: string
  code: string
}

/** The v1 model record served by `GET sdk/models/{id}` and `sdk/models/paginate` (§5.1). */
export interface ModelRecordV1 {
  id: string
  name: string
  description: string
  serviceName: string | null
  status: string
  supplier: SupplierRecord
  vendor: SupplierRecord
  host: string
  developer: string
  function: { id: string; name: string }
  functionType: FunctionType
  type: string
  pricing: { price: number; currency?: string; unitType?: string; unitTypeScale?: string }
  version: { name: string | null; id: string }
  params: ParamSpec[]
  attributes: AttributeEntry[]
  connectionType: string[]
  supportsStreaming: boolean
  createdAt: string
  updatedAt: string
  path?: string
  /** Connections only: the integration that created it. */
  parentModelId?: string
  /** Connections only. */
  actionsAvailable?: boolean
  /** Patchbay extension, connections only: lifecycle state. */
  connectionStatus?: ConnectionStatus
  /** Patchbay extension, connections only: why the state is EXPIRED or ERROR. */
  connectionStatusReason?: string | null
  /** Patchbay extension, connections only: the scheme it was connected with. */
  authScheme?: AuthenticationSchema
  /** Patchbay extension, PENDING connections only: when the authorization stops being completable (ISO 8601). */
  connectionExpiresAt?: string | null
  /** Patchbay extension, OAUTH2 connections only: when the access token expires (ISO 8601; null when unknown). */
  tokenExpiresAt?: string | null
  /** Patchbay extension, connections only: the app's end user it belongs to (Connect sessions); null for a tenant's own. */
  endUserId?: string | null
  /** Patchbay extension, connections only: the tags its Connect session gave it; null when none. */
  tags?: Record<string, string> | null
}

/** `POST sdk/models/paginate` request body (§5.6). Every field optional. */
export interface PaginateRequestV1 {
  q?: string
  pageNumber?: number
  pageSize?: number
  functions?: string[]
  suppliers?: unknown[]
  ownership?: string[]
  sort?: Array<{ dir?: number; field?: string }>
}

/** `POST sdk/models/paginate` response. */
export interface PaginateResponseV1 {
  items: ModelRecordV1[]
  total: number
  pageTotal: number
}

/** A sync execute response (§4.2). */
export interface ExecuteSuccess<T = unknown> {
  status: 'SUCCESS'
  completed: true
  data: T
  runTime?: number
  requestId?: string
}

/** A FAILED execute response in a 2xx (§4.5). */
export interface ExecuteFailure {
  status: 'FAILED'
  completed: true
  error_message: string
  errorMessage: string
  supplierError?: string
  statusCode?: number
  code?: string
  data?: unknown
}

/** The async acknowledgement (§4.3): `data` is the absolute poll URL. */
export interface ExecuteInProgress {
  status: 'IN_PROGRESS'
  completed: false
  data: string
  url: string
  requestId: string
}

/** Any execute or poll body. */
export type ExecuteResponse<T = unknown> = ExecuteSuccess<T> | ExecuteFailure | ExecuteInProgress

/** `data` of a successful connect (§4.2). */
export interface ConnectResult {
  id: string
  redirectURL?: string
}

/** A `LIST_ACTIONS` item (§8.2). */
export interface ActionSummary {
  name: string
  displayName: string
  description: string
  slug: string
}

/** A `LIST_INPUTS` input entry (§8.2 `ActionInputSpec`). */
export interface ActionInputSpec {
  name: string
  code: string
  datatype: string
  required: boolean
  description: string
  defaultValue: unknown[]
  availableOptions: unknown[]
  allowMulti: boolean
  supportsVariables: boolean
  fixed: boolean
  value: unknown[]
  /** Patchbay extension: the input's full JSON Schema. */
  schema?: Record<string, unknown>
}

/** A `LIST_INPUTS` item. */
export interface ActionInputsSpec {
  name: string
  slug: string
  displayName: string
  description: string
  inputs: ActionInputSpec[]
  /** Patchbay extension: the action's whole input JSON Schema. */
  inputSchema?: Record<string, unknown>
}

/** Description suffix the backend appends to every connection (§15.7d). */
export const CONNECTION_DESCRIPTION_SUFFIX = '\n\n Authentication scheme used for this connections: '

/** Action names with special meaning in an execute body (§4.1). */
export const ExecuteAction = {
  LIST_ACTIONS: 'LIST_ACTIONS',
  LIST_INPUTS: 'LIST_INPUTS',
  LIST_TOOLS: 'LIST_TOOLS',
} as const
