import { PatchbayError } from '@patchbay/core'
import { findPatchbayError } from './ssrf-guard.js'

/** Why a call to a service failed at the network level, in plain words (`the connection was refused`). */
export function networkReason(cause: unknown, timeoutMs?: number): string {
  const e = (cause ?? {}) as { code?: string; name?: string }
  if (e.name === 'TimeoutError' || e.code === 'UND_ERR_HEADERS_TIMEOUT' || e.code === 'UND_ERR_BODY_TIMEOUT') {
    return timeoutMs !== undefined ? `no answer within ${timeoutMs} ms` : 'no answer in time'
  }
  if (e.code === 'UND_ERR_CONNECT_TIMEOUT') return 'the connection timed out'
  if (e.code === 'ECONNREFUSED') return 'the connection was refused'
  if (e.code === 'ENOTFOUND') return 'the host name does not resolve'
  return e.code ?? 'a network error'
}

/**
 * The one mapping of a network failure to an error: a refusal by the network policy (a
 * {@link PatchbayError} somewhere in the cause chain) is answered as it is; anything else is
 * UPSTREAM_UNREACHABLE naming the service and `where` (an origin: a full URL may carry a
 * query-string credential), with `reason` or the cause's code.
 *
 * @example
 * ```ts
 * try { res = await fetch(url) } catch (err) { throw unreachable(err, `Could not reach ${name} at ${origin}`) }
 * ```
 */
export function unreachable(cause: unknown, what: string, reason?: string): PatchbayError {
  const refused = findPatchbayError(cause)
  if (refused) return refused
  const c = cause as { code?: unknown; name?: string } | undefined
  // A numeric code (a DOMException's, e.g. 23 for a timeout) tells nobody anything: use the name.
  const why = reason ?? (c?.name === 'TimeoutError' ? 'no answer in time' : typeof c?.code === 'string' ? c.code : (c?.name ?? 'a network error'))
  return new PatchbayError('UPSTREAM_UNREACHABLE', `${what}: ${why}`, { cause })
}
