import type { FastifyInstance } from 'fastify'
import { html, when } from './html.js'
import { doneMessage, formField, type DashboardKit } from './kit.js'
import { csrfField, page, table, url } from './layout.js'

const PAGE = 50

type RunsQuery = { connection?: string; action?: string; status?: string; after?: string; done?: string }

/**
 * The run log (connections/run-log.ts, as `GET /api/v2/runs` reads it): newest first, filtered by
 * connection, action and status, paged with the `after` cursor; and the tenant's opt-in to keep
 * redacted input/output excerpts.
 */
export function registerRunsView(app: FastifyInstance, kit: DashboardKit): void {
  const { deps } = kit
  const hidden = { schema: { hide: true } }

  app.get<{ Querystring: RunsQuery }>('/runs', hidden, async (req, reply) => {
    const tenantId = kit.caller(req).tenantId
    const q = req.query
    const connection = (q.connection ?? '').trim().slice(0, 100)
    const action = (q.action ?? '').trim().slice(0, 100)
    const status = q.status === 'SUCCESS' || q.status === 'FAILED' ? q.status : ''
    const after = q.after !== undefined && /^[0-9a-z]{21}$/.test(q.after) ? q.after : undefined
    const rows = await deps.store.runLog.listRunLog(tenantId, {
      ...(connection ? { connection } : {}),
      ...(action ? { action } : {}),
      ...(status ? { status } : {}),
      ...(after ? { after } : {}),
      limit: PAGE + 1,
    })
    const shown = rows.slice(0, PAGE)
    const next = rows.length > PAGE ? shown[shown.length - 1]?.id : undefined
    const excerpts = await deps.store.runLog.runLogExcerpts(tenantId)
    const lines = shown.map(
      (r) =>
        html`<tr><td>${when(r.created_at)}</td><td><code>${r.connection_id}</code></td><td>${deps.catalog.get(r.integration_id)?.definition.name ?? r.integration_id}</td><td><code>${r.action}</code></td><td><span class="status-${r.status}">${r.status}</span></td><td>${r.http_status ?? '—'}</td><td>${r.duration_ms} ms</td><td>${r.error_code ? `${r.error_code}: ${r.error_message ?? ''}` : '—'}</td><td><code>${r.key_id ?? '—'}</code></td></tr>${
          r.input_excerpt !== null || r.output_excerpt !== null
            ? html`<tr><td colspan="9"><details><summary>Excerpts of run ${r.id}</summary><pre>${r.input_excerpt ?? ''}\n${r.output_excerpt ?? ''}</pre></details></td></tr>`
            : ''
        }`,
    )
    const params = new URLSearchParams({ ...(connection ? { connection } : {}), ...(action ? { action } : {}), ...(status ? { status } : {}) })
    const ctx = kit.context(req, reply, 'runs', { notice: doneMessage(q) })
    const option = (value: string, label: string) => html`<option value="${value}"${status === value ? ' selected' : ''}>${label}</option>`
    const body = html`<form class="row" method="get" action="${url('runs')}" aria-label="Filter runs">
<div><label for="f-connection">Connection id</label><input id="f-connection" name="connection" type="text" value="${connection}"></div>
<div><label for="f-action">Action</label><input id="f-action" name="action" type="text" value="${action}" placeholder="e.g. REQUEST"></div>
<div><label for="f-status">Status</label><select id="f-status" name="status">${option('', 'Any')}${option('SUCCESS', 'Success')}${option('FAILED', 'Failed')}</select></div>
<div><button type="submit">Filter</button></div></form>
${table('Runs, newest first', ['Time', 'Connection', 'Integration', 'Action', 'Status', 'HTTP', 'Duration', 'Error', 'Key'], lines, deps.runLog ? 'No runs match (runs appear here within a second of finishing).' : 'The run log is off on this hub (PATCHBAY_RUN_LOG=false).')}
${next ? html`<p><a href="${url(`runs?${params.toString()}${params.size ? '&' : ''}after=${next}`)}">Older runs</a></p>` : ''}
<h2>Settings</h2><form class="stack" method="post" action="${url('runs/settings')}">${csrfField(ctx)}
<fieldset><legend>Input and output excerpts</legend><label><input type="checkbox" name="runLogExcerpts" value="on"${excerpts ? ' checked' : ''}> Keep bounded, redacted excerpts of each run’s input and output (at most 1000 characters; secrets masked)</label></fieldset>
<div><button type="submit">Save settings</button></div></form>`
    return kit.send(reply, page(ctx, 'Runs', body))
  })

  app.post('/runs/settings', hidden, async (req, reply) => {
    await deps.store.runLog.setRunLogExcerpts(kit.caller(req).tenantId, formField(req.body, 'runLogExcerpts') === 'on')
    return kit.redirect(reply, 'runs?done=settings-saved')
  })
}
