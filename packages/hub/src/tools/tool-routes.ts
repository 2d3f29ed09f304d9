import type { FastifyInstance } from 'fastify'
import { PatchbayError } from '@patchbay/core'
import { resolveTarget, type ExecuteDeps } from '../connections/execute.js'
import { isMcpIntegration, mcpActions } from '../connections/mcp.js'
import { collectTools } from './collect-tools.js'
import { formatTools, isToolFormat, type ToolFormat } from './tool-schemas.js'

interface ToolsQuery {
  format?: string
  actions?: string
  connections?: string
  strict?: string
}

function list(v: string | undefined): string[] | undefined {
  if (v === undefined) return undefined
  const items = v
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
  if (items.length > 1_000) throw new PatchbayError('VALIDATION', 'At most 1000 entries per list')
  return items
}

function formatOf(q: ToolsQuery): ToolFormat {
  const f = q.format ?? 'openai'
  if (!isToolFormat(f)) throw new PatchbayError('VALIDATION', `format must be openai, anthropic or mcp; got "${f.slice(0, 50)}"`)
  return f
}

function strictOf(q: ToolsQuery, format: ToolFormat): boolean {
  if (q.strict === undefined || q.strict === '' || q.strict === 'false') return false
  if (q.strict !== 'true') throw new PatchbayError('VALIDATION', 'strict must be true or false')
  if (format !== 'openai') throw new PatchbayError('VALIDATION', 'strict applies to format=openai only')
  return true
}

/**
 * Tool-schema export and action scopes:
 *
 * - `GET /api/v2/connections/:id/tools?format=openai|anthropic|mcp[&actions=A,B][&strict=true]`:
 *   one connection's actions as tool definitions (names are the action codes).
 * - `GET /api/v2/tools?format=…[&connections=id1,id2][&actions=…][&strict=true]`: several
 *   connections (default: every active one), names prefixed with the connection name.
 * - `GET` / `PUT /api/v2/connections/:id/action-scope` (`{"actions": ["A", "B"]}`, or `null`
 *   for all): the actions agents may use through the tool export and the hub's MCP server.
 *
 * Both tool endpoints answer `{ format, tools }`; `tools` is what the vendor's API takes as is.
 */
export function registerToolRoutes(app: FastifyInstance, deps: ExecuteDeps): void {
  app.get<{ Params: { id: string }; Querystring: ToolsQuery }>('/api/v2/connections/:id/tools', async (req) => {
    const format = formatOf(req.query)
    const strict = strictOf(req.query, format)
    const actions = list(req.query.actions)
    const tools = await collectTools(deps, req.tenantId, { connectionIds: [req.params.id], ...(actions ? { actions } : {}), logger: req.log as never })
    return { format, tools: formatTools(tools, format, { strict }) }
  })

  app.get<{ Querystring: ToolsQuery }>('/api/v2/tools', async (req) => {
    const format = formatOf(req.query)
    const strict = strictOf(req.query, format)
    const actions = list(req.query.actions)
    const connectionIds = list(req.query.connections)
    const tools = await collectTools(deps, req.tenantId, {
      ...(connectionIds ? { connectionIds } : {}),
      ...(actions ? { actions } : {}),
      prefix: true,
      logger: req.log as never,
    })
    return { format, tools: formatTools(tools, format, { strict }) }
  })

  app.get<{ Params: { id: string } }>('/api/v2/connections/:id/action-scope', async (req) => {
    const target = await resolveTarget(deps, req.tenantId, req.params.id)
    if (target.kind !== 'connection') throw new PatchbayError('VALIDATION', `${req.params.id} is an integration; action scopes belong to connections`)
    const scope = (await deps.store.getActionScopes(req.tenantId, [target.connection.id])).get(target.connection.id)
    return { id: target.connection.id, actions: scope ?? null }
  })

  app.put<{ Params: { id: string } }>('/api/v2/connections/:id/action-scope', async (req) => {
    const target = await resolveTarget(deps, req.tenantId, req.params.id)
    if (target.kind !== 'connection') throw new PatchbayError('VALIDATION', `${req.params.id} is an integration; action scopes belong to connections`)
    const body = req.body as { actions?: unknown } | null | undefined
    const raw = body?.actions
    if (raw === null) {
      await deps.store.setActionScope(req.tenantId, target.connection.id, null)
      return { id: target.connection.id, actions: null }
    }
    if (!Array.isArray(raw) || !raw.every((a) => typeof a === 'string') || raw.length > 1_000) {
      throw new PatchbayError('VALIDATION', 'Send {"actions": ["ACTION_CODE", …]} (at most 1000), or {"actions": null} to allow every action')
    }
    const available = isMcpIntegration(target.integration) ? await mcpActions(deps, target.connection) : target.integration.definition.actions
    const codes: string[] = []
    for (const name of raw as string[]) {
      const found = available.find((a) => a.code === name) ?? available.find((a) => a.code.toLowerCase() === name.toLowerCase())
      if (!found) {
        const known = available.map((a) => a.code)
        throw new PatchbayError(
          'UNKNOWN_ACTION',
          `'${name.slice(0, 100)}' is not an action of ${target.connection.name}. Available actions: ${JSON.stringify(known.slice(0, 100))}${known.length > 100 ? ' …' : ''}`,
        )
      }
      if (!codes.includes(found.code)) codes.push(found.code)
    }
    await deps.store.setActionScope(req.tenantId, target.connection.id, codes)
    return { id: target.connection.id, actions: codes }
  })
}
