import { randomUUID } from 'node:crypto'
import { ConnectionStatus, ExecuteAction, PatchbayError, type ExecuteFailure, type ExecuteInProgress, type ExecuteSuccess } from '@patchbay/core'
import { checkInputDepth } from '../actions/json-depth.js'
import type { ActionRunner } from '../actions/run-action.js'
import type { OAuthService } from '../auth/oauth.js'
import type { Catalog } from '../catalog/catalog.js'
import { integrationLookup } from '../catalog/find-integration.js'
import type { TenantIntegrations } from '../catalog/tenant-integrations.js'
import { triggerTypes } from '../catalog/trigger-types.js'
import type { Store } from '../store/store.js'
import type { Vault } from '../vault/vault.js'
import { connect } from './connect.js'
import type { ConnectSessions } from './connect-sessions.js'
import { authRequiredFailure, createAuthRequired, findEndUserConnection, readEndUserId } from './hand-off.js'
import { actionInputs, actionSummary, failure, findAction, notActive, success, type ExecuteTarget } from './execute-results.js'
import { executeMcp, isMcpIntegration, type McpSessions } from './mcp.js'
import type { RunLog, RunRecord } from './run-log.js'

export { actionInputs, failure, success, type ExecuteTarget } from './execute-results.js'

/** Dependencies of the execute endpoint. */
export interface ExecuteDeps {
  store: Store
  vault: Vault
  catalog: Catalog
  runner: ActionRunner
  /** OAuth flows for OAUTH1/OAUTH2 connects. */
  oauth?: OAuthService
  /** Asynchronous runs still working, so a graceful stop can wait for them. */
  backgroundRuns?: Set<Promise<void>>
  /** Clients of remote MCP servers (the MCP Server integration). */
  mcpClients?: McpSessions | undefined
  /** Integrations tenants registered at run time. */
  tenantIntegrations?: TenantIntegrations | undefined
  /** The log of every action run; undefined: not logged. */
  runLog?: RunLog | undefined
  /** Connect sessions, for the hand-off links of end-user runs (docs/agents.md). */
  connectSessions?: ConnectSessions | undefined
  /** The hub's configured public URL, when there is one (else links use the request's host). */
  publicUrl?: (() => string | undefined) | undefined
}

/** Who asked for a run: the caller's key id, recorded in the run log, and the hub URL it used. */
export interface RunCaller {
  keyId?: string | undefined
  /** The hub's public base URL as the caller reaches it: the base of hand-off Connect links. */
  baseUrl?: string | undefined
}

const DISCOVERY_ACTIONS: readonly unknown[] = [ExecuteAction.LIST_ACTIONS, ExecuteAction.LIST_INPUTS, 'LIST_TOOLS', 'list_trigger_types']

/** Whether an execute body on an integration is an action run for one of the app's end users. */
export function isEndUserRun(target: ExecuteTarget, body: Record<string, unknown>): boolean {
  return target.kind === 'integration' && body['endUserId'] !== undefined && typeof body['action'] === 'string' && !DISCOVERY_ACTIONS.includes(body['action'])
}

/**
 * Resolves an execute/record id for a tenant: a catalog integration (by 24-hex id or path), else
 * the tenant's own connection. Another tenant's connection answers exactly like an unknown id.
 */
export async function resolveTarget(deps: Pick<ExecuteDeps, 'store' | 'catalog' | 'tenantIntegrations'>, tenantId: string, id: string): Promise<ExecuteTarget> {
  const integration = deps.catalog.get(id)
  if (integration) return { kind: 'integration', integration }
  if (/^[0-9a-f]{24}$/.test(id)) {
    // The common case, a row known current and a catalog integration, without a promise.
    const connection = deps.store.currentConnection(tenantId, id) ?? (await deps.store.getConnection(tenantId, id))
    if (connection) {
      const parent = deps.catalog.get(connection.integration_id) ?? (await integrationLookup(deps.catalog, deps.tenantIntegrations)(tenantId, connection.integration_id))
      if (parent) return { kind: 'connection', integration: parent, connection }
      throw new PatchbayError(
        'NOT_FOUND',
        `Connection ${id} belongs to integration ${connection.integration_id}, which is no longer in the catalog; restore its definition or delete the connection`,
      )
    }
  }
  const own = await deps.tenantIntegrations?.get(tenantId, id)
  if (own) return { kind: 'integration', integration: own }
  throw new PatchbayError('NOT_FOUND', `No integration or connection with id ${id}; list integrations with POST /sdk/models/paginate`)
}

