import { PatchbayError } from '@patchbay/core'
import type { FastifyRequest } from 'fastify'
import { allows, type KeyScope } from '../tenants/key-scopes.js'

/**
 * Refuses (403 FORBIDDEN, naming the scope) a request whose key holds none of `needed`.
 *
 * @throws {PatchbayError} FORBIDDEN.
 */
export function requireScopes(req: FastifyRequest, needed: readonly KeyScope[]): void {
  if (allows(req.keyScopes, needed)) return
  const names = needed.map((s) => `'${s}'`).join(' or ')
  throw new PatchbayError(
    'FORBIDDEN',
    `This API key lacks the ${names} scope needed for ${req.method} ${req.routeOptions.url ?? req.url.split('?')[0]}; it has ${req.keyScopes.map((s) => `'${s}'`).join(', ') || 'none'}. Use a key with that scope (an admin creates one with POST /api/v2/keys or \`patchbay keys create --scope ${needed[0]}\`)`,
  )
}
