import type { FastifyInstance, FastifyRequest } from 'fastify'
import { PatchbayError, isAuthenticationSchema, isOAuthSchema } from '@patchbay/core'
import type { Integration } from '../catalog/catalog.js'
import { integrationLookup } from '../catalog/find-integration.js'
import { OAUTH_CALLBACK_PATH } from './oauth-callback-route.js'
import { baseUrlOf, requireObject } from './request.js'
import type { ServerDeps } from './server-deps.js'

/**
 * `/admin/oauth-apps`: the OAuth apps of the caller's tenant (client id/secret per integration),
 * listed, read, set and deleted; secrets are write-only.
 */
export function registerOAuthAppRoutes(app: FastifyInstance, deps: Pick<ServerDeps, 'catalog' | 'tenantIntegrations' | 'oauthApps' | 'publicUrl'>): void {
  const findIntegration = integrationLookup(deps.catalog, deps.tenantIntegrations)
  const callbackUrl = (req: FastifyRequest) => `${baseUrlOf(deps.publicUrl, req)}${OAUTH_CALLBACK_PATH}`
  const integrationOf = async (tenantId: string, id: string): Promise<Integration> => {
    const integration = await findIntegration(tenantId, id)
    if (!integration) throw new PatchbayError('NOT_FOUND', `No integration ${id} in the catalog; use its id (e.g. slack) or model id`)
    const oauthSchemes = Object.keys(integration.definition.auth).filter((s) => isAuthenticationSchema(s) && isOAuthSchema(s))
    if (oauthSchemes.length === 0) throw new PatchbayError('VALIDATION', `${integration.definition.name} has no OAuth scheme; it needs no OAuth app`)
    return integration
  }
  const listSchema = {
    summary: "The tenant's OAuth apps (never their secrets) and the redirect URL to register with providers",
    tags: ['oauth'],
    response: {
      200: {
        type: 'object',
        additionalProperties: true,
        required: ['items', 'redirectUrl'],
        properties: { items: { type: 'array', items: { type: 'object', additionalProperties: true } }, redirectUrl: { type: 'string' } },
      },
    },
  }
  app.get('/admin/oauth-apps', { schema: listSchema }, async (req) => ({ items: await deps.oauthApps.list(req.tenantId), redirectUrl: callbackUrl(req) }))
  app.get<{ Params: { integration: string } }>('/admin/oauth-apps/:integration', async (req) => {
    const integration = await integrationOf(req.tenantId, req.params.integration)
    const found = (await deps.oauthApps.list(req.tenantId)).find((a) => a.integrationId === integration.modelId)
    if (!found) throw new PatchbayError('NOT_FOUND', `No OAuth app set for ${integration.definition.name}; set one with PUT /admin/oauth-apps/${integration.definition.id}`)
    return { ...found, integration: integration.definition.id, redirectUrl: callbackUrl(req) }
  })
  app.put<{ Params: { integration: string } }>('/admin/oauth-apps/:integration', async (req) => {
    const integration = await integrationOf(req.tenantId, req.params.integration)
    const body = requireObject(req.body, 'OAuth app')
    const saved = await deps.oauthApps.set(req.tenantId, integration.modelId, {
      clientId: body['clientId'] ?? body['client_id'],
      clientSecret: body['clientSecret'] ?? body['client_secret'],
      scopes: body['scopes'],
      signingSecret: body['signingSecret'] ?? body['signing_secret'],
    })
    return { ...saved, integration: integration.definition.id, redirectUrl: callbackUrl(req) }
  })
  app.delete<{ Params: { integration: string } }>('/admin/oauth-apps/:integration', async (req) => {
    const integration = await integrationOf(req.tenantId, req.params.integration)
    if (!(await deps.oauthApps.delete(req.tenantId, integration.modelId))) {
      throw new PatchbayError('NOT_FOUND', `No OAuth app set for ${integration.definition.name}`)
    }
    return { integration: integration.definition.id, deleted: true }
  })
}
