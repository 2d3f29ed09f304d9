/**
 * Total-time bounds for outbound calls without a timer and an `AbortController` per call. Every
 * call of one {@link Deadlines} has the same timeout, so deadlines fall due in the order they
 * were set: one shared interval (running only while a call is in flight) fires the due ones
 * from the front of the queue and stops at the first that is not. A deadline fires at most
 * `sweepMs` late.
 *
 * A {@link Deadline} is what undici takes as a request's `signal` (an object with `aborted`,
 * `reason` and `addEventListener`/`removeEventListener` for `abort`), so the request is
 * aborted, with a `TimeoutError`, when its deadline passes, whether it waits for headers or
 * is reading the body.
 *
 * @example
 * ```ts
 * const deadlines = new Deadlines(30_000)
 * const deadline = deadlines.start()
 * try {
 *   const res = await agent.request({ origin, path, method: 'GET', signal: deadline })
 *   await res.body.text()
 * } finally {
 *   deadline.clear()
 * }
 * ```
 */
export class Deadlines {
  readonly #timeoutMs: number
  readonly #sweepMs: number
  readonly #pending = new Set<Deadline>()
  #timer: NodeJS.Timeout | undefined

  /** `timeoutMs`: the total time of a call; `sweepMs`: how often due deadlines are looked for. */
  constructor(timeoutMs: number, sweepMs = Math.max(10, Math.min(250, Math.floor(timeoutMs / 10)))) {
    this.#timeoutMs = timeoutMs
    this.#sweepMs = sweepMs
  }

  /** Number of deadlines not yet cleared or fired (for tests). */
  get size(): number {
    return this.#pending.size
  }

  /** A deadline `timeoutMs` from now; clear it when the call is done. */
  start(): Deadline {
    const deadline = new Deadline(performance.now() + this.#timeoutMs, this.#pending)
    this.#pending.add(deadline)
    this.#timer ??= setInterval(() => this.#sweep(), this.#sweepMs).unref()
    return deadline
  }

  #sweep(): void {
    const now = performance.now()
    for (const deadline of this.#pending) {
      if (deadline.at > now) break
      deadline.fire()
    }
    if (this.#pending.size === 0 && this.#timer) {
      clearInterval(this.#timer)
      this.#timer = undefined
    }
  }
}

type AbortListener = (event: { type: 'abort' }) => void

/** One call's deadline; an abort signal for undici (see {@link Deadlines}). */
export class Deadline {
  /** When it falls due (`performance.now()` time). */
  readonly at: number
  /** Whether the deadline has passed. */
  aborted = false
  /** The `TimeoutError` once aborted. */
  reason: unknown = undefined
  readonly #pending: Set<Deadline>
  #listeners: AbortListener[] | undefined

  constructor(at: number, pending: Set<Deadline>) {
    this.at = at
    this.#pending = pending
  }

  /** Adds an `abort` listener (the EventTarget shape undici uses). */
  addEventListener(type: string, listener: AbortListener): void {
    if (type !== 'abort') return
    this.#listeners ??= []
    this.#listeners.push(listener)
  }

  /** Removes an `abort` listener. */
  removeEventListener(type: string, listener: AbortListener): void {
    if (type !== 'abort' || !this.#listeners) return
    const i = this.#listeners.indexOf(listener)
    if (i >= 0) this.#listeners.splice(i, 1)
  }

  /** The call is done: the deadline no longer fires. */
  clear(): void {
    this.#pending.delete(this)
    this.#listeners = undefined
  }

  /** Aborts the call now (called by the sweep when the deadline has passed). */
  fire(): void {
    this.#pending.delete(this)
    if (this.aborted) return
    this.aborted = true
    this.reason = new DOMException('The service did not answer in time', 'TimeoutError')
    const listeners = this.#listeners
    this.#listeners = undefined
    for (const listener of listeners ?? []) listener({ type: 'abort' })
  }
}
