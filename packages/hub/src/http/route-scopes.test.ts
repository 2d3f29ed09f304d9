import { describe, expect, it } from 'vitest'
import { Catalog } from '../catalog/catalog.js'
import { createHub } from '../hub.js'
import { createLogger } from '../logger.js'
import { openStore } from '../store/store.js'
import { generateMasterKey, parseMasterKey, Vault } from '../vault/vault.js'
import { ROUTE_SCOPES, scopesFor, trackedRoutes, unscopedRoutes } from './route-scopes.js'

describe('route scopes', () => {
  it('maps every route the server registers to a scope (add new routes to ROUTE_SCOPES)', async () => {
    const store = openStore(':memory:')
    await store.migrate()
    const hub = createHub({ store, vault: new Vault([parseMasterKey(generateMasterKey())]), catalog: new Catalog([]), logger: createLogger('silent'), sweepIntervalMs: 0 })
    await hub.app.ready()
    try {
      expect(trackedRoutes(hub.app)).toContain('POST /api/v2/execute/:id')
      expect(trackedRoutes(hub.app).length).toBeGreaterThan(30)
      expect(unscopedRoutes(hub.app)).toEqual([])
      expect(hub.app.hasRoute({ method: 'GET', url: '/api/v2/keys' })).toBe(true)
    } finally {
      await hub.close()
    }
  })

  it('keeps keys, runs and settings admin-only, /mcp and polls to run, and treats unknown routes as admin', () => {
    for (const r of ['GET /api/v2/keys', 'POST /api/v2/keys', 'DELETE /api/v2/keys/:id', 'GET /api/v2/runs', 'PUT /api/v2/settings']) expect(ROUTE_SCOPES[r]).toEqual(['admin'])
    expect(scopesFor('POST', '/mcp')).toEqual(['run'])
    expect(scopesFor('HEAD', '/api/v1/data/:runId')).toEqual(['run'])
    expect(scopesFor('POST', '/api/v2/brand-new')).toEqual(['admin'])
  })
})
