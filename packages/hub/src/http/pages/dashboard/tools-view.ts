import { ConnectionStatus, PatchbayError } from '@patchbay/core'
import type { FastifyInstance } from 'fastify'
import { collectTools } from '../../../tools/collect-tools.js'
import { formatTools, isToolFormat, type ToolFormat } from '../../../tools/tool-schemas.js'
import { baseUrlOf } from '../../request.js'
import { html } from './html.js'
import type { DashboardKit } from './kit.js'
import { page, url } from './layout.js'

const FORMATS: ReadonlyArray<{ value: ToolFormat; label: string }> = [
  { value: 'openai', label: 'OpenAI' },
  { value: 'anthropic', label: 'Anthropic' },
  { value: 'mcp', label: 'MCP' },
]

/**
 * The tools an agent would get (tools/collect-tools.ts and tool-schemas.ts, as `GET /api/v2/tools`
 * and `/mcp` build them): every active connection's actions, or one connection's, as OpenAI,
 * Anthropic or MCP definitions.
 */
export function registerToolsView(app: FastifyInstance, kit: DashboardKit): void {
  const { deps } = kit

  app.get<{ Querystring: { format?: string; connection?: string } }>('/tools', { schema: { hide: true } }, async (req, reply) => {
    const tenantId = kit.caller(req).tenantId
    const format: ToolFormat = isToolFormat(req.query.format) ? req.query.format : 'openai'
    const connection = /^[0-9a-f]{24}$/.test(req.query.connection ?? '') ? (req.query.connection as string) : ''
    const { rows } = await deps.store.listConnections(tenantId, { offset: 0, limit: 200 })
    const active = rows.filter((r) => r.status === ConnectionStatus.ACTIVE)
    let error: string | undefined
    let json = '[]'
    let count = 0
    try {
      const tools = await collectTools(deps, tenantId, { ...(connection ? { connectionIds: [connection] } : {}), prefix: true, logger: req.log as never })
      count = tools.length
      json = JSON.stringify(formatTools(tools, format), null, 2)
    } catch (err) {
      if (!(err instanceof PatchbayError) || err.status >= 500) throw err
      error = err.message
    }
    const label = FORMATS.find((f) => f.value === format)?.label ?? format
    const ctx = kit.context(req, reply, 'tools', { error })
    const body = html`<p>What an agent holding a <code>run</code> key gets: each active connection’s actions (within its action scope), with credentials injected by the hub and never visible to the model. The same list is served at <code>GET /api/v2/tools?format=${format}</code> and as MCP tools at <code>${baseUrlOf(deps.publicUrl, req)}/mcp</code>.</p>
<form class="row" method="get" action="${url('tools')}" aria-label="Tool preview options">
<fieldset><legend>Format</legend>${FORMATS.map((f) => html`<label><input type="radio" name="format" value="${f.value}"${f.value === format ? ' checked' : ''}> ${f.label}</label>`)}</fieldset>
<div><label for="t-connection">Connection</label><select id="t-connection" name="connection"><option value="">All active connections</option>${active.map((r) => html`<option value="${r.id}"${r.id === connection ? ' selected' : ''}>${r.name}</option>`)}</select></div>
<div><button type="submit">Show tools</button></div></form>
<h2 id="tools-h">${count} tool${count === 1 ? '' : 's'} as ${label} definitions</h2>
<pre tabindex="0" aria-labelledby="tools-h">${json}</pre>`
    return kit.send(reply, page(ctx, 'Agent tools', body))
  })
}
