import { PatchbayError } from '@patchbay/core'
import type { FastifyInstance } from 'fastify'
import type { ApiKeyRow } from '../store/store.js'
import { createApiKey } from '../tenants/api-keys.js'
import { isKeyScope, KEY_SCOPES, parseScopes, type KeyScope } from '../tenants/key-scopes.js'
import { requireObject } from './request.js'
import type { ServerDeps } from './server-deps.js'

/** A key as listed: never its hash, never the key. */
function keyView(row: ApiKeyRow) {
  return { id: row.id, name: row.name, fingerprint: row.prefix, scopes: parseScopes(row.scopes), createdAt: row.created_at }
}

function scopesOf(value: unknown): KeyScope[] {
  if (value === undefined) return ['admin']
  if (!Array.isArray(value) || value.length === 0 || !value.every(isKeyScope)) {
    throw new PatchbayError('VALIDATION', `scopes must be a non-empty array of ${KEY_SCOPES.map((s) => `"${s}"`).join(', ')}; e.g. {"name": "agent", "scopes": ["run"]}`)
  }
  return [...new Set(value)]
}

/**
 * The tenant's API keys (admin scope, see route-scopes.ts): list, create (the key is answered
 * once), revoke (every process refuses it on its next request).
 */
export function registerKeyRoutes(app: FastifyInstance, deps: ServerDeps): void {
  app.get('/api/v2/keys', async (req) => ({ items: (await deps.store.tenants.listApiKeys(req.tenantId)).map(keyView) }))

  app.post('/api/v2/keys', async (req, reply) => {
    const body = requireObject(req.body, 'key')
    const name = typeof body['name'] === 'string' ? body['name'].trim() : ''
    if (!name || name.length > 200) throw new PatchbayError('VALIDATION', 'name is required (1-200 characters): a label for who or what uses the key')
    const scopes = scopesOf(body['scopes'])
    const created = await createApiKey(deps.store, { name, tenantId: req.tenantId, scopes })
    const row = (await deps.store.tenants.listApiKeys(req.tenantId)).find((k) => k.id === created.keyId) as ApiKeyRow
    void reply.status(201)
    return { ...keyView(row), key: created.key }
  })

  app.delete<{ Params: { id: string } }>('/api/v2/keys/:id', async (req, reply) => {
    if (!(await deps.store.tenants.revokeApiKey(req.tenantId, req.params.id))) {
      throw new PatchbayError('NOT_FOUND', `No API key ${req.params.id}; list them with GET /api/v2/keys`)
    }
    void reply.status(204)
  })
}
