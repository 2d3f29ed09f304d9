import { PatchbayError } from '@patchbay/core'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { createApiKey } from '../../../tenants/api-keys.js'
import { isKeyScope, KEY_SCOPES, parseScopes } from '../../../tenants/key-scopes.js'
import { html, when } from './html.js'
import { doneMessage, formField, formList, type DashboardKit } from './kit.js'
import { csrfField, page, postButton, secretValue, table, url } from './layout.js'

const SCOPE_HINTS: Readonly<Record<string, string>> = {
  admin: 'everything, this dashboard included',
  connect: 'create connections and connect sessions',
  run: 'run actions and /mcp: what an agent should hold',
}

/**
 * API keys of the tenant (as http/key-routes.ts): list (never a key or its hash), create with
 * scopes (the key shown once), revoke behind a confirmation (every process refuses it at once).
 */
export function registerKeysView(app: FastifyInstance, kit: DashboardKit): void {
  const { deps } = kit
  const hidden = { schema: { hide: true } }

  const render = async (req: FastifyRequest, reply: FastifyReply, extra: { error?: string; status?: number; created?: { name: string; key: string } } = {}) => {
    const caller = kit.caller(req)
    const keys = await deps.store.tenants.listApiKeys(caller.tenantId)
    const ctx = kit.context(req, reply, 'keys', { notice: extra.created ? undefined : doneMessage(req.query), error: extra.error })
    const rows = keys.map(
      (k) =>
        html`<tr><td>${k.name}${k.id === caller.keyId ? html` <span class="muted">(this session)</span>` : ''}</td><td><code>${k.prefix}</code></td><td>${parseScopes(k.scopes).join(', ')}</td><td>${when(k.created_at)}</td><td><a href="${url(`keys/${k.id}/revoke`)}" aria-label="Revoke key ${k.name}">Revoke</a></td></tr>`,
    )
    const body = html`${extra.created ? html`<div class="notice" role="status"><p>Key “${extra.created.name}” created. Copy it now: it is shown only once, and the hub keeps only its hash.</p>${secretValue('new-key', 'New API key', extra.created.key)}</div>` : ''}
${table('API keys', ['Name', 'Fingerprint', 'Scopes', 'Created', 'Actions'], rows, 'No keys.')}
<h2>Create a key</h2><form class="stack" method="post" action="${url('keys')}">${csrfField(ctx)}
<div><label for="key-name">Name</label><input id="key-name" name="name" type="text" required maxlength="200" placeholder="e.g. support-agent"></div>
<fieldset><legend>Scopes</legend>${KEY_SCOPES.map((s) => html`<label><input type="checkbox" name="scopes" value="${s}"> ${s} <span class="hint">(${SCOPE_HINTS[s]})</span></label>`)}</fieldset>
<div><button type="submit">Create key</button></div></form>`
    return kit.send(reply, page(ctx, 'API keys', body), extra.status)
  }

  app.get('/keys', hidden, async (req, reply) => render(req, reply))

  app.post('/keys', hidden, async (req, reply) => {
    const name = formField(req.body, 'name').trim()
    const scopes = [...new Set(formList(req.body, 'scopes'))]
    if (!name || name.length > 200) return render(req, reply, { error: 'Give the key a name (1-200 characters): who or what uses it.', status: 400 })
    if (scopes.length === 0 || !scopes.every(isKeyScope)) return render(req, reply, { error: `Choose at least one scope: ${KEY_SCOPES.join(', ')}.`, status: 400 })
    const created = await createApiKey(deps.store, { name, tenantId: kit.caller(req).tenantId, scopes })
    return render(req, reply, { created: { name, key: created.key } })
  })

  app.get<{ Params: { id: string } }>('/keys/:id/revoke', hidden, async (req, reply) => {
    const caller = kit.caller(req)
    const key = (await deps.store.tenants.listApiKeys(caller.tenantId)).find((k) => k.id === req.params.id)
    if (!key) throw new PatchbayError('NOT_FOUND', `No API key ${req.params.id}`)
    const ctx = kit.context(req, reply, 'keys')
    const body = html`<p>Revoke the key <strong>${key.name}</strong> (<code>${key.prefix}</code>, ${parseScopes(key.scopes).join(', ')})? Every hub process refuses it from its next request on.${key.id === caller.keyId ? ' It is the key of this session: you will be signed out.' : ''}</p>
<p>${postButton(ctx, url(`keys/${key.id}/revoke`), 'Revoke key', { className: 'danger' })} <a class="button secondary" href="${url('keys')}">Cancel</a></p>`
    return kit.send(reply, page(ctx, 'Revoke API key?', body))
  })

  app.post<{ Params: { id: string } }>('/keys/:id/revoke', hidden, async (req, reply) => {
    if (!(await deps.store.tenants.revokeApiKey(kit.caller(req).tenantId, req.params.id))) throw new PatchbayError('NOT_FOUND', `No API key ${req.params.id}`)
    return kit.redirect(reply, 'keys?done=key-revoked')
  })
}
