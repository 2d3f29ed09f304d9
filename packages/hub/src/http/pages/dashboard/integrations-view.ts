import { isAuthenticationSchema, isOAuthSchema, PatchbayError } from '@patchbay/core'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { Integration } from '../../../catalog/catalog.js'
import { integrationLookup } from '../../../catalog/find-integration.js'
import { OAUTH_CALLBACK_PATH } from '../../oauth-callback-route.js'
import { baseUrlOf } from '../../request.js'
import { html, when } from './html.js'
import { doneMessage, formField, type DashboardKit } from './kit.js'
import { csrfField, page, postButton, secretValue, table, url } from './layout.js'

const MAX_LISTED = 200

function oauthSchemes(i: Integration): string[] {
  return Object.keys(i.definition.auth).filter((s) => isAuthenticationSchema(s) && isOAuthSchema(s))
}

function matches(i: Integration, q: string): boolean {
  const d = i.definition
  return !q || d.name.toLowerCase().includes(q) || d.id.includes(q) || i.path.includes(q) || d.description.toLowerCase().includes(q)
}

/**
 * Integrations: the catalog and the tenant's own, searchable, with their schemes and actions;
 * whether the tenant's OAuth app is set, and a form to set it that shows the redirect URL to
 * register with the provider.
 */
