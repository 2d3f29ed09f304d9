/**
 * Throttling of API-key guessing: failed key checks are counted per client address with
 * `@fastify/rate-limit`; past the limit the address is answered 429 for the rest of the window,
 * before its key is even looked up, so a right guess cannot be told from a wrong one. Legitimate
 * clients behind the same address are refused too during that window: the price of the guarantee.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import rateLimit from '@fastify/rate-limit'
import { LRUCache } from 'lru-cache'
import { PatchbayError } from '@patchbay/core'
import { keyFingerprint } from '../tenants/api-keys.js'

/** What {@link AuthFailureGuard} is built with. */
export interface AuthFailureGuardConfig {
  /** Failed checks allowed per address and window. */
  maxFailures: number
  windowMs: number
}

type Limiter = (req: FastifyRequest) => Promise<{ isExceeded: boolean; ttl: number }>

/**
 * Counts failed API-key checks per client address (`request.ip`: the socket's address unless the
 * operator configures Fastify's `trustProxy`).
 *
 * @example
 * ```ts
 * const guard = new AuthFailureGuard(app, { maxFailures: 20, windowMs: 60_000 })
 * guard.check(req, reply) // throws 429 while the address is blocked
 * ```
 */
export class AuthFailureGuard {
  readonly #app: FastifyInstance
  readonly #config: AuthFailureGuardConfig
  #limiter: Limiter | undefined
  /** Blocked addresses → until (ms); bounded, so a flood of addresses cannot grow it without end. */
  readonly #blocked = new LRUCache<string, number>({ max: 50_000 })

  /** Registers `@fastify/rate-limit` on `app`, with no route limit of its own: only {@link failed} counts. */
  constructor(app: FastifyInstance, config: AuthFailureGuardConfig) {
    this.#app = app
    this.#config = config
    void app.register(rateLimit, { global: false })
  }

  /** Whether `address` is answered 429 now (the fast lane hands such a request to Fastify). */
  isBlocked(address: string | undefined): boolean {
    if (address === undefined) return false
    const until = this.#blocked.get(address)
    return until !== undefined && until > Date.now()
  }

  /** @throws {PatchbayError} TOO_MANY_REQUESTS (and sets `Retry-After`) while `req`'s address is blocked. */
  check(req: FastifyRequest, reply: FastifyReply): void {
    const until = this.#blocked.get(req.ip)
    if (until === undefined) return
    const left = until - Date.now()
    if (left <= 0) {
      this.#blocked.delete(req.ip)
      return
    }
    throw this.#tooMany(reply, left)
  }

  /**
   * Records a failed key check from `req`'s address and logs it at warn with the address and the
   * presented key's fingerprint (a hash prefix, never part of the key).
   *
   * @throws {PatchbayError} TOO_MANY_REQUESTS when this failure crosses the limit.
   */
  async failed(req: FastifyRequest, reply: FastifyReply, key: string): Promise<void> {
    this.#limiter ??= (this.#app as unknown as { createRateLimit(o: object): Limiter }).createRateLimit({
      max: this.#config.maxFailures,
      timeWindow: this.#config.windowMs,
      keyGenerator: (r: FastifyRequest) => r.ip,
    })
    const r = await this.#limiter(req)
    req.log.warn({ clientAddress: req.ip, keyFingerprint: keyFingerprint(key), url: req.url.split('?')[0] }, 'unknown API key')
    if (!r.isExceeded) return
    const ttl = Math.max(1_000, r.ttl)
    this.#blocked.set(req.ip, Date.now() + ttl)
    req.log.warn({ clientAddress: req.ip, forMs: ttl }, `too many unknown API keys from ${req.ip}: answering 429 for ${Math.ceil(ttl / 1000)} s`)
    throw this.#tooMany(reply, ttl)
  }

  #tooMany(reply: FastifyReply, ms: number): PatchbayError {
    const s = Math.ceil(ms / 1000)
    void reply.header('retry-after', String(s))
    return new PatchbayError('TOO_MANY_REQUESTS', `Too many unknown API keys from your address; wait ${s} s, then retry with a valid key`)
  }
}
