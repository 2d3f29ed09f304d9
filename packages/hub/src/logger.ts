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

/** Longest a line written to a {@link batchedDestination} waits before it is written, ms. */
export const LOG_FLUSH_MS = 100

/** Characters a {@link batchedDestination} (and an {@link AccessLogger}) gathers before one write. */
const LOG_BATCH_CHARS = 16_000

/**
 * Standard output, written in batches: lines gather until 16 KB or 100 ms have passed, then go in
 * one write (pino's default writes each line on its own, through the thread pool). Under load
 * that costs one write per ~80 lines instead of one per line, about 20 µs of CPU per request
 * (docs/performance.md); a line waits at most 100 ms, and pino flushes what is left when the
 * process exits (a SIGKILL loses at most that last 100 ms).
 */
function stdoutDestination(): DestinationStream {
  return batchedDestination(1)
}

/**
 * A pino destination on file descriptor `fd` that holds lines until 16 KB have gathered or
 * {@link LOG_FLUSH_MS} has passed since the first one held (see stdoutDestination above).
 *
 * The 100 ms timer is the hub's, not sonic-boom's `periodicFlush`: that one writes on every tick
 * whether or not a line is held (an empty write through the thread pool ten times a second, for
 * ever), which was most of an idle hub's CPU (5 → 1.3 ms of CPU per second,
 * docs/performance.md). This one runs only while a line waits.
 *
 * @example
 * ```ts
 * const logger = pino({}, batchedDestination(1))
 * ```
 */
export function batchedDestination(fd: number): DestinationStream {
  const destination = pino.destination({ dest: fd, sync: false, minLength: LOG_BATCH_CHARS })
  const write = destination.write.bind(destination)
  let timer: NodeJS.Timeout | undefined
  const flush = () => {
    if (timer) clearTimeout(timer)
    timer = undefined
    // sonic-boom's flush does nothing while a write is in flight, and what was written after that
    // write began stays held once it ends (below minLength): look again in another interval.
    if ((destination as unknown as { _writing?: boolean })._writing) {
      timer = setTimeout(flush, LOG_FLUSH_MS).unref()
      return
    }
    try {
      destination.flush()
    } catch {
      // Destroyed (the process is ending): pino's exit handler has written what was held.
    }
  }
  destination.write = (chunk: string) => {
    const ok = write(chunk)
    timer ??= setTimeout(flush, LOG_FLUSH_MS).unref()
    return ok
  }
  batched.set(destination, flush)
  return destination
}

/**
 * Destinations that already hold lines back for up to 100 ms (standard output, above), each with
 * its flush: what holds lines in front of one (an {@link AccessLogger}) writes them out through
 * it at once, so a line waits 100 ms in all, not 100 ms in each.
 */
const batched = new WeakMap<object, () => void>()

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
 * with the same base bindings as the hub's logger, and is the same JSON line pino would write,
 * but it is written without pino: every line through pino cost ~12 µs of CPU per request in the
 * hub (measured with bench/compare.ts; docs/performance.md, "The third round"): the redaction
 * walk of {@link REDACT_PATHS} over every line (~65 µs before a plain instance was used), then
 * pino's serialiser, then sonic-boom measuring its whole pending buffer again on every line. That
 * is safe because an access line is typed ({@link AccessLine}): method, route pattern, status,
 * duration, tenant and key ids, none of them a secret, so nothing can reach it that redaction
 * would have caught; each string is written with `JSON.stringify`.
 *
 * On standard output, which batches anyway, the lines are held and written together every
 * ~16 KB or 100 ms, and at exit; on any other destination (a test's, an operator's) each line
 * is written at once.
 *
 * @example
 * ```ts
 * const access = new AccessLogger(createLogger('info'))
 * access.write({ reqId: 'r1', method: 'GET', route: '/health', status: 200, ms: 0.4 })
 * ```
 */
export class AccessLogger {
  readonly #logger: Logger
  readonly #stream: DestinationStream | undefined
  /** The logger's bindings as pino writes them after `time` (`,"service":"patchbay"`). */
  readonly #bindings: string
  readonly #batch: boolean
  /** The destination's own flush, when it holds lines too (see {@link batchedDestination}). */
  readonly #flushStream: (() => void) | undefined
  #held = ''
  #timer: NodeJS.Timeout | undefined

  /**
   * @param options.batch hold lines and write them together (default: when `logger` writes to
   *   the hub's standard output destination).
   */
  constructor(logger: Logger, options: { batch?: boolean } = {}) {
    this.#logger = logger
    this.#stream = (logger as unknown as Record<symbol, DestinationStream | undefined>)[pino.symbols.streamSym]
    const bindings = JSON.stringify(logger.bindings())
    this.#bindings = bindings === '{}' ? '' : `,${bindings.slice(1, -1)}`
    this.#flushStream = this.#stream && batched.get(this.#stream)
    this.#batch = this.#stream !== undefined && (options.batch ?? this.#flushStream !== undefined)
    if (this.#batch) holdAtExit(this)
  }

  /** Writes one line at info (when the hub's logger is at info or below). */
  write(line: AccessLine): void {
    // The hub's level can change at run time (tests, an operator's signal): it is read per line.
    if (this.#logger.levelVal > INFO) return
    const stream = this.#stream
    if (!stream) {
      // A logger without a pino destination (made some other way): it writes the line itself.
      this.#logger.info(line, 'request')
      return
    }
    const text =
      `{"level":${INFO},"time":${Date.now()}${this.#bindings},"reqId":${JSON.stringify(line.reqId)},"method":${JSON.stringify(line.method)},` +
      `"route":${JSON.stringify(line.route)},"status":${line.status},"ms":${line.ms}` +
      `${line.tenant === undefined ? '' : `,"tenant":${JSON.stringify(line.tenant)}`}${line.keyId === undefined ? '' : `,"keyId":${JSON.stringify(line.keyId)}`},"msg":"request"}\n`
    if (!this.#batch) {
      stream.write(text)
      return
    }
    this.#held += text
    if (this.#held.length >= LOG_BATCH_CHARS) this.flush()
    else this.#timer ??= setTimeout(this.#onTimer, LOG_FLUSH_MS).unref()
  }

  /** The 100 ms are up: the lines go out now, through the destination's own hold too. */
  readonly #onTimer = () => {
    this.flush()
    this.#flushStream?.()
  }

  /**
   * Writes the lines held (standard output only; a no-op elsewhere). With `sync`, synchronously:
   * at exit, when pino has flushed its destination already.
   */
  flush(sync = false): void {
    if (this.#timer) clearTimeout(this.#timer)
    this.#timer = undefined
    if (this.#held === '' || !this.#stream) return
    const held = this.#held
    this.#held = ''
    try {
      this.#stream.write(held)
      if (sync) (this.#stream as { flushSync?: () => void }).flushSync?.()
    } catch {
      // The destination is already closed (the process is ending): nothing left to write to.
    }
  }
}

/** Access loggers that may hold lines, flushed when the process ends (one pair of listeners for all). */
const holders = new Set<WeakRef<AccessLogger>>()
let listening = false

function holdAtExit(logger: AccessLogger): void {
  if (!listening) {
    listening = true
    const flushAll = (sync: boolean) => {
      for (const ref of holders) {
        const held = ref.deref()
        if (held) held.flush(sync)
        else holders.delete(ref)
      }
    }
    process.on('beforeExit', () => flushAll(false))
    process.on('exit', () => flushAll(true))
  }
  holders.add(new WeakRef(logger))
}

/** pino's number for `info`. */
const INFO = 30
