import { ConnectionStatus, PatchbayError, type ActionDefinition } from '@patchbay/core'
import type { Integration } from '../catalog/catalog.js'
import { integrationLookup } from '../catalog/find-integration.js'
import type { ExecuteDeps } from '../connections/execute.js'
import { findEndUserConnection } from '../connections/hand-off.js'
import { isMcpIntegration, mcpActions } from '../connections/mcp.js'
import { toolName, type AgentTool } from './tool-schemas.js'

/** A tool of an end user's agent: an action of an integration, run on that user's own connection. */
export interface EndUserTool extends AgentTool {
  integration: Integration
  /** Whether the user has an ACTIVE connection of the integration right now. */
  connected: boolean
}

const MAX_CONNECTIONS = 1_000
const MAX_INTEGRATIONS = 50

/**
 * The integrations of an `integrations` query parameter (comma-separated ids), resolved.
 * @throws {PatchbayError} VALIDATION naming an unknown id, or for too many.
 */
export async function readIntegrationList(deps: Pick<ExecuteDeps, 'catalog' | 'tenantIntegrations'>, tenantId: string, raw: unknown): Promise<Integration[]> {
  if (raw === undefined || raw === null || raw === '') return []
  if (typeof raw !== 'string') throw new PatchbayError('VALIDATION', 'integrations must be one comma-separated list of integration ids, e.g. integrations=github,slack')
  const ids = [
    ...new Set(
      raw
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean),
    ),
  ]
  if (ids.length > MAX_INTEGRATIONS) throw new PatchbayError('VALIDATION', `integrations may name at most ${MAX_INTEGRATIONS} integrations`)
  const find = integrationLookup(deps.catalog, deps.tenantIntegrations)
  const out: Integration[] = []
  for (const id of ids) {
    const i = await find(tenantId, id)
    if (!i) throw new PatchbayError('VALIDATION', `integrations: unknown integration ${JSON.stringify(id.slice(0, 100))}; list them with POST /v2/integrations/paginate`)
    if (!out.includes(i)) out.push(i)
  }
  return out
}

/**
 * The tools of one end user's agent: every action of the integrations `offered` (connected or
 * not, so a call can hand the user a Connect link) and of the integrations the user has a
 * connection of, named `<integration>__<ACTION>` so a name stays the same before and after the
 * user connects. Only connections whose `end_user_id` is `endUserId` are read; a connected
 * integration keeps its stored action scope. A remote MCP server's tools are known only once the
 * user has connected it.
 */
export async function collectEndUserTools(deps: ExecuteDeps, tenantId: string, endUserId: string, offered: readonly Integration[]): Promise<EndUserTool[]> {
  const page = await deps.store.listConnections(tenantId, { offset: 0, limit: MAX_CONNECTIONS, endUserId })
  const find = integrationLookup(deps.catalog, deps.tenantIntegrations)
  const integrations = [...offered]
  for (const row of page.rows) {
    if (row.end_user_id !== endUserId || row.status === ConnectionStatus.PENDING) continue
    const i = await find(tenantId, row.integration_id)
    if (i && !integrations.some((x) => x.modelId === i.modelId)) integrations.push(i)
  }
  const taken = new Set<string>()
  const tools: EndUserTool[] = []
  for (const integration of integrations) {
    const { active } = await findEndUserConnection(deps.store, tenantId, integration, endUserId)
    let actions: ActionDefinition[] = integration.definition.actions
    if (isMcpIntegration(integration)) {
      if (!active) continue
      try {
        actions = await mcpActions(deps, active)
      } catch {
        continue
      }
    }
    const scope = active ? (await deps.store.getActionScopes(tenantId, [active.id])).get(active.id) : undefined
    const inScope = scope ? new Set(scope.map((s) => s.toLowerCase())) : undefined
    for (const a of actions) {
      if (inScope && !inScope.has(a.code.toLowerCase())) continue
      tools.push({
        name: toolName(a.code, integration.definition.id, taken),
        title: a.name,
        description: `${a.description} [${integration.definition.name}${active ? '' : ': not connected yet; a call answers a link for the user to connect it'}]`,
        inputSchema: a.input,
        connectionId: active?.id ?? '',
        connectionName: active?.name ?? integration.definition.name,
        action: a.code,
        integration,
        connected: active !== undefined,
      })
    }
  }
  return tools
}