export function registerIntegrationsView(app: FastifyInstance, kit: DashboardKit): void {
  const { deps } = kit
  const find = integrationLookup(deps.catalog, deps.tenantIntegrations)
  const hidden = { schema: { hide: true } }

  app.get<{ Querystring: { q?: string } }>('/integrations', hidden, async (req, reply) => {
    const tenantId = kit.caller(req).tenantId
    const q = (req.query.q ?? '').trim().toLowerCase().slice(0, 200)
    const all = [...deps.catalog.list(), ...(await deps.tenantIntegrations.list(tenantId))]
    const found = all.filter((i) => matches(i, q))
    const apps = new Set((await deps.oauthApps.list(tenantId)).map((a) => a.integrationId))
    const rows = found.slice(0, MAX_LISTED).map((i) => {
      const oauth = oauthSchemes(i).length > 0
      return html`<tr><td><a href="${url(`integrations/${encodeURIComponent(i.definition.id)}`)}">${i.definition.name}</a></td><td><code>${i.definition.id}</code></td><td>${Object.keys(i.definition.auth).join(', ')}</td><td>${i.definition.kind === 'mcp' ? 'the server’s tools' : i.definition.actions.length}</td><td>${oauth ? (apps.has(i.modelId) ? 'Set' : 'Not set') : html`<span class="muted">not needed</span>`}</td></tr>`
    })
    const ctx = kit.context(req, reply, 'integrations')
    const body = html`<form role="search" class="row" method="get" action="${url('integrations')}"><div><label for="q">Search integrations</label><input id="q" name="q" type="search" value="${q}" placeholder="name, id or description"></div><div><button type="submit">Search</button></div></form>
<p role="status">${found.length === all.length ? `${all.length} integrations` : `${found.length} of ${all.length} integrations match “${q}”`}${found.length > MAX_LISTED ? `; the first ${MAX_LISTED} are listed` : ''}.</p>
${table('Integrations', ['Name', 'Id', 'Schemes', 'Actions', 'OAuth app'], rows, 'No integration matches; try another word.')}`
    return kit.send(reply, page(ctx, 'Integrations', body))
  })

  const detail = async (req: FastifyRequest<{ Params: { id: string } }>, reply: FastifyReply, extra: { error?: string; status?: number } = {}) => {
    const tenantId = kit.caller(req).tenantId
    const i = await find(tenantId, req.params.id)
    if (!i) throw new PatchbayError('NOT_FOUND', `No integration ${req.params.id}; search for it on the integrations page`)
    const d = i.definition
    const schemes = Object.entries(d.auth).map(
      ([name, s]) =>
        html`<li><strong>${name}</strong>${s?.inputs?.length ? html`: ${s.inputs.map((input, n) => html`${n ? ', ' : ''}${input.displayName} (<code>${input.name}</code>${input.secret ? ', secret' : ''})`)}` : html` <span class="muted">(no inputs)</span>`}</li>`,
    )
    const actions = d.actions.map((a) => html`<tr><td><code>${a.code}</code></td><td>${a.name}</td><td>${a.description}</td></tr>`)
    let oauth = html``
    if (oauthSchemes(i).length > 0) {
      const app = (await deps.oauthApps.list(tenantId)).find((a) => a.integrationId === i.modelId)
      const redirect = `${baseUrlOf(deps.publicUrl, req)}${OAUTH_CALLBACK_PATH}`
      const ctx0 = kit.context(req, reply, 'integrations')
      oauth = html`<section aria-labelledby="oauth-h"><h2 id="oauth-h">OAuth app</h2>
<p>${app ? html`Set: client id <code>${app.clientId}</code>${app.scopes?.length ? html`, scopes <code>${app.scopes.join(' ')}</code>` : ''}, updated ${when(app.updatedAt)}.` : `Not set: end users cannot connect ${d.name} with OAuth until you register an app with the provider and enter it here.`}</p>
<p>Redirect URL to register with the provider:</p>${secretValue('redirect-url', 'Redirect URL', redirect)}
<form class="stack" method="post" action="${url(`integrations/${encodeURIComponent(d.id)}/oauth-app`)}">${csrfField(ctx0)}
<div><label for="client-id">Client id</label><input id="client-id" name="clientId" type="text" autocomplete="off" required value="${app?.clientId ?? ''}"></div>
<div><label for="client-secret">Client secret <span class="hint">(write-only: never shown again)</span></label><input id="client-secret" name="clientSecret" type="password" autocomplete="off" required></div>
<div><label for="scopes">Scopes <span class="hint">(optional, separated by spaces; empty: the definition’s defaults)</span></label><input id="scopes" name="scopes" type="text" value="${app?.scopes?.join(' ') ?? ''}"></div>
<div><button type="submit">Save OAuth app</button></div></form>
${app ? html`<p>${postButton(ctx0, url(`integrations/${encodeURIComponent(d.id)}/oauth-app/delete`), 'Remove OAuth app', { className: 'danger' })}</p>` : ''}</section>`
    }
    const ctx = kit.context(req, reply, 'integrations', { notice: doneMessage(req.query), error: extra.error })
    const body = html`<p>${d.description}</p><p class="muted">Id <code>${d.id}</code> · path <code>${i.path}</code>${d.docsUrl && /^https?:\/\//.test(d.docsUrl) ? html` · <a href="${d.docsUrl}" rel="noreferrer">API documentation</a>` : ''}</p>
<h2>Authentication schemes</h2><ul>${schemes}</ul>${oauth}
<h2>Actions</h2>${d.kind === 'mcp' ? html`<p>The actions are the remote MCP server’s tools, listed once connected.</p>` : table(`Actions of ${d.name}`, ['Code', 'Name', 'Description'], actions, 'No actions.')}`
    return kit.send(reply, page(ctx, d.name, body), extra.status)
  }

  app.get<{ Params: { id: string } }>('/integrations/:id', hidden, async (req, reply) => detail(req, reply))

  app.post<{ Params: { id: string } }>('/integrations/:id/oauth-app', hidden, async (req, reply) => {
    const tenantId = kit.caller(req).tenantId
    const i = await find(tenantId, req.params.id)
    if (!i || oauthSchemes(i).length === 0) throw new PatchbayError('NOT_FOUND', `No integration ${req.params.id} with an OAuth scheme`)
    const scopes = formField(req.body, 'scopes').trim()
    try {
      await deps.oauthApps.set(tenantId, i.modelId, {
        clientId: formField(req.body, 'clientId').trim(),
        clientSecret: formField(req.body, 'clientSecret'),
        ...(scopes ? { scopes } : {}),
      })
    } catch (err) {
      if (err instanceof PatchbayError && err.status < 500) return detail(req, reply, { error: err.message, status: err.status })
      throw err
    }
    return kit.redirect(reply, `integrations/${encodeURIComponent(i.definition.id)}?done=oauth-saved`)
  })

  app.post<{ Params: { id: string } }>('/integrations/:id/oauth-app/delete', hidden, async (req, reply) => {
    const tenantId = kit.caller(req).tenantId
    const i = await find(tenantId, req.params.id)
    if (!i) throw new PatchbayError('NOT_FOUND', `No integration ${req.params.id}`)
    await deps.oauthApps.delete(tenantId, i.modelId)
    return kit.redirect(reply, `integrations/${encodeURIComponent(i.definition.id)}?done=oauth-removed`)
  })
}
