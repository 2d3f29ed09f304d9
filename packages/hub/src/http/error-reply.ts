import { PatchbayError } from '@patchbay/core'
import { bodyTooLargeError } from './request-guards.js'

/** What the error mapping needs to know of the request that failed. */
export interface FailedRequest {
  /** The route as registered, if one matched. */
  readonly routeOptions: { readonly url?: string | undefined; readonly bodyLimit?: number | undefined }
  /** The request's logger: an unexpected error is logged with its stack, never answered with it. */
  readonly log: { error(obj: object, msg: string): void; warn(obj: object, msg: string): void }
}

/**
 * The one error mapping of the hub's HTTP API: any error a route (or Fastify, or the fast lane)
 * raised, as the {@link PatchbayError} to answer with. Errors that are not the caller's fault
 * answer INTERNAL with no detail, and are logged; nothing of a secret or a stack reaches the body.
 *
 * @example
 * ```ts
 * const e = toPatchbayError(err, req, deps.maxBodyBytes)
 * reply.status(e.status).send(e.toBody())
 * ```
 */
export function toPatchbayError(err: unknown, req: FailedRequest, maxBodyBytes: number): PatchbayError {
  let e: PatchbayError
  const code = (err as { code?: string }).code
  const statusCode = (err as { statusCode?: unknown }).statusCode
  if (err instanceof PatchbayError) e = err
  else if (code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
    const limit = req.routeOptions.bodyLimit ?? maxBodyBytes
    e = bodyTooLargeError(limit, req.routeOptions.url === '/api/v2/admin/integrations' ? 'PATCHBAY_MAX_ADMIN_BODY_BYTES' : 'PATCHBAY_MAX_BODY_BYTES')
  } else if (code === 'FST_ERR_CTP_INVALID_JSON_BODY' || code === 'FST_ERR_CTP_EMPTY_JSON_BODY') {
    e = new PatchbayError('INVALID_JSON', 'The request body is not valid JSON; send a JSON object with Content-Type: application/json')
  } else if (code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') {
    e = new PatchbayError('VALIDATION', 'Unsupported Content-Type; send JSON with Content-Type: application/json', { status: 415 })
  } else if (typeof statusCode === 'number' && statusCode < 500) {
    e = new PatchbayError('VALIDATION', (err as Error).message, { status: statusCode })
  } else {
    req.log.error({ err }, 'unexpected error')
    e = new PatchbayError('INTERNAL', 'Internal error; the hub log has the details')
  }
  if (e.status >= 500 && e.code !== 'INTERNAL') req.log.warn({ code: e.code }, e.message)
  return e
}
