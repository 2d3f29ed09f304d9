/**
 * The fast lane of the hub's hottest route, `POST /api/v2/execute/{connection id}`: the action
 * run. It is served from node:http directly, without Fastify's request lifecycle (the routing,
 * the hook chain, the reply object and its serialisation), which with the hub's hooks cost more
 * CPU than the run itself needs: measured with bench/compare.ts, a route answering a fixed body
 * through the hub's Fastify app used ~127 µs of CPU per request against ~40 µs for node:http
 * (docs/performance.md, "The fast lane"). Fastify has no per-route escape from its lifecycle,
 * so this is hand-written; it is small because it does only the hot case and does it with the
 * same pieces as the route:
 *
 * - The lane takes only what it can answer exactly as the route would: `POST`, the path and a
 *   24-hex id with no query string, a JSON body of declared length within the body limit, an
 *   API key, a server that is not closing and a client address that is not blocked for guessing
 *   keys. Everything else goes to Fastify untouched.
 * - The key is resolved by the same resolver. An unknown key, a key without the route's scope,
 *   or a failing lookup hands the request to Fastify, whose hooks answer it (401 with the
 *   failed-key throttling, 403, the error mapping): the body is not read before that point.
 * - The body is parsed by Fastify's own JSON parser (prototype poisoning refused); the run is
 *   {@link executeV2}, the route's own implementation; errors go through the route's error
 *   mapping ({@link toPatchbayError}); the answer carries the same headers as every Fastify
 *   answer (`x-request-id`, `x-content-type-options`, `cache-control: no-store`); and the
 *   access line is written by the same {@link AccessLogger}.
 *
 * `app.inject()` does not go through a server, so tests that inject exercise the Fastify route;
 * the two are held to the same answers by test/e2e/fast-execute-parity.test.ts.
 */
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { TLSSocket } from 'node:tls'
import type { Logger } from 'pino'
import { PatchbayError } from '@patchbay/core'
import type { AccessLogger } from '../logger.js'
import { metrics } from '../metrics/metrics.js'
import { allows } from '../tenants/key-scopes.js'
import type { AuthFailureGuard } from './auth-failures.js'
import { toPatchbayError, type FailedRequest } from './error-reply.js'
import { executeV2 } from './execute-routes.js'
import { apiKeyOf } from './request.js'
import type { CallerRequest } from './require-scope.js'
import { scopesFor } from './route-scopes.js'
import type { ServerDeps } from './server-deps.js'

/** A node:http request handler (Fastify's, for what the lane does not take). */
export type NodeHandler = (req: IncomingMessage, res: ServerResponse) => void

/** The lane: serves `req` or hands it to `fallback`. */
export type FastLane = (req: IncomingMessage, res: ServerResponse, fallback: NodeHandler) => void

/** What the lane shares with the Fastify app it sits in front of (server.ts). */
export interface FastLaneParts {
  /** The app's access logger: one line per request, whichever path served it. */
  access: AccessLogger
  /** The app's failed-key throttling: a blocked address goes to Fastify, which answers 429. */
  authFailures: AuthFailureGuard
  /** Fastify's JSON parser as the app configured it (`app.getDefaultJsonParser`). */
  parseJson: (req: never, body: string, done: (err: Error | null, body?: unknown) => void) => void
  /** Whether the app is closing (Fastify then answers 503, so the lane hands over). */
  closing: () => boolean
  /** A request id as the app makes them (the client's safe `x-request-id`, else a UUID). */
  requestId: (req: IncomingMessage) => string
}

const PREFIX = '/api/v2/execute/'
const ROUTE = '/api/v2/execute/:id'
const HEX24 = /^[0-9a-f]{24}$/
const JSON_TYPE = /^application\/json(?:\s*;\s*charset=utf-8)?$/i
const NEEDED = scopesFor('POST', ROUTE)
const SERVED = { outcome: 'served' } as const
const HANDED_OVER = { outcome: 'handed_over' } as const

/**
 * Builds the lane for a hub's services (see the file comment for what it takes and what it does).
 *
 * @example
 * ```ts
 * const lane = createFastLane(deps, { access, authFailures, parseJson, closing: () => closing, requestId })
 * http.createServer((req, res) => lane(req, res, fastifyHandler))
 * ```
 */