/** Whether an execute body asks for discovery rather than a connect or an action run. */
function discovery(target: ExecuteTarget, action: unknown, data: unknown): ExecuteSuccess<unknown> | undefined {
  const started = performance.now()
  switch (action) {
    case ExecuteAction.LIST_ACTIONS:
      return success(actionSummary(target.integration), started)
    case ExecuteAction.LIST_INPUTS: {
      const requested = typeof data === 'object' && data !== null ? (data as { actions?: unknown }).actions : undefined
      return success(actionInputs(target.integration, requested), started)
    }
    case 'list_trigger_types':
      return success(triggerTypes(target.integration.definition), started)
    default:
      return undefined
  }
}

/**
 * Handles one execute body (§15.6): on an integration id, a connect or discovery; on a connection
 * id, discovery or an action run. Returns the response body; throws {@link PatchbayError} for
 * requests that are wrong (mapped to a non-2xx by the error handler). A service's own failure is
 * a 2xx FAILED body, as aiXplain's clients expect.
 */
export async function execute(
  deps: ExecuteDeps,
  tenantId: string,
  target: ExecuteTarget,
  body: Record<string, unknown>,
  caller?: RunCaller,
): Promise<ExecuteSuccess | ExecuteFailure> {
  const started = performance.now()
  const endUserId = readEndUserId(body['endUserId'])
  if (endUserId !== undefined && isEndUserRun(target, body)) {
    // The run goes to this end user's own connection, never another's; without one, a Connect link.
    const { endUserId: _, ...rest } = body
    const found = await findEndUserConnection(deps.store, tenantId, target.integration, endUserId)
    if (found.active) return execute(deps, tenantId, { kind: 'connection', integration: target.integration, connection: found.active }, rest, caller)
    const baseUrl = caller?.baseUrl
    if (!baseUrl) throw new PatchbayError('INTERNAL', 'An end-user run needs the hub URL of the caller to make a Connect link')
    return authRequiredFailure(await createAuthRequired(deps, tenantId, target.integration, endUserId, baseUrl, found.stale))
  }
  if (endUserId !== undefined && target.kind === 'connection' && target.connection.end_user_id !== endUserId) {
    // Another end user's connection answers exactly like an unknown id.
    throw new PatchbayError(
      'NOT_FOUND',
      `No connection ${target.connection.id} for end user ${endUserId}; run on the integration id with endUserId to use that user's own connection`,
    )
  }
  const endUser = endUserId !== undefined && target.kind === 'integration' ? { endUser: { id: endUserId } } : {}
  if (isMcpIntegration(target.integration)) return executeMcp(deps, target, body, () => connect(deps, tenantId, target.integration, body, endUser))
  const found = discovery(target, body['action'], body['data'])
  if (found) return found
  const action = body['action']
  if (target.kind === 'integration') {
    if (action !== undefined && action !== null) {
      throw new PatchbayError(
        'VALIDATION',
        `${target.integration.definition.name} is an integration: connect it first (POST with {authScheme, data}), then run '${String(action)}' on the connection id`,
      )
    }
    return success(await connect(deps, tenantId, target.integration, body, endUser), started)
  }
  if (typeof action !== 'string' || action === '') {
    throw new PatchbayError('VALIDATION', 'action is required: send {"action": "<ACTION_CODE>", "data": {…}}; list the codes with {"action": "LIST_ACTIONS"}')
  }
  const { connection, integration } = target
  if (connection.status !== ConnectionStatus.ACTIVE) {
    // An end user's expired connection: the hand-off, a link for that user to re-authorise it.
    const stale = connection.status === ConnectionStatus.EXPIRED || connection.status === ConnectionStatus.ERROR
    if (stale && connection.end_user_id && deps.connectSessions && caller?.baseUrl) {
      return authRequiredFailure(await createAuthRequired(deps, tenantId, integration, connection.end_user_id, caller.baseUrl, connection))
    }
    // A 2xx FAILED body: aiXplain's SDKs show its error_message as it is, where a 409 became
    // "Unspecified Client Error (Status 409)" in the v1 SDK.
    return failure(notActive(connection))
  }
  const definition = findAction(integration, action)
  checkInputDepth(body['data'], 'data')
  const observed: { httpStatus?: number } = {}
  const log = deps.runLog
  try {
    const data = await deps.runner.run(integration, connection, definition, body['data'], observed)
    const ok = success(data, started)
    log?.record(runOf(tenantId, target, definition.code, caller, started, observed, 'SUCCESS', body['data'], data))
    return ok
  } catch (err) {
    const e = err instanceof PatchbayError ? err : undefined
    const run = runOf(tenantId, target, definition.code, caller, started, observed, 'FAILED', body['data'], undefined)
    run.errorCode = e?.code ?? 'INTERNAL'
    run.errorMessage = e?.message ?? 'Internal error'
    log?.record(run)
    if (e && (e.code === 'UPSTREAM_ERROR' || e.code === 'UPSTREAM_UNREACHABLE' || e.code === 'CONNECTION_NOT_ACTIVE')) return failure(e)
    throw err
  }
}

