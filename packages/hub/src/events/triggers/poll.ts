import type { PollTriggerDefinition } from '@patchbay/core'
import { renderValue } from '../../catalog/template.js'
import { valueAt } from './json-path.js'

/** What a poll trigger instance remembers between runs (stored with the instance as JSON). */
export interface PollState {
  /** Ids already seen, the latest run's first, at most {@link PollPolicy.maxSeen} (dedupe mode). */
  seen: string[]
  /** The cursor the next run sends (cursor mode); absent until the first answer sets it. */
  cursor?: string | number
  /** `false` until the first successful run, which only records what exists (see {@link PollPolicy.emitFirstRun}). */
  primed: boolean
  /** Consecutive failed runs. */
  failures: number
  /** When the next run is due (ISO instant). */
  nextRunAt: string
  /** The last failure's message (already free of secrets: the runner redacts). */
  lastError?: string
}

/** Tunables of the poll state machine. */
export interface PollPolicy {
  /** Seconds between runs (the instance's config, at least the definition's minimum of 60). */
  intervalSeconds: number
  /** Ids remembered for dedupe; default 1000. */
  maxSeen?: number
  /** Longest wait after failures, in seconds; default 3600. */
  maxBackoffSeconds?: number
  /** Consecutive failures after which `trigger.failed` is emitted (once per streak); default 5. */
  failAfter?: number
  /** Emit the items found by the very first run; default `false` (only newer items are events). */
  emitFirstRun?: boolean
}

/** The outcome of one successful run. */
export interface PollStep {
  /** Items to emit as events, in the order the service answered them. */
  emit: unknown[]
  state: PollState
}

/** The outcome of one failed run. */
export interface PollFailure {
  state: PollState
  /** Whether this failure is the one that emits `trigger.failed` (the N-th in a row). */
  emitFailed: boolean
}

/** The state of a freshly activated poll instance: its first run is due at `now`. */
export function initialPollState(now: Date): PollState {
  return { seen: [], primed: false, failures: 0, nextRunAt: now.toISOString() }
}

function render(value: unknown, config: Record<string, unknown>): unknown {
  if (typeof value === 'string') return renderValue(value, (name) => config[name])
  if (Array.isArray(value)) return value.map((v) => render(v, config))
  if (typeof value === 'object' && value !== null) {
    const out: Record<string, unknown> = {}
    for (const [k, v] of Object.entries(value)) {
      const rendered = render(v, config)
      if (rendered !== undefined) out[k] = rendered
    }
    return out
  }
  return value
}

function setAt(target: Record<string, unknown>, path: string, value: unknown): void {
  const steps = path.split('.')
  let node = target
  for (const step of steps.slice(0, -1)) {
    const next = Object.hasOwn(node, step) ? node[step] : undefined
    node = node[step] = typeof next === 'object' && next !== null && !Array.isArray(next) ? { ...(next as Record<string, unknown>) } : {}
  }
  node[steps.at(-1) as string] = value
}

/**
 * The definition with its `items` and `dedupe` placeholders (generic triggers, e.g. `{items_path}`)
 * replaced by the instance's config values.
 */
export function resolvePollDefinition(def: PollTriggerDefinition, config: Record<string, unknown>): PollTriggerDefinition {
  const resolve = (v: string) => (/^\{[A-Za-z_][A-Za-z0-9_]*\}$/.test(v) ? String(config[v.slice(1, -1)] ?? '') : v)
  const dedupe = def.dedupe === undefined ? undefined : resolve(def.dedupe)
  return { ...def, items: resolve(def.items), ...(dedupe ? { dedupe } : {}) }
}

/**
 * The action input of the next run: the definition's fixed `input` (templates over the instance's
 * config, e.g. `{database_id}`, at any depth), plus the cursor at its input path once a cursor is
 * known (or the cursor's `initial` value on the first run).
 */
export function pollInput(def: PollTriggerDefinition, state: PollState, config: Record<string, unknown>): Record<string, unknown> {
  const input = render(def.input ?? {}, config) as Record<string, unknown>
  const cursor = state.cursor ?? def.cursor?.initial
  if (def.cursor && cursor !== undefined) setAt(input, def.cursor.input, cursor)
  return input
}

function after(now: Date, seconds: number): string {
  return new Date(now.getTime() + seconds * 1000).toISOString()
}

function newer(a: string | number, b: string | number | undefined): boolean {
  if (b === undefined) return true
  return typeof a === 'number' && typeof b === 'number' ? a > b : String(a) > String(b)
}

/**
 * One successful run: takes the items at the definition's `items` path in the action's answer and
 * keeps those not seen before (by the `dedupe` id path) and past the cursor (by `cursor.from`),
 * then advances the state. An answer without an array there is a failure (see {@link pollFailed}):
 * the returned string says what was found instead.
 */
export function pollSucceeded(def: PollTriggerDefinition, state: PollState, answer: unknown, now: Date, policy: PollPolicy): PollStep | string {
  const items = valueAt(answer, def.items)
  if (!Array.isArray(items)) {
    return `the answer has no array at "${def.items || '(the answer itself)'}" (found ${items === null ? 'null' : typeof items}); check the trigger's items path`
  }
  const seen = new Set(state.seen)
  const fresh: string[] = []
  let cursor = state.cursor
  const emit: unknown[] = []
  for (const item of items) {
    if (def.cursor) {
      const value = valueAt(item, def.cursor.from)
      if (typeof value !== 'string' && typeof value !== 'number') continue
      if (!newer(value, state.cursor)) continue
      if (newer(value, cursor)) cursor = value
    }
    if (def.dedupe) {
      const id = valueAt(item, def.dedupe)
      if (typeof id !== 'string' && typeof id !== 'number') continue
      const key = String(id)
      if (seen.has(key)) continue
      seen.add(key)
      fresh.push(key)
    }
    emit.push(item)
  }
  const next: PollState = {
    seen: def.dedupe ? [...fresh, ...state.seen].slice(0, policy.maxSeen ?? 1000) : [],
    primed: true,
    failures: 0,
    nextRunAt: after(now, policy.intervalSeconds),
    ...(cursor !== undefined ? { cursor } : {}),
  }
  return { emit: state.primed || policy.emitFirstRun ? emit : [], state: next }
}

/**
 * One failed run: counts the failure, backs off exponentially (interval × 2^(failures−1), at most
 * `maxBackoffSeconds`) and says whether to emit `trigger.failed` (exactly at the `failAfter`-th
 * failure in a row; a success resets the count). The state's items and cursor are kept, so no
 * item is lost or repeated across failures.
 */
export function pollFailed(state: PollState, error: string, now: Date, policy: PollPolicy): PollFailure {
  const failures = state.failures + 1
  const wait = Math.min(policy.intervalSeconds * 2 ** (failures - 1), Math.max(policy.maxBackoffSeconds ?? 3600, policy.intervalSeconds))
  return {
    state: { ...state, failures, lastError: error, nextRunAt: after(now, wait) },
    emitFailed: failures === (policy.failAfter ?? 5),
  }
}
