import { ConnectionStatus, PatchbayError, type ActionInputSpec, type ActionInputsSpec, type ActionSummary, type ExecuteFailure, type ExecuteSuccess } from '@patchbay/core'
import { findAction } from '../actions/run-action.js'
import type { Integration } from '../catalog/catalog.js'
import type { ConnectionRow } from '../store/store.js'

/*
 * The response bodies of the execute endpoint and the helpers both kinds of integration (HTTP,
 * MCP) answer with.
 */

export { findAction } from '../actions/run-action.js'

/** A resolved execute target: an integration (connect, discovery) or a tenant's connection. */
export type ExecuteTarget = { kind: 'integration'; integration: Integration } | { kind: 'connection'; integration: Integration; connection: ConnectionRow }

/** Wraps a result in the sync success body (§4.2). */
export function success<T>(data: T, startedAt: number): ExecuteSuccess<T> {
  return { status: 'SUCCESS', completed: true, data, runTime: (performance.now() - startedAt) / 1000 }
}

/** The 2xx FAILED body (§4.5) of an action whose service failed. */
export function failure(err: PatchbayError): ExecuteFailure {
  const body: ExecuteFailure = {
    status: 'FAILED',
    completed: true,
    error_message: err.message,
    errorMessage: err.message,
    statusCode: err.status,
    code: err.code,
  }
  if (err.supplierError !== undefined) body.supplierError = err.supplierError
  if (err.details !== undefined) body.data = { ...err.details }
  return body
}

/** LIST_ACTIONS items of an integration. */
export function actionSummary(integration: Integration): ActionSummary[] {
  return integration.definition.actions.map((a) => ({ name: a.code, displayName: a.name, description: a.description, slug: a.code }))
}

function jsonTypeOf(schema: Record<string, unknown>): string {
  const t = schema['type']
  if (typeof t === 'string') return t
  if (Array.isArray(t)) return String(t.find((x) => x !== 'null') ?? 'string')
  return 'object'
}

/** LIST_INPUTS items for the requested actions (all when none are named), matched case-insensitively (§15.8). */
export function actionInputs(integration: Integration, requested: unknown): ActionInputsSpec[] {
  const names = Array.isArray(requested) ? requested.filter((n): n is string => typeof n === 'string') : []
  const actions = names.length ? names.map((n) => findAction(integration, n)) : integration.definition.actions
  return actions.map((a) => {
    const properties = (a.input['properties'] ?? {}) as Record<string, Record<string, unknown>>
    const required = new Set((a.input['required'] ?? []) as string[])
    const inputs: ActionInputSpec[] = Object.entries(properties).map(([code, schema]) => ({
      name: typeof schema['title'] === 'string' ? schema['title'] : code,
      code,
      datatype: jsonTypeOf(schema),
      required: required.has(code),
      description: typeof schema['description'] === 'string' ? schema['description'] : '',
      defaultValue: schema['default'] !== undefined ? [schema['default']] : [],
      availableOptions: Array.isArray(schema['enum']) ? schema['enum'].map((v) => ({ value: v, label: String(v) })) : [],
      allowMulti: jsonTypeOf(schema) === 'array',
      supportsVariables: false,
      fixed: false,
      value: [],
      schema,
    }))
    return { name: a.code, slug: a.code, displayName: a.name, description: a.description, inputs, inputSchema: a.input }
  })
}

/**
 * The CONNECTION_NOT_ACTIVE error of a connection that is PENDING, EXPIRED or in ERROR: its state,
 * the stored reason once (never restated), and what to do.
 */
export function notActive(c: ConnectionRow): PatchbayError {
  // Reasons written by the refresh end in "; reconnect": the advice follows anyway.
  const reason = c.status_reason?.replace(/;\s*reconnect\.?$/i, '').trim()
  if (c.status === ConnectionStatus.PENDING) {
    return new PatchbayError(
      'CONNECTION_NOT_ACTIVE',
      `Connection ${c.id} is not usable yet: it is PENDING until the user grants access at the provider. Open the redirectURL returned at connect, grant access, then run the action again`,
    )
  }
  const state = c.status === ConnectionStatus.EXPIRED ? 'has EXPIRED' : 'is in ERROR'
  return new PatchbayError('CONNECTION_NOT_ACTIVE', `Connection ${c.id} ${state}${reason ? ` (${reason})` : ''}; reconnect it (connect again with data.assetId set to ${c.id})`)
}
