/**
 * Guards every request gets before and after its route: the server's timeouts against slow
 * clients, one value per query parameter, and the response headers of an API that serves
 * credentials-bearing JSON (docs/security.md).
 */
import type { FastifyInstance, FastifyServerOptions } from 'fastify'
import { PatchbayError } from '@patchbay/core'
import type { HubLimits } from '../limits.js'

/**
 * The Fastify options that bound how long a client may take: the whole request, its headers, an
 * idle keep-alive connection and a silent socket. Node checks the first two on a timer, every
 * `connectionsCheckingInterval` (30 s by default), so it is tightened to keep the bounds close.
 *
 * @example
 * ```ts
 * const app = Fastify({ ...serverTimeouts(DEFAULT_LIMITS) })
 * ```
 */
export function serverTimeouts(limits: HubLimits): Pick<FastifyServerOptions, 'requestTimeout' | 'connectionTimeout' | 'keepAliveTimeout'> & {
  http: { headersTimeout: number; connectionsCheckingInterval: number }
} {
  const tightest = Math.min(limits.requestTimeoutMs, limits.headersTimeoutMs)
  return {
    requestTimeout: limits.requestTimeoutMs,
    connectionTimeout: limits.connectionTimeoutMs,
    keepAliveTimeout: limits.keepAliveTimeoutMs,
    http: { headersTimeout: limits.headersTimeoutMs, connectionsCheckingInterval: Math.max(50, Math.min(1_000, Math.floor(tightest / 4))) },
  }
}

/** Whether the request announced a body (which may still be arriving when it is answered). */
function hasBody(headers: Record<string, string | string[] | undefined>): boolean {
  const length = headers['content-length']
  return (typeof length === 'string' && length !== '0') || headers['transfer-encoding'] !== undefined
}

/**
 * Registers the guards:
 *
 * - a query parameter given twice (`?ids=a&ids=b`) answers 400 naming it, before any route reads
 *   it as a string;
 * - every answer carries `X-Content-Type-Options: nosniff` and, unless the route chose otherwise,
 *   `Cache-Control: no-store` (answers hold connection records and tool schemas);
 * - a 401 to a request with a body closes the connection, so an unauthenticated client cannot
 *   keep a socket busy by dripping the rest of its body.
 */
export function registerRequestGuards(app: FastifyInstance): void {
  // Callback hooks, not async ones: an async hook costs a promise and a microtask per request.
  app.addHook('onRequest', (req, _reply, done) => {
    const query = req.query
    if (typeof query === 'object' && query !== null) {
      for (const name in query) {
        const value = (query as Record<string, unknown>)[name]
        if (Array.isArray(value)) {
          done(
            new PatchbayError(
              'VALIDATION',
              `The query parameter ${JSON.stringify(name.slice(0, 100))} is given ${value.length} times; send it once (several values go comma-separated in one parameter, e.g. ids=a,b)`,
            ),
          )
          return
        }
      }
    }
    done()
  })
  app.addHook('onSend', (req, reply, payload, done) => {
    void reply.header('x-content-type-options', 'nosniff')
    if (!reply.hasHeader('cache-control')) void reply.header('cache-control', 'no-store')
    if (reply.statusCode === 401 && hasBody(req.headers)) void reply.header('connection', 'close')
    done(null, payload)
  })
}

/** The 413 for a body over `limit` bytes, naming the setting that raises it. */
export function bodyTooLargeError(limit: number, setting: string): PatchbayError {
  return new PatchbayError('PAYLOAD_TOO_LARGE', `The request body is larger than ${limit} bytes; send less data per call (the operator sets the limit with ${setting})`)
}

/** Longest search text (`q`) accepted: SQLite refuses LIKE patterns over 50,000 bytes, and no name is this long. */
export const MAX_QUERY_TEXT = 1_000

/**
 * Checks a free-text parameter (a search `q`) before it reaches the database.
 *
 * @throws {PatchbayError} VALIDATION naming the parameter and the limit.
 */
export function checkTextParam(value: string, name: string, max = MAX_QUERY_TEXT): string {
  if (value.length > max) throw new PatchbayError('VALIDATION', `${name} is ${value.length} characters long; send at most ${max}`)
  return value
}
