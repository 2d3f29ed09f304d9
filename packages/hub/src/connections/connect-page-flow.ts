import { ConnectionStatus, PatchbayError } from '@patchbay/core'
import type { ActionRunner } from '../actions/run-action.js'
import type { Integration } from '../catalog/catalog.js'
import type { IntegrationLookup } from '../catalog/find-integration.js'
import type { ConnectionRow } from '../store/store.js'
import { connect, type ConnectDeps } from './connect.js'
import type { ConnectSession, ConnectSessions } from './connect-sessions.js'

/** What the Connect page's flow is built with. */
export interface ConnectPageDeps extends ConnectDeps {
  sessions: ConnectSessions
  runner: ActionRunner
  findIntegration: IntegrationLookup
  /** The integrations a tenant can use (catalog and its own), for a session that allows all. */
  listIntegrations: (tenantId: string) => Promise<readonly Integration[]>
}

/** What a completed connect tells the page (and, through it, the app). */
export interface ConnectedResult {
  status: 'connected'
  connectionId: string
  /** The integration's id (slug). */
  integration: string
  endUserId: string
  /** The session's successRedirectUrl with `?connection_id=…`, when it has one. */
  redirectUrl: string | null
}

/** The answer of {@link submitConnect}: connected, or go authorise at the provider. */
export type SubmitResult = ConnectedResult | { status: 'authorize'; authorizeUrl: string }

/** The answer of {@link finishConnect}. */
export type FinishResult = ConnectedResult | { status: 'pending' } | { status: 'failed'; code: string; message: string; redirectUrl: string | null }

/**
 * The integrations a session may connect, in catalog order (remote MCP servers excluded: they are
 * connected by a tenant, not an end user).
 */
export async function sessionIntegrations(deps: ConnectPageDeps, session: ConnectSession): Promise<Integration[]> {
  if (session.allowedIntegrations) {
    const out: Integration[] = []
    for (const id of session.allowedIntegrations) {
      const i = await deps.findIntegration(session.tenantId, id)
      if (i) out.push(i)
    }
    return out
  }
  return (await deps.listIntegrations(session.tenantId)).filter((i) => i.definition.kind !== 'mcp')
}

/**
 * The integration `id` of a session, when the session allows it.
 * @throws {PatchbayError} NOT_FOUND for an unknown integration or one the session does not allow.
 */
export async function sessionIntegration(deps: ConnectPageDeps, session: ConnectSession, id: string): Promise<Integration> {
  const integration = await deps.findIntegration(session.tenantId, id)
  if (!integration || !deps.sessions.allows(session, integration) || integration.definition.kind === 'mcp') {
    throw new PatchbayError('NOT_FOUND', `This Connect session does not offer the integration ${JSON.stringify(id.slice(0, 100))}`)
  }
  return integration
}

/**
 * Runs the definition's `verify` action with a candidate connection row (its credentials exactly
 * as they would be saved); nothing is stored.
 * @throws {PatchbayError} VERIFICATION_FAILED (422) with the service's refusal (redacted).
 */
export async function verifyCredentials(runner: ActionRunner, integration: Integration, row: ConnectionRow): Promise<void> {
  const code = integration.definition.verify
  const action = code ? integration.definition.actions.find((a) => a.code === code) : undefined
  if (!action) return
  try {
    await runner.run(integration, row, action, {})
  } catch (err) {
    if (!(err instanceof PatchbayError)) throw err
    const upstream = err.details?.['upstreamStatus']
    const refusal = err.code === 'UPSTREAM_ERROR' ? (err.supplierError ?? err.message) : err.message
    throw new PatchbayError('VERIFICATION_FAILED', `${integration.definition.name} refused these credentials${upstream ? ` (HTTP ${String(upstream)})` : ''}: ${refusal}`, {
      cause: err,
      details: { verify: action.code, ...(typeof upstream === 'number' ? { upstreamStatus: upstream } : {}) },
    })
  } finally {
    runner.forget(row.id)
  }
}

