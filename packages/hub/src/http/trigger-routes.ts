import type { FastifyInstance } from 'fastify'
import { PatchbayError, type ExecuteSuccess } from '@patchbay/core'
import { success, type ExecuteTarget } from '../connections/execute.js'
import { INBOUND_PATH } from '../events/triggers/trigger-secrets.js'
import { baseUrlOf, requireObject } from './request.js'
import { requireScopes, type CallerRequest } from './require-scope.js'
import type { ServerDeps } from './server-deps.js'

/** Whether `path` is an inbound webhook URL (public: the token finds the trigger, the signature proves the sender). */
export function isInboundTriggerPath(path: string): boolean {
  return path.startsWith(INBOUND_PATH) && path.length > INBOUND_PATH.length && !path.slice(INBOUND_PATH.length).includes('/')
}

/**
 * Triggers (docs/triggers.md): instances on a connection (`/api/v2/connections/{id}/triggers`),
 * aiXplain's v1 trigger records (`/v1/triggers`, a bare array for the list), and the inbound
 * webhook URL (`POST /api/v2/triggers/inbound/{token}`, no API key), which reads the raw body
 * bytes (a content-type parser scoped to that route) so the signature is checked over exactly
 * what the service signed.
 */
export function registerTriggerRoutes(app: FastifyInstance, deps: Pick<ServerDeps, 'triggers' | 'publicUrl' | 'maxBodyBytes'>): void {
  const { instances, aixplain, inbound } = deps.triggers
  type ConnParams = { Params: { id: string } }
  type TriggerParams = { Params: { id: string; triggerId: string } }

  app.post<ConnParams>('/api/v2/connections/:id/triggers', async (req, reply) => {
    const body = requireObject(req.body, 'trigger')
    const activated = await instances.activate(req.tenantId, req.params.id, { slug: body['slug'], config: body['config'] }, baseUrlOf(deps.publicUrl, req))
    return reply.code(201).send(activated)
  })
  app.get<ConnParams>('/api/v2/connections/:id/triggers', async (req) => ({ items: await instances.list(req.tenantId, req.params.id, baseUrlOf(deps.publicUrl, req)) }))
  app.patch<TriggerParams>('/api/v2/connections/:id/triggers/:triggerId', async (req) => {
    const body = requireObject(req.body, 'trigger')
    return instances.setEnabled(req.tenantId, req.params.id, req.params.triggerId, body['enabled'], baseUrlOf(deps.publicUrl, req))
  })
  app.delete<TriggerParams>('/api/v2/connections/:id/triggers/:triggerId', async (req) => {
    await instances.remove(req.tenantId, req.params.id, req.params.triggerId)
    return { triggerId: req.params.triggerId, deleted: true }
  })

  app.post('/v1/triggers', async (req, reply) => reply.code(201).send(await aixplain.create(req.tenantId, requireObject(req.body, 'trigger'))))
  app.get<{ Querystring: Record<string, string | undefined> }>('/v1/triggers', async (req) => aixplain.list(req.tenantId, req.query['agentId'] || undefined))
  app.get<{ Params: { id: string } }>('/v1/triggers/:id', async (req) => aixplain.get(req.tenantId, req.params.id))
  app.put<{ Params: { id: string } }>('/v1/triggers/:id', async (req) => aixplain.update(req.tenantId, req.params.id, requireObject(req.body, 'trigger')))
  app.delete<{ Params: { id: string } }>('/v1/triggers/:id', async (req) => {
    await aixplain.remove(req.tenantId, req.params.id)
    return { id: req.params.id, deleted: true }
  })

  // The inbound URL, in a context of its own: its body parser keeps the raw bytes of any content type.
  void app.register(async (scoped) => {
    scoped.removeAllContentTypeParsers()
    scoped.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: deps.maxBodyBytes }, (_req, body, done) => done(null, body))
    scoped.post<{ Params: { token: string } }>(`${INBOUND_PATH}:token`, { bodyLimit: deps.maxBodyBytes }, async (req) => {
      const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0)
      return inbound.receive(req.params.token, req.headers, body)
    })
  })
}

/** Whether an execute body is `activate_trigger` or `delete_trigger` (see {@link executeTriggerAction}). */
export function isTriggerAction(body: Record<string, unknown>): boolean {
  return body['action'] === 'activate_trigger' || body['action'] === 'delete_trigger'
}

/**
 * aiXplain's trigger actions on the execute endpoint of a connection: `{"action":
 * "activate_trigger", "data": {"slug", "config"}}` → `data: {trigger_id, webhook_url?, secret?}`
 * and `{"action": "delete_trigger", "data": {"trigger_id"}}`; `undefined` for any other action.
 * They need the `connect` scope, as the REST routes do.
 */
export async function executeTriggerAction(
  deps: Pick<ServerDeps, 'triggers' | 'publicUrl'>,
  req: CallerRequest,
  target: ExecuteTarget,
  body: Record<string, unknown>,
): Promise<ExecuteSuccess | undefined> {
  const action = body['action']
  if (action !== 'activate_trigger' && action !== 'delete_trigger') return undefined
  const started = performance.now()
  requireScopes(req, ['connect'])
  if (target.kind !== 'connection') {
    throw new PatchbayError('VALIDATION', `${action} runs on a connection: connect ${target.integration.definition.name} first, then send it to the connection id`)
  }
  const data = requireObject(body['data'], action)
  if (action === 'activate_trigger') {
    const a = await deps.triggers.instances.activate(req.tenantId, target.connection.id, { slug: data['slug'], config: data['config'] }, baseUrlOf(deps.publicUrl, req))
    return success({ trigger_id: a.triggerId, ...(a.webhookUrl ? { webhook_url: a.webhookUrl } : {}), ...(a.secret ? { secret: a.secret } : {}) }, started)
  }
  const id = data['trigger_id'] ?? data['triggerId']
  if (typeof id !== 'string' || id === '') throw new PatchbayError('VALIDATION', 'data.trigger_id is required: the id activate_trigger answered')
  await deps.triggers.instances.remove(req.tenantId, target.connection.id, id)
  return success({ trigger_id: id, deleted: true }, started)
}
