import { PatchbayError } from '@patchbay/core'
import type { FastifyInstance } from 'fastify'
import type { RunLogRow } from '../store/store.js'
import { int, requireObject } from './request.js'
import type { ServerDeps } from './server-deps.js'

/** A run log row as the API answers it. */
export function runView(r: RunLogRow) {
  return {
    id: r.id,
    time: r.created_at,
    connectionId: r.connection_id,
    endUserId: r.end_user_id,
    integrationId: r.integration_id,
    action: r.action,
    status: r.status,
    httpStatus: r.http_status,
    durationMs: r.duration_ms,
    errorCode: r.error_code,
    errorMessage: r.error_message,
    keyId: r.key_id,
    ...(r.input_excerpt !== null ? { inputExcerpt: r.input_excerpt } : {}),
    ...(r.output_excerpt !== null ? { outputExcerpt: r.output_excerpt } : {}),
  }
}

type RunsQuery = { connection?: string; action?: string; status?: string; after?: string; limit?: string }

/**
 * The run log (`GET /api/v2/runs`, newest first, cursor `after`) and the tenant's settings
 * (`GET`/`PUT /api/v2/settings`: `{ runLogExcerpts }`). Admin scope (route-scopes.ts).
 */
export function registerRunLogRoutes(app: FastifyInstance, deps: ServerDeps): void {
  app.get<{ Querystring: RunsQuery }>('/api/v2/runs', async (req) => {
    const q = req.query
    const status = q.status?.toUpperCase()
    if (status !== undefined && status !== 'SUCCESS' && status !== 'FAILED') {
      throw new PatchbayError('VALIDATION', 'status must be SUCCESS or FAILED')
    }
    if (q.after !== undefined && !/^[0-9a-z]{21}$/.test(q.after)) {
      throw new PatchbayError('VALIDATION', 'after must be the `next` cursor of a previous page')
    }
    const limit = int(q.limit, 'limit', 50, 1, 500)
    const rows = await deps.store.runLog.listRunLog(req.tenantId, { ...q, ...(status ? { status } : {}), limit: limit + 1 })
    const items = rows.slice(0, limit).map(runView)
    return { items, next: rows.length > limit ? (items[items.length - 1]?.id ?? null) : null }
  })

  app.get('/api/v2/settings', async (req) => ({ runLogExcerpts: await deps.store.runLog.runLogExcerpts(req.tenantId) }))

  app.put('/api/v2/settings', async (req) => {
    const body = requireObject(req.body, 'settings')
    const v = body['runLogExcerpts']
    if (typeof v !== 'boolean') throw new PatchbayError('VALIDATION', 'runLogExcerpts must be true or false: whether the run log keeps bounded, redacted input/output excerpts')
    await deps.store.runLog.setRunLogExcerpts(req.tenantId, v)
    return { runLogExcerpts: v }
  })
}
