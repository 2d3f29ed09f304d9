import { pino, type DestinationStream, type Logger } from 'pino'
import type { LogLevel } from './config.js'

/**
 * Paths pino censors wherever they appear. The hub never logs request bodies or credentials on
 * purpose; this is the safety net for the day someone adds a careless log line.
 */
export const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers["x-api-key"]',
  'headers.authorization',
  'headers["x-api-key"]',
  '*.token',
  '*.access_token',
  '*.refresh_token',
  '*.password',
  '*.api_key',
  '*.apiKey',
  '*.secret',
  '*.client_secret',
  '*.secrets',
  '*.masterKey',
]

/**
 * Standard output, written in batches: lines gather until 16 KB or 100 ms have passed, then go in
 * one write (pino's default writes each line on its own, through the thread pool). Under load
 * that costs one write per ~80 lines instead of one per line, about 20 µs of CPU per request
 * (docs/performance.md); a line waits at most 100 ms, and pino flushes what is left when the
 * process exits (a SIGKILL loses at most that last 100 ms).
 */
function stdoutDestination(): DestinationStream {
  return pino.destination({ dest: 1, sync: false, minLength: 16_000, periodicFlush: 100 })
}

/**
 * The hub's logger: JSON lines with secrets redacted.
 *
 * @example
 * ```ts
 * const logger = createLogger('info')
 * ```
 */
export function createLogger(level: LogLevel, destination?: DestinationStream): Logger {
  const options = { level, redact: { paths: REDACT_PATHS, censor: '[REDACTED]' }, base: { service: 'patchbay' } }
  return pino(options, destination ?? stdoutDestination())
}

/** The fields of one access line: a fixed set of values that are never secret. */
export interface AccessLine {
  reqId: string
  method: string
  /** The route pattern (`/api/v2/execute/:id`), never the raw URL: a query string may hold a secret. */
  route: string
  status: number
  ms: number
  tenant?: string | undefined
  keyId?: string | undefined
}

/**
 * Writes the one access line per request. It goes to the same destination, at the same level and
 * with the same base bindings as the hub's logger, but through a pino instance without the
 * redaction paths: redaction walks every line for the wildcard paths of {@link REDACT_PATHS},
 * which cost about 65 µs of CPU per request in the hub (a quarter of an action run, measured
 * with bench/compare.ts; docs/performance.md). That is safe because an access line is typed
 * ({@link AccessLine}): method, route pattern, status, duration, tenant and key ids, none of them
 * a secret, so nothing can reach it that redaction would have caught.
 *
 * @example
 * ```ts
 * const access = new AccessLogger(createLogger('info'))
 * access.write({ reqId: 'r1', method: 'GET', route: '/health', status: 200, ms: 0.4 })
 * ```
 */
export class AccessLogger {
  readonly #logger: Logger
  readonly #plain: Logger

  constructor(logger: Logger) {
    this.#logger = logger
    const stream = (logger as unknown as Record<symbol, DestinationStream | undefined>)[pino.symbols.streamSym]
    const options = { level: logger.level, base: logger.bindings() }
    this.#plain = stream ? pino(options, stream) : pino(options)
  }

  /** Writes one line at info (when the hub's logger is at info or below). */
  write(line: AccessLine): void {
    // The hub's level can change at run time (tests, an operator's signal): follow it.
    if (this.#plain.level !== this.#logger.level) this.#plain.level = this.#logger.level
    this.#plain.info(line, 'request')
  }
}
