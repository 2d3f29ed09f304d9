import { isAuthenticationSchema, isOAuthSchema, PatchbayError } from '@patchbay/core'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { connect } from '../../../connections/connect.js'
import { resolveTarget } from '../../../connections/execute.js'
import type { ConnectionRow } from '../../../store/store.js'
import { deleteConnection } from '../../../connections/delete-connection.js'
import { html, when, type SafeHtml } from './html.js'
import { doneMessage, type DashboardKit } from './kit.js'
import { csrfField, page, postButton, secretValue, table, url } from './layout.js'

const LISTED = 100

/** Columns another part of the hub may add to a connection (Connect sessions); shown only when present. */
function optional(row: ConnectionRow, column: 'end_user_id' | 'tags'): string | null | undefined {
  const v = (row as unknown as Record<string, unknown>)[column]
  return typeof v === 'string' || v === null ? v : undefined
}

function tagsText(raw: string | null | undefined): string {
  if (!raw) return '—'
  try {
    const tags = JSON.parse(raw) as unknown
    if (tags && typeof tags === 'object')
      return Object.entries(tags as Record<string, unknown>)
        .map(([k, v]) => `${k}=${String(v)}`)
        .join(', ')
  } catch {
    // Not JSON: show it as stored.
  }
  return raw
}

/**
 * Connections: status, end user and tags (when the records carry them), created, last used and
 * last error (from the run log), a reconnect form, and delete behind a confirmation page.
 */