export function createFastLane(deps: ServerDeps, parts: FastLaneParts): FastLane {
  const routeOptions = { url: ROUTE, bodyLimit: deps.maxBodyBytes }

  /** The API key of a request the lane may take, else undefined (Fastify takes it). */
  function keyOf(req: IncomingMessage): string | undefined {
    if (req.method !== 'POST') return undefined
    const url = req.url as string
    if (url.length !== PREFIX.length + 24 || !url.startsWith(PREFIX) || !HEX24.test(url.slice(PREFIX.length))) return undefined
    const h = req.headers
    const type = h['content-type']
    if (type === undefined || !JSON_TYPE.test(type) || h['transfer-encoding'] !== undefined) return undefined
    const length = Number(h['content-length'])
    if (!Number.isInteger(length) || length <= 0 || length > deps.maxBodyBytes) return undefined
    if (parts.closing() || parts.authFailures.isBlocked(req.socket.remoteAddress)) return undefined
    return apiKeyOf(h)
  }

  async function serve(req: IncomingMessage, res: ServerResponse, key: string, fallback: NodeHandler): Promise<void> {
    const started = performance.now()
    let resolved: Awaited<ReturnType<ServerDeps['keys']['resolve']>>
    try {
      resolved = await deps.keys.resolve(key)
    } catch {
      resolved = undefined
    }
    // Fastify's hooks answer these (401 and its throttling, 403, a failed lookup's 500).
    if (!resolved || !allows(resolved.scopes, NEEDED)) {
      metrics.fastLane.inc(HANDED_OVER)
      return fallback(req, res)
    }
    metrics.fastLane.inc(SERVED)

    const reqId = parts.requestId(req)
    let log: Logger | undefined
    const failed: FailedRequest = {
      routeOptions,
      get log() {
        log ??= deps.logger.child({ reqId })
        return log
      },
    }
    let status = 200
    let payload: unknown
    let close = false
    try {
      const text = await readBody(req)
      let parsed: unknown
      let parseError: Error | null = null
      parts.parseJson(req as never, text, (err, body) => {
        parseError = err
        parsed = body
      })
      if (parseError) {
        // As Fastify does after a body it could not parse, the connection is not kept.
        close = true
        throw parseError
      }
      const caller: CallerRequest = {
        tenantId: resolved.tenantId,
        keyId: resolved.keyId,
        keyScopes: resolved.scopes,
        method: 'POST',
        url: req.url as string,
        routeOptions,
        protocol: (req.socket as TLSSocket).encrypted ? 'https' : 'http',
        host: req.headers.host ?? '',
      }
      payload = await executeV2(deps, caller, (req.url as string).slice(PREFIX.length), parsed)
    } catch (err) {
      if (res.destroyed) return
      const e = toPatchbayError(err, failed, deps.maxBodyBytes)
      status = e.status
      payload = e.toBody()
    }
    if (res.destroyed) return
    let text: string
    try {
      text = JSON.stringify(payload)
    } catch (err) {
      const e = toPatchbayError(err, failed, deps.maxBodyBytes)
      status = e.status
      text = JSON.stringify(e.toBody())
    }
    res.writeHead(status, [
      'x-request-id',
      reqId,
      'content-type',
      'application/json; charset=utf-8',
      'x-content-type-options',
      'nosniff',
      'cache-control',
      'no-store',
      'content-length',
      String(Buffer.byteLength(text)),
      ...(close ? ['connection', 'close'] : []),
    ])
    res.end(text)
    parts.access.write({
      reqId,
      method: 'POST',
      route: ROUTE,
      status,
      ms: Math.round((performance.now() - started) * 100) / 100,
      tenant: resolved.tenantId,
      keyId: resolved.keyId || undefined,
    })
  }

  return (req, res, fallback) => {
    const key = keyOf(req)
    if (key === undefined) return fallback(req, res)
    serve(req, res, key, fallback).catch((err: unknown) => {
      // Nothing above throws past its own catch; if it ever does, the request ends, the process doesn't.
      deps.logger.error({ err }, 'fast lane failed')
      if (res.destroyed) return
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' })
      res.end(res.headersSent ? undefined : JSON.stringify(new PatchbayError('INTERNAL', 'Internal error; the hub log has the details').toBody()))
    })
  }
}

/** The body as text (its length is declared and within the limit: node:http stops at it). */
function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let raw = ''
    req.setEncoding('utf8')
    req.on('data', (chunk: string) => {
      raw += chunk
    })
    req.once('end', () => resolve(raw))
    req.once('error', reject)
    req.once('close', () => {
      if (!req.complete) reject(new Error('the client went away before its body arrived'))
    })
  })
}