/**
 * Completes the Connect page's form for `token`: connects `integration` with `scheme` and the
 * inputs for the session's end user (or re-authorises the session's connection). Static schemes
 * are verified first and the session is used up in the same step, right before the write; an
 * OAuth scheme answers the provider URL and the session stays usable until {@link finishConnect}.
 *
 * @throws {PatchbayError} SESSION_EXPIRED, SESSION_USED, NOT_FOUND, VERIFICATION_FAILED, and
 *   connect's own errors (MISSING_INPUT, VALIDATION, …); nothing is written on any of them.
 */
export async function submitConnect(deps: ConnectPageDeps, token: unknown, form: { integration: unknown; scheme: unknown; data: unknown }): Promise<SubmitResult> {
  const session = await deps.sessions.validate(token)
  if (typeof form.integration !== 'string') throw new PatchbayError('VALIDATION', 'integration is required')
  const integration = await sessionIntegration(deps, session, form.integration)
  const data = typeof form.data === 'object' && form.data !== null && !Array.isArray(form.data) ? { ...(form.data as Record<string, unknown>) } : {}
  delete data['assetId']
  if (session.reconnectConnectionId) data['assetId'] = session.reconnectConnectionId
  let claimed = false
  try {
    const result = await connect(
      deps,
      session.tenantId,
      integration,
      { authScheme: form.scheme, data },
      {
        endUser: { id: session.endUser.id, tags: session.tags },
        beforeSave: async (row) => {
          await verifyCredentials(deps.runner, integration, row)
          await deps.sessions.consume(session, row.id)
          claimed = true
        },
      },
    )
    if (result.redirectURL) {
      await deps.sessions.startConnection(session, result.id)
      return { status: 'authorize', authorizeUrl: result.redirectURL }
    }
    if (!claimed) await deps.sessions.consume(session, result.id)
    return connected(session, integration, result.id)
  } catch (err) {
    if (claimed) await deps.sessions.release(session)
    throw err
  }
}

/**
 * Where the OAuth flow a session started stands: pending, connected (the session is then used
 * up), or failed with the reason.
 * @throws {PatchbayError} SESSION_EXPIRED, SESSION_USED, NOT_FOUND, VALIDATION (no flow started).
 */
export async function finishConnect(deps: ConnectPageDeps, token: unknown): Promise<FinishResult> {
  const session = await deps.sessions.validate(token)
  if (!session.connectionId) throw new PatchbayError('VALIDATION', 'This Connect session has not started an authorization; choose an integration first')
  const row = await deps.store.getConnection(session.tenantId, session.connectionId)
  const redirectUrl = withParam(session.errorRedirectUrl, 'error', 'authorization_failed')
  if (!row) return { status: 'failed', code: 'AUTHORIZATION_FAILED', message: 'The authorization expired or was refused; start again', redirectUrl }
  if (row.version <= (session.startedVersion ?? 0)) return { status: 'pending' }
  if (row.status !== ConnectionStatus.ACTIVE) {
    return { status: 'failed', code: 'AUTHORIZATION_FAILED', message: row.status_reason ?? 'The provider did not grant access', redirectUrl }
  }
  const integration = await deps.findIntegration(session.tenantId, row.integration_id)
  await deps.sessions.consume(session, row.id)
  return connected(session, integration, row.id)
}

function connected(session: ConnectSession, integration: Integration | undefined, connectionId: string): ConnectedResult {
  return {
    status: 'connected',
    connectionId,
    integration: integration?.definition.id ?? '',
    endUserId: session.endUser.id,
    redirectUrl: withParam(session.successRedirectUrl, 'connection_id', connectionId),
  }
}

/** `url` with one more query parameter, or null without a URL. */
export function withParam(url: string | null, name: string, value: string): string | null {
  if (!url) return null
  const u = new URL(url)
  u.searchParams.set(name, value)
  return u.toString()
}
