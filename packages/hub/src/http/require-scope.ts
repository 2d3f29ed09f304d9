import { PatchbayError } from '@patchbay/core'
import { allows, type KeyScope } from '../tenants/key-scopes.js'

/**
 * What a scope check reads of a request: a Fastify request is one, and so is the execute route's
 * fast lane's (fast-execute.ts), which serves without Fastify.
 */
export interface ScopedRequest {
  readonly keyScopes: readonly KeyScope[]
  readonly method: string
  readonly url: string
  /** The route as registered (`/api/v2/execute/:id`). */
  readonly routeOptions: { readonly url?: string | undefined }
}

/**
 * An authenticated request as the execute routes read it: who calls (tenant, key, scopes) and the
 * origin it reached the hub at, for the absolute URLs they answer (`baseUrlOf`).
 */
export interface CallerRequest extends ScopedRequest {
  readonly tenantId: string
  readonly keyId: string
  readonly protocol: string
  readonly host: string
}

/**
 * Refuses (403 FORBIDDEN, naming the scope) a request whose key holds none of `needed`.
 *
 * @throws {PatchbayError} FORBIDDEN.
 */
export function requireScopes(req: ScopedRequest, needed: readonly KeyScope[]): void {
  if (allows(req.keyScopes, needed)) return
  const names = needed.map((s) => `'${s}'`).join(' or ')
  throw new PatchbayError(
    'FORBIDDEN',
    `This API key lacks the ${names} scope needed for ${req.method} ${req.routeOptions.url ?? req.url.split('?')[0]}; it has ${req.keyScopes.map((s) => `'${s}'`).join(', ') || 'none'}. Use a key with that scope (an admin creates one with POST /api/v2/keys or \`patchbay keys create --scope ${needed[0]}\`)`,
  )
}