function runOf(
  tenantId: string,
  target: ExecuteTarget & { kind: 'connection' },
  action: string,
  caller: RunCaller | undefined,
  started: number,
  observed: { httpStatus?: number },
  status: RunRecord['status'],
  input: unknown,
  output: unknown,
): RunRecord {
  return {
    tenantId,
    connectionId: target.connection.id,
    integrationId: target.integration.definition.id,
    action,
    status,
    keyId: caller?.keyId,
    httpStatus: observed.httpStatus,
    durationMs: performance.now() - started,
    errorCode: undefined,
    errorMessage: undefined,
    input,
    output,
  }
}

/**
 * Starts an action asynchronously (the v1 execute path): records the run, answers the
 * IN_PROGRESS acknowledgement with an absolute poll URL (§4.3, §15.10), and completes it in the
 * background. Errors are stored as FAILED poll bodies, never thrown into the void.
 */
export async function executeAsync(
  deps: ExecuteDeps,
  tenantId: string,
  target: ExecuteTarget,
  body: Record<string, unknown>,
  pollBase: string,
  onError: (err: unknown) => void,
  caller?: RunCaller,
): Promise<ExecuteInProgress> {
  const id = randomUUID()
  await deps.store.insertRun({ id, tenant_id: tenantId, status: 'IN_PROGRESS', result: null, created_at: new Date().toISOString(), completed_at: null })
  const work = (async () => {
    let result: ExecuteSuccess | ExecuteFailure
    try {
      result = await execute(deps, tenantId, target, body, caller)
    } catch (err) {
      const e = err instanceof PatchbayError ? err : new PatchbayError('INTERNAL', 'The run failed unexpectedly; see the hub log', { cause: err })
      if (!(err instanceof PatchbayError)) onError(err)
      result = failure(e)
    }
    try {
      await deps.store.completeRun(id, result.status, result)
    } catch (err) {
      // The result could not be stored (e.g. a value JSON cannot write): the run still ends, FAILED,
      // rather than staying IN_PROGRESS until a poll blames a restart.
      onError(err)
      const why = new PatchbayError(
        'UPSTREAM_ERROR',
        `The run finished but its result could not be stored (${(err as Error).message.slice(0, 200)}); run it synchronously with POST /api/v2/execute/{id} to see it`,
      )
      await deps.store.completeRun(id, 'FAILED', failure(why))
    }
  })().catch(onError)
  // A graceful stop waits for these (see the server's onClose hook).
  deps.backgroundRuns?.add(work)
  void work.finally(() => deps.backgroundRuns?.delete(work))
  const url = `${pollBase}/api/v1/data/${id}`
  return { status: 'IN_PROGRESS', completed: false, data: url, url, requestId: id }
}
