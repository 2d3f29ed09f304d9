import { newId } from '../ids.js'
import type { ConnectionRow } from './store.js'

/**
 * An ACTIVE API_KEY connection row of `tenantId` with fresh ids and a placeholder sealed value,
 * for the store's contract tests (each overrides what it checks).
 *
 * @example
 * ```ts
 * await store.insertConnection(testConnectionRow(tenantId, { status: 'PENDING' }))
 * ```
 */
export function testConnectionRow(tenantId: string, over: Partial<ConnectionRow> = {}): ConnectionRow {
  const now = new Date().toISOString()
  return {
    id: newId(),
    tenant_id: tenantId,
    integration_id: 'i1',
    name: `conn-${newId()}`,
    description: 'd',
    auth_scheme: 'API_KEY',
    status: 'ACTIVE',
    status_reason: null,
    config: '{}',
    secrets: 'pb1.x.y',
    version: 1,
    created_at: now,
    updated_at: now,
    expires_at: null,
    token_expires_at: null,
    ...over,
  }
}
