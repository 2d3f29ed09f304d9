import type { FastifyInstance } from 'fastify'
import { PatchbayError, type ExecuteFailure, type ExecuteSuccess } from '@patchbay/core'
import { execute, executeAsync, isEndUserRun, resolveTarget } from '../connections/execute.js'
import { baseUrlOf, requireObject } from './request.js'
import type { ServerDeps } from './server-deps.js'
import { requireScopes, type CallerRequest } from './require-scope.js'
import type { ExecuteTarget } from '../connections/execute.js'
import { executeTriggerAction, isTriggerAction } from './trigger-routes.js'

const DISCOVERY = ['LIST_ACTIONS', 'LIST_INPUTS', 'LIST_TOOLS', 'list_trigger_types']

/** The finer scope of an execute body: a connect needs `connect`, an action run `run`; discovery any. */
function requireExecuteScope(req: CallerRequest, target: ExecuteTarget, body: Record<string, unknown>): void {
  const action = body['action']
  if (typeof action === 'string' && DISCOVERY.includes(action)) return
  // An action run for an end user names the integration but runs on that user's connection.
  requireScopes(req, [target.kind === 'integration' && !isEndUserRun(target, body) ? 'connect' : 'run'])
}

/**
 * The sync execute (E6) on `id` with a parsed JSON body, for an authenticated caller whose key
 * passed the route's scope: the one implementation behind the Fastify route and the fast lane.
 *
 * @throws {PatchbayError} for a request that is wrong (mapped to its status by the error mapping).
 */
export async function executeV2(deps: ServerDeps, req: CallerRequest, id: string, rawBody: unknown): Promise<ExecuteSuccess | ExecuteFailure> {
  const body = requireObject(rawBody, 'execute')
  const target = await resolveTarget(deps, req.tenantId, id)
  if (isTriggerAction(body)) {
    const done = await executeTriggerAction(deps, req, target, body)
    if (done) return done
  }
  requireExecuteScope(req, target, body)
  return execute(deps, req.tenantId, target, body, { keyId: req.keyId, baseUrl: baseUrlOf(deps.publicUrl, req) })
}

/**
 * aiXplain's execute endpoints (§3): the sync v2 execute (E6), its v1 twin that runs actions
 * asynchronously (E7), and the poll of an asynchronous run (E8).
 */
export function registerExecuteRoutes(app: FastifyInstance, deps: ServerDeps): void {
  // E6: the sync execute endpoint. Over a real socket, most of its calls are served by the fast
  // lane (fast-execute.ts), which calls executeV2 too; this route serves the rest.
  app.post<{ Params: { id: string } }>('/api/v2/execute/:id', async (req) => executeV2(deps, req, req.params.id, req.body))

  // E7: the v1 twin. Action runs are asynchronous (v1 `run_async`); discovery and connect answer at once.
  app.post<{ Params: { id: string } }>('/api/v1/execute/:id', async (req) => {
    const body = requireObject(req.body, 'execute')
    const target = await resolveTarget(deps, req.tenantId, req.params.id)
    const action = body['action']
    const triggerAction = await executeTriggerAction(deps, req, target, body)
    if (triggerAction) return triggerAction
    requireExecuteScope(req, target, body)
    const isRun = target.kind === 'connection' && typeof action === 'string' && !DISCOVERY.includes(action)
    if (!isRun) return execute(deps, req.tenantId, target, body, { keyId: req.keyId, baseUrl: baseUrlOf(deps.publicUrl, req) })
    return executeAsync(deps, req.tenantId, target, body, baseUrlOf(deps.publicUrl, req), (err) => req.log.error({ err }, 'async run failed'), {
      keyId: req.keyId,
      baseUrl: baseUrlOf(deps.publicUrl, req),
    })
  })

  // E8: poll an asynchronous run.
  app.get<{ Params: { runId: string } }>('/api/v1/data/:runId', async (req, reply) => {
    const run = await deps.store.getRun(req.tenantId, req.params.runId)
    if (!run) {
      // 404 with a finished FAILED poll body: aiXplain's v1 SDK reads `completed` whatever the
      // status, and printed a bare 'completed' (its KeyError) without it.
      const e = new PatchbayError('NOT_FOUND', `No run with id ${req.params.runId} (runs are kept for one hour)`)
      return reply.status(404).send({ ...e.toBody(), status: 'FAILED', completed: true, error_message: e.message })
    }
    if (run.result === null) return { completed: false, status: 'IN_PROGRESS' }
    return JSON.parse(run.result) as unknown
  })
}
