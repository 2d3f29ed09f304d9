import { firstSuccess, freePort, sleep } from './context.js'
import type { ChildHandle } from './processes.js'

/** What {@link timedStart} measured of one process. */
export interface TimedStart {
  /** From just before spawn to the first 2xx answer of the polled path, ms. */
  ms: number
  /** Resident set size after `idleMs` of rest, MB (with `idleMs` only; NaN where it cannot be read). */
  rssMB: number | undefined
}

/** How {@link timedStart} polls and rests. */
export interface TimedStartOptions {
  /** Headers of the polled request (an API key). */
  headers?: Record<string, string>
  /** Give up after this long, ms (default 120 s: a start on a shared machine can take many times its quiet duration). */
  timeoutMs?: number
  /** After the first answer, rest this long and read the process's RSS (default: no RSS). */
  idleMs?: number
}

/**
 * The start-and-measure loop of scenarios 3, 4 and 8: spawns a process (`start`, on a free port
 * known beforehand), polls `GET path` every 2 ms from the moment of spawn until it answers 2xx,
 * optionally rests and reads its RSS, and stops it. A process that dies before answering ends
 * the wait at once, with its output.
 *
 * @example
 * ```ts
 * const { ms, rssMB } = await timedStart((port) => startUpstream(port), '/', { idleMs: 1_000 })
 * ```
 */
export async function timedStart(start: (port: number) => Promise<ChildHandle>, path: string, options: TimedStartOptions = {}): Promise<TimedStart> {
  const port = await freePort()
  const stopPolling = new AbortController()
  const pending = start(port)
  const died = pending.then(
    () => new Promise<never>(() => {}),
    (err: unknown) => {
      stopPolling.abort()
      throw err
    },
  )
  const ok = await Promise.race([firstSuccess(`http://127.0.0.1:${port}${path}`, options.headers ?? {}, options.timeoutMs ?? 120_000, stopPolling.signal), died])
  const child = await pending
  try {
    let rssMB: number | undefined
    if (options.idleMs !== undefined) {
      await sleep(options.idleMs)
      rssMB = (await child.memory())?.rssMB ?? Number.NaN
    }
    // spawnedAt is taken just before spawn(); polling started right after it.
    return { ms: ok - child.spawnedAt, rssMB }
  } finally {
    await child.stop()
  }
}
