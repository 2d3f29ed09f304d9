import { PatchbayError } from '@patchbay/core'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { deliveryRecord } from '../../../events/event-services.js'
import { EVENT_TYPES } from '../../../events/webhook-endpoints.js'
import { html, when } from './html.js'
import { doneMessage, formField, formList, type DashboardKit } from './kit.js'
import { csrfField, page, postButton, secretValue, table, url } from './layout.js'

const STATUSES = ['PENDING', 'DELIVERED', 'FAILED'] as const

/**
 * Webhook endpoints (events/webhook-endpoints.ts): list, add (the signing secret shown once),
 * remove; and the latest deliveries with each attempt, filtered by status.
 */
export function registerWebhooksView(app: FastifyInstance, kit: DashboardKit): void {
  const { deps } = kit
  const hidden = { schema: { hide: true } }

  const render = async (req: FastifyRequest, reply: FastifyReply, extra: { error?: string; status?: number; created?: { url: string; secret: string } } = {}) => {
    const tenantId = kit.caller(req).tenantId
    const query = req.query as { status?: string }
    const status = STATUSES.find((s) => s === query.status)
    const endpoints = await deps.events.endpoints.list(tenantId)
    const deliveries = (await deps.store.webhooks.listDeliveries(tenantId, { limit: 50, endpointId: undefined, status })).map(deliveryRecord)
    const urls = new Map(endpoints.map((e) => [e.id, e.url]))
    const ctx = kit.context(req, reply, 'webhooks', { notice: extra.created ? undefined : doneMessage(req.query), error: extra.error })
    const endpointRows = endpoints.map(
      (e) =>
        html`<tr><td><code class="wrap">${e.url}</code></td><td>${e.events?.join(', ') ?? 'all events'}</td><td>${when(e.createdAt)}</td><td>${postButton(ctx, url(`webhooks/${e.id}/delete`), 'Remove', { className: 'danger', ariaLabel: `Remove endpoint ${e.url}` })}</td></tr>`,
    )
    const deliveryRows = deliveries.map((d) => {
      const last = d.attempts[d.attempts.length - 1]
      return html`<tr><td>${when(d.createdAt)}</td><td>${d.eventType}</td><td><code>${urls.get(d.endpointId) ?? d.endpointId}</code></td><td><span class="status-${d.status}">${d.status}</span></td><td>${d.attempts.length}</td><td>${last ? `${last.statusCode ?? '—'}${last.error ? `: ${last.error}` : ''} (${last.durationMs} ms)` : '—'}</td><td>${d.nextAttemptAt ? when(d.nextAttemptAt) : '—'}</td></tr>`
    })
    const option = (value: string, label: string) => html`<option value="${value}"${(status ?? '') === value ? ' selected' : ''}>${label}</option>`
    const body = html`${extra.created ? html`<div class="notice" role="status"><p>Webhook endpoint added for <code>${extra.created.url}</code>. Its signing secret is shown only now: store it where your receiver verifies signatures (Standard Webhooks).</p>${secretValue('webhook-secret', 'Signing secret', extra.created.secret)}</div>` : ''}
${table('Webhook endpoints', ['URL', 'Events', 'Created', 'Actions'], endpointRows, 'No webhook endpoints yet.')}
<h2>Add an endpoint</h2><form class="stack" method="post" action="${url('webhooks')}">${csrfField(ctx)}
<div><label for="wh-url">Endpoint URL</label><input id="wh-url" name="url" type="url" required placeholder="https://app.example.com/hooks" aria-describedby="wh-url-hint"><span id="wh-url-hint" class="hint">An existing URL gets its event list updated.</span></div>
<fieldset><legend>Events <span class="hint">(none ticked: all of them)</span></legend>${EVENT_TYPES.map((t) => html`<label><input type="checkbox" name="events" value="${t}"> ${t}</label>`)}</fieldset>
<div><button type="submit">Save endpoint</button></div></form>
<h2>Deliveries</h2><form class="row" method="get" action="${url('webhooks')}" aria-label="Filter deliveries"><div><label for="d-status">Delivery status</label><select id="d-status" name="status">${option('', 'Any')}${STATUSES.map((s) => option(s, s.charAt(0) + s.slice(1).toLowerCase()))}</select></div><div><button type="submit">Filter</button></div></form>
${table('Latest deliveries', ['Created', 'Event', 'Endpoint', 'Status', 'Attempts', 'Last answer', 'Next attempt'], deliveryRows, 'No deliveries yet: they appear when an event (a connection created, reauthorized, failed or deleted) reaches an endpoint.')}`
    return kit.send(reply, page(ctx, 'Webhooks', body), extra.status)
  }

  app.get('/webhooks', hidden, async (req, reply) => render(req, reply))

  app.post('/webhooks', hidden, async (req, reply) => {
    const events = formList(req.body, 'events')
    try {
      const saved = await deps.events.endpoints.set(kit.caller(req).tenantId, { url: formField(req.body, 'url').trim(), ...(events.length ? { events } : {}) })
      if (saved.created && saved.secret) return render(req, reply, { created: { url: saved.url, secret: saved.secret } })
    } catch (err) {
      if (err instanceof PatchbayError && err.status < 500) return render(req, reply, { error: err.message, status: err.status })
      throw err
    }
    return kit.redirect(reply, 'webhooks?done=webhook-saved')
  })

  app.post<{ Params: { id: string } }>('/webhooks/:id/delete', hidden, async (req, reply) => {
    await deps.events.endpoints.remove(kit.caller(req).tenantId, req.params.id)
    return kit.redirect(reply, 'webhooks?done=webhook-removed')
  })
}
