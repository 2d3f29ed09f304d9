import type { FastifyInstance } from 'fastify'
import { PatchbayError } from '@patchbay/core'
import { integrationLookup } from '../catalog/find-integration.js'
import type { ServerDeps } from './server-deps.js'

/**
 * The `endUserId` filter of a paginate body: undefined when absent.
 * @throws {PatchbayError} VALIDATION when it is not a string of 1 to 200 characters.
 */
export function endUserFilter(value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined
  if (typeof value !== 'string' || value.length === 0 || value.length > 200) {
    throw new PatchbayError('VALIDATION', 'endUserId must be a string of 1 to 200 characters: the endUser.id given to the Connect session')
  }
  return value
}

/**
 * `DELETE /api/v2/end-users/{endUserId}/connections`: deletes every connection of one of the app's
 * end users (e.g. when the user deletes their account). Each delete is the ordinary one: it
 * records `connection.deleted`, forgets runner and MCP state and revokes OAuth tokens.
 */
export function registerEndUserRoutes(app: FastifyInstance, deps: Pick<ServerDeps, 'store' | 'catalog' | 'tenantIntegrations' | 'runner' | 'mcpClients' | 'oauth'>): void {
  const find = integrationLookup(deps.catalog, deps.tenantIntegrations)
  app.delete<{ Params: { endUserId: string } }>(
    '/api/v2/end-users/:endUserId/connections',
    { schema: { summary: 'Deletes every connection of one end user (each records connection.deleted)', tags: ['connect'] } },
    async (req) => {
      const endUserId = endUserFilter(req.params.endUserId) as string
      const ids: string[] = []
      // Pages of the end user's connections until none is left (each page is deleted before the next read).
      for (let guard = 0; guard < 1000; guard++) {
        const page = await deps.store.listConnections(req.tenantId, { offset: 0, limit: 100, endUserId })
        if (page.rows.length === 0) break
        for (const row of page.rows) {
          if (!(await deps.store.deleteConnection(req.tenantId, row.id))) continue
          ids.push(row.id)
          deps.runner.forget(row.id)
          void deps.mcpClients.forget(row.id)
          const integration = await find(req.tenantId, row.integration_id)
          if (integration) await deps.oauth.revoke(integration, row)
        }
      }
      return { endUserId, deleted: ids.length, ids }
    },
  )
}
