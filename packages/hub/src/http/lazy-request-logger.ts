import type { FastifyBaseLogger } from 'fastify'

type Bindings = Record<string, unknown>
type ChildOptions = { level?: string; serializers?: unknown }
type LogFn = (...args: unknown[]) => void

/**
 * A request's logger (`req.log`) that builds its pino child, with the request id bound, only
 * when something logs through it. Fastify's default builds one per request (about 1–2 % of an
 * action run's CPU, with the redaction it carries); most requests log nothing but the access
 * line, which {@link accessLog} writes through the server's logger with the same fields.
 *
 * @example
 * ```ts
 * Fastify({ loggerInstance, childLoggerFactory: lazyChildLoggerFactory })
 * ```
 */
export class LazyRequestLogger {
  readonly #parent: FastifyBaseLogger
  readonly #bindings: Bindings
  readonly #options: ChildOptions
  #child: FastifyBaseLogger | undefined

  constructor(parent: FastifyBaseLogger, bindings: Bindings, options: ChildOptions) {
    this.#parent = parent
    this.#bindings = bindings
    this.#options = options
  }

  /** The pino child, built on first use. */
  get #logger(): FastifyBaseLogger {
    this.#child ??= this.#parent.child(this.#bindings, this.#options as never)
    return this.#child
  }

  /** The level in effect. */
  get level(): string {
    return this.#child?.level ?? this.#options.level ?? this.#parent.level
  }

  set level(level: string) {
    this.#logger.level = level
  }

  /** Whether a line at `level` would be written. */
  isLevelEnabled(level: string): boolean {
    return (this.#logger as unknown as { isLevelEnabled(l: string): boolean }).isLevelEnabled(level)
  }

  /** A child of the request's logger. */
  child(bindings: Bindings, options?: ChildOptions): FastifyBaseLogger {
    return this.#logger.child(bindings, options as never)
  }

  /** Logs at fatal. */
  fatal(...args: unknown[]): void {
    ;(this.#logger.fatal as LogFn)(...args)
  }

  /** Logs at error. */
  error(...args: unknown[]): void {
    ;(this.#logger.error as LogFn)(...args)
  }

  /** Logs at warn. */
  warn(...args: unknown[]): void {
    ;(this.#logger.warn as LogFn)(...args)
  }

  /** Logs at info. */
  info(...args: unknown[]): void {
    ;(this.#logger.info as LogFn)(...args)
  }

  /** Logs at debug. */
  debug(...args: unknown[]): void {
    ;(this.#logger.debug as LogFn)(...args)
  }

  /** Logs at trace. */
  trace(...args: unknown[]): void {
    ;(this.#logger.trace as LogFn)(...args)
  }

  /** Logs nothing. */
  silent(): void {}
}

/**
 * Fastify's `childLoggerFactory` building {@link LazyRequestLogger}s (see there).
 *
 * @example
 * ```ts
 * Fastify({ loggerInstance, childLoggerFactory: lazyChildLoggerFactory })
 * ```
 */
export function lazyChildLoggerFactory(logger: FastifyBaseLogger, bindings: Bindings, options: ChildOptions): FastifyBaseLogger {
  return new LazyRequestLogger(logger, bindings, options) as unknown as FastifyBaseLogger
}
