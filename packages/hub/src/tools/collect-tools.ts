import { ConnectionStatus, PatchbayError, type ActionDefinition } from '@patchbay/core'
import type { Logger } from 'pino'
import type { ExecuteDeps, ExecuteTarget } from '../connections/execute.js'
import { resolveTarget } from '../connections/execute.js'
import { isMcpIntegration, mcpActions } from '../connections/mcp.js'
import type { ConnectionRow } from '../store/store.js'
import { toolName, type AgentTool } from './tool-schemas.js'

/** Options of {@link collectTools}. */
export interface CollectToolsOptions {
  /** Connection ids; default every ACTIVE connection of the tenant. */
  connectionIds?: readonly string[]
  /** Action codes to keep (case-insensitive); default all (within each connection's action scope). */
  actions?: readonly string[]
  /** Prefix names with the connection's name (needed when several connections are listed). Default: true unless exactly one connection id is given. */
  prefix?: boolean
  logger?: Logger
}

/** A tool with what it takes to run it. */
export interface CollectedTool extends AgentTool {
  target: Extract<ExecuteTarget, { kind: 'connection' }>
}

const MAX_CONNECTIONS = 1_000

/**
 * The tools an agent may use: each connection's actions (a remote MCP server's live tools for
 * an MCP connection), narrowed to its stored action scope and to `actions`, with names unique
 * across the whole set. Order is stable (connections newest first, actions in definition order),
 * so the same name maps to the same action on every call.
 *
 * @throws {PatchbayError} NOT_FOUND for an explicit id that is not one of the tenant's connections.
 */
export async function collectTools(deps: ExecuteDeps, tenantId: string, options: CollectToolsOptions = {}): Promise<CollectedTool[]> {
  const explicit = options.connectionIds !== undefined
  const targets: Array<Extract<ExecuteTarget, { kind: 'connection' }>> = []
  if (explicit) {
    for (const id of options.connectionIds ?? []) {
      const t = await resolveTarget(deps, tenantId, id)
      if (t.kind !== 'connection') throw new PatchbayError('VALIDATION', `${id} is an integration, not a connection; connect it first and use the connection id`)
      targets.push(t)
    }
  } else {
    const page = await deps.store.listConnections(tenantId, { offset: 0, limit: MAX_CONNECTIONS })
    for (const row of page.rows) {
      if (row.status !== ConnectionStatus.ACTIVE) continue
      try {
        const t = await resolveTarget(deps, tenantId, row.id)
        if (t.kind === 'connection') targets.push(t)
      } catch {
        // A connection whose integration left the catalog has no tools to offer.
      }
    }
  }
  const scopes = await deps.store.getActionScopes(
    tenantId,
    targets.map((t) => t.connection.id),
  )
  const wanted = options.actions?.length ? new Set(options.actions.map((a) => a.toLowerCase())) : undefined
  const prefix = options.prefix ?? !(explicit && targets.length === 1)
  const taken = new Set<string>()
  const tools: CollectedTool[] = []
  for (const target of targets) {
    let actions: ActionDefinition[]
    try {
      actions = await actionsOf(deps, target.connection, target)
    } catch (err) {
      if (explicit) throw err
      options.logger?.warn({ connectionId: target.connection.id, err: (err as Error).message }, 'skipped the tools of an MCP connection whose server did not answer')
      continue
    }
    const scope = scopes.get(target.connection.id)
    const inScope = scope ? new Set(scope.map((s) => s.toLowerCase())) : undefined
    for (const a of actions) {
      if (inScope && !inScope.has(a.code.toLowerCase())) continue
      if (wanted && !wanted.has(a.code.toLowerCase())) continue
      const name = toolName(a.code, prefix ? target.connection.name : undefined, taken)
      const via = `${target.connection.name} (${target.integration.definition.name})`
      tools.push({
        name,
        title: a.name,
        description: prefix ? `${a.description} [Connection: ${via}]` : a.description,
        inputSchema: a.input,
        connectionId: target.connection.id,
        connectionName: target.connection.name,
        action: a.code,
        target,
      })
    }
  }
  return tools
}

async function actionsOf(deps: ExecuteDeps, row: ConnectionRow, target: Extract<ExecuteTarget, { kind: 'connection' }>): Promise<ActionDefinition[]> {
  if (isMcpIntegration(target.integration)) return mcpActions(deps, row)
  return target.integration.definition.actions
}