export function registerConnectionsView(app: FastifyInstance, kit: DashboardKit): void {
  const { deps } = kit
  const hidden = { schema: { hide: true } }

  app.get('/connections', hidden, async (req, reply) => {
    const tenantId = kit.caller(req).tenantId
    const { rows, total } = await deps.store.listConnections(tenantId, { offset: 0, limit: LISTED })
    const withEndUser = rows.some((r) => optional(r, 'end_user_id') !== undefined)
    const withTags = rows.some((r) => optional(r, 'tags') !== undefined)
    const ctx = kit.context(req, reply, 'connections', { notice: doneMessage(req.query) })
    const lines: SafeHtml[] = []
    for (const r of rows) {
      const [last] = await deps.store.runLog.listRunLog(tenantId, { connection: r.id, limit: 1 })
      const [failed] = await deps.store.runLog.listRunLog(tenantId, { connection: r.id, status: 'FAILED', limit: 1 })
      const lastError = r.status_reason ?? (failed ? `${failed.error_code ?? 'FAILED'}: ${failed.error_message ?? ''} (${when(failed.created_at)})` : null)
      const name = r.name
      lines.push(html`<tr><td>${name}<br><code>${r.id}</code></td><td>${deps.catalog.get(r.integration_id)?.definition.name ?? r.integration_id}</td><td><span class="status-${r.status}">${r.status}</span></td>${withEndUser ? html`<td>${optional(r, 'end_user_id') ?? '—'}</td>` : ''}${withTags ? html`<td>${tagsText(optional(r, 'tags'))}</td>` : ''}<td>${when(r.created_at)}</td><td>${when(last?.created_at)}</td><td>${lastError ?? '—'}</td>
<td><a href="${url(`connections/${r.id}/reconnect`)}" aria-label="Reconnect ${name}">Reconnect</a> · <a href="${url(`connections/${r.id}/delete`)}" aria-label="Delete ${name}">Delete</a></td></tr>`)
    }
    const head = ['Name', 'Integration', 'Status', ...(withEndUser ? ['End user'] : []), ...(withTags ? ['Tags'] : []), 'Created', 'Last used', 'Last error', 'Actions']
    const body = html`<p>${total} connection${total === 1 ? '' : 's'}${total > LISTED ? `; the newest ${LISTED} are listed` : ''}.</p>${table('Connections', head, lines, 'No connections yet: connect an integration through the API, the SDK or the Connect page.')}`
    return kit.send(reply, page(ctx, 'Connections', body))
  })

  const connectionOf = async (req: FastifyRequest<{ Params: { id: string } }>) => {
    const target = await resolveTarget(deps, kit.caller(req).tenantId, req.params.id)
    if (target.kind !== 'connection') throw new PatchbayError('NOT_FOUND', `No connection ${req.params.id}`)
    return target
  }

  app.get<{ Params: { id: string } }>('/connections/:id/delete', hidden, async (req, reply) => {
    const { connection } = await connectionOf(req)
    const ctx = kit.context(req, reply, 'connections')
    const body = html`<p>Delete the connection <strong>${connection.name}</strong> (<code>${connection.id}</code>)? Its credentials are erased (OAuth tokens are revoked at the provider when it supports it) and agents lose its tools. This cannot be undone.</p>
<p>${postButton(ctx, url(`connections/${connection.id}/delete`), 'Delete connection', { className: 'danger' })} <a class="button secondary" href="${url('connections')}">Cancel</a></p>`
    return kit.send(reply, page(ctx, 'Delete connection?', body))
  })

  app.post<{ Params: { id: string } }>('/connections/:id/delete', hidden, async (req, reply) => {
    const { integration, connection } = await connectionOf(req)
    await deleteConnection(deps, kit.caller(req).tenantId, integration, connection)
    return kit.redirect(reply, 'connections?done=connection-deleted')
  })

  const reconnectPage = async (req: FastifyRequest<{ Params: { id: string } }>, reply: FastifyReply, extra: { error?: string; status?: number; redirectUrl?: string } = {}) => {
    const { integration, connection } = await connectionOf(req)
    const scheme = connection.auth_scheme
    const inputs = isAuthenticationSchema(scheme) ? (integration.definition.auth[scheme]?.inputs ?? []) : []
    const config = JSON.parse(connection.config || '{}') as Record<string, unknown>
    const ctx = kit.context(req, reply, 'connections', { error: extra.error })
    const oauth = isAuthenticationSchema(scheme) && isOAuthSchema(scheme)
    const fields = inputs.map(
      (i) =>
        html`<div><label for="in-${i.name}">${i.displayName}${i.secret ? html` <span class="hint">(secret: enter it again)</span>` : ''}</label><input id="in-${i.name}" name="in.${i.name}" type="${i.secret ? 'password' : 'text'}" autocomplete="off" value="${i.secret ? '' : String(config[i.name] ?? '')}" aria-describedby="hint-${i.name}"><span id="hint-${i.name}" class="hint">${i.description}</span></div>`,
    )
    const body = extra.redirectUrl
      ? html`<p>The connection waits for the user to grant access again. Open this link (or send it to the connection’s user); the connection is ACTIVE again once they approve.</p>${secretValue('reconnect-url', 'Reconnect link', extra.redirectUrl)}<p><a href="${extra.redirectUrl}" rel="noreferrer">Continue to ${integration.definition.name}</a></p>`
      : html`<p>Reconnect <strong>${connection.name}</strong> (${integration.definition.name}, ${scheme}) in place: its id, name and tools stay the same.${oauth ? ' The hub makes a new authorization link.' : ''}</p>
<form class="stack" method="post" action="${url(`connections/${connection.id}/reconnect`)}">${csrfField(ctx)}${fields}<div><button type="submit">Reconnect</button></div></form>`
    return kit.send(reply, page(ctx, `Reconnect ${connection.name}`, body), extra.status)
  }

  app.get<{ Params: { id: string } }>('/connections/:id/reconnect', hidden, async (req, reply) => reconnectPage(req, reply))

  app.post<{ Params: { id: string } }>('/connections/:id/reconnect', hidden, async (req, reply) => {
    const { integration, connection } = await connectionOf(req)
    const data: Record<string, unknown> = { assetId: connection.id }
    for (const [k, v] of Object.entries((req.body as Record<string, unknown>) ?? {})) {
      if (k.startsWith('in.') && typeof v === 'string' && v !== '') data[k.slice(3)] = v
    }
    try {
      const result = await connect(deps, kit.caller(req).tenantId, integration, { authScheme: connection.auth_scheme, data })
      if (result.redirectURL) return reconnectPage(req, reply, { redirectUrl: result.redirectURL })
    } catch (err) {
      if (err instanceof PatchbayError && err.status < 500) return reconnectPage(req, reply, { error: err.message, status: err.status })
      throw err
    }
    return kit.redirect(reply, 'connections?done=reconnected')
  })
}
