import type { PollTriggerDefinition } from '@patchbay/core'
import { describe, expect, it } from 'vitest'
import { initialPollState, pollFailed, pollInput, pollSucceeded, resolvePollDefinition, type PollState, type PollStep } from './poll.js'

const t0 = new Date('2026-12-01T12:00:00Z')
const policy = { intervalSeconds: 60 }
const byId: PollTriggerDefinition = { action: 'LIST', intervalSeconds: 60, items: 'messages', dedupe: 'id' }

function step(def: PollTriggerDefinition, state: PollState, answer: unknown, now = t0, p: Parameters<typeof pollSucceeded>[4] = policy): PollStep {
  const out = pollSucceeded(def, state, answer, now, p)
  if (typeof out === 'string') throw new Error(out)
  return out
}

describe('poll by dedupe id', () => {
  it('records what exists on the first run, then emits only new items once', () => {
    const first = step(byId, initialPollState(t0), { messages: [{ id: 'a' }, { id: 'b' }] })
    expect(first.emit).toEqual([])
    expect(first.state).toMatchObject({ primed: true, failures: 0, seen: ['a', 'b'], nextRunAt: '2026-12-01T12:01:00.000Z' })
    const second = step(byId, first.state, { messages: [{ id: 'c' }, { id: 'a' }, { id: 'b' }, { id: 'c' }] })
    expect(second.emit).toEqual([{ id: 'c' }])
    const third = step(byId, second.state, { messages: [{ id: 'c' }, { id: 'a' }] })
    expect(third.emit).toEqual([])
  })

  it('emits the first run when asked, skips items without an id, and bounds what it remembers', () => {
    const first = step(byId, initialPollState(t0), { messages: [{ id: 1 }, { name: 'no id' }, { id: 2 }] }, t0, { ...policy, emitFirstRun: true, maxSeen: 2 })
    expect(first.emit).toEqual([{ id: 1 }, { id: 2 }])
    const next = step(byId, first.state, { messages: [{ id: 3 }] }, t0, { ...policy, maxSeen: 2 })
    expect(next.state.seen).toEqual(['3', '1'])
  })

  it('takes the answer itself with an empty items path, and reports a missing array', () => {
    const whole: PollTriggerDefinition = { ...byId, items: '' }
    expect(step(whole, { ...initialPollState(t0), primed: true }, [{ id: 'x' }]).emit).toEqual([{ id: 'x' }])
    expect(pollSucceeded(byId, initialPollState(t0), { error: 'nope' }, t0, policy)).toBe(`the answer has no array at "messages" (found undefined); check the trigger's items path`)
  })
})

describe('poll by cursor', () => {
  const byCursor: PollTriggerDefinition = {
    action: 'QUERY',
    intervalSeconds: 300,
    items: 'results',
    cursor: { input: 'since', from: 'last_edited_time' },
    input: { database_id: '{database_id}', page_size: 50 },
  }

  it('sends the cursor once known, advances it to the newest item and emits only items past it', () => {
    const s0 = initialPollState(t0)
    expect(pollInput(byCursor, s0, { database_id: 'db1' })).toEqual({ database_id: 'db1', page_size: 50 })
    const first = step(byCursor, s0, {
      results: [
        { id: 'p1', last_edited_time: '2026-12-01T10:00:00Z' },
        { id: 'p2', last_edited_time: '2026-12-01T11:00:00Z' },
      ],
    })
    expect(first.emit).toEqual([])
    expect(first.state.cursor).toBe('2026-12-01T11:00:00Z')
    expect(pollInput(byCursor, first.state, { database_id: 'db1' })).toEqual({ database_id: 'db1', page_size: 50, since: '2026-12-01T11:00:00Z' })
    // A service that answers "at or after" the cursor: the item at the cursor is not repeated.
    const second = step(byCursor, first.state, {
      results: [
        { id: 'p2', last_edited_time: '2026-12-01T11:00:00Z' },
        { id: 'p1', last_edited_time: '2026-12-01T11:30:00Z' },
      ],
    })
    expect(second.emit).toEqual([{ id: 'p1', last_edited_time: '2026-12-01T11:30:00Z' }])
    expect(second.state.cursor).toBe('2026-12-01T11:30:00Z')
    // Nothing new: the cursor stays.
    expect(step(byCursor, second.state, { results: [] }).state.cursor).toBe('2026-12-01T11:30:00Z')
  })

  it('compares numeric cursors as numbers', () => {
    const numeric: PollTriggerDefinition = { action: 'LIST', intervalSeconds: 60, items: 'items', cursor: { input: 'after', from: 'seq' } }
    const s = { ...initialPollState(t0), primed: true, cursor: 9 }
    const out = step(numeric, s, { items: [{ seq: 10 }, { seq: 8 }, { seq: 100 }] })
    expect(out.emit).toEqual([{ seq: 10 }, { seq: 100 }])
    expect(out.state.cursor).toBe(100)
  })
})

describe('poll failures', () => {
  it('backs off exponentially up to the cap, emits trigger.failed once at the N-th failure, and a success resets', () => {
    const p = { intervalSeconds: 60, failAfter: 3, maxBackoffSeconds: 200 }
    let state: PollState = { ...initialPollState(t0), primed: true, seen: ['a'] }
    const waits: number[] = []
    const failed: boolean[] = []
    for (let i = 0; i < 5; i++) {
      const out = pollFailed(state, 'UPSTREAM_ERROR: 503', t0, p)
      state = out.state
      waits.push((Date.parse(state.nextRunAt) - t0.getTime()) / 1000)
      failed.push(out.emitFailed)
    }
    expect(waits).toEqual([60, 120, 200, 200, 200])
    expect(failed).toEqual([false, false, true, false, false])
    expect(state).toMatchObject({ failures: 5, lastError: 'UPSTREAM_ERROR: 503', seen: ['a'] })
    const ok = step(byId, state, { messages: [{ id: 'a' }, { id: 'b' }] }, t0, p)
    expect(ok.emit).toEqual([{ id: 'b' }])
    expect(ok.state.failures).toBe(0)
    expect(ok.state.lastError).toBeUndefined()
    expect(pollFailed(ok.state, 'again', t0, p).emitFailed).toBe(false)
  })
})

describe('poll definitions with config', () => {
  it('renders nested input templates, sets a nested cursor input, and starts from the initial cursor', () => {
    const def: PollTriggerDefinition = {
      action: 'NOTION_QUERY_DATABASE',
      intervalSeconds: 60,
      items: 'results',
      input: { database_id: '{database_id}', filter: { timestamp: 'last_edited_time', last_edited_time: {} }, note: '{missing}' },
      cursor: { input: 'filter.last_edited_time.after', from: 'last_edited_time', initial: '1970-01-01T00:00:00Z' },
    }
    const s0 = initialPollState(t0)
    expect(pollInput(def, s0, { database_id: 'db' })).toEqual({ database_id: 'db', filter: { timestamp: 'last_edited_time', last_edited_time: { after: '1970-01-01T00:00:00Z' } } })
    expect(pollInput(def, { ...s0, cursor: '2026-12-01T11:00:00Z' }, { database_id: 'db' }).filter).toEqual({
      timestamp: 'last_edited_time',
      last_edited_time: { after: '2026-12-01T11:00:00Z' },
    })
    // The definition's own object is not changed by a run.
    expect(def.input?.['filter']).toEqual({ timestamp: 'last_edited_time', last_edited_time: {} })
  })

  it('resolves items and dedupe placeholders from the config (generic HTTP poll)', () => {
    const def: PollTriggerDefinition = { action: 'REQUEST', intervalSeconds: 60, items: '{items_path}', dedupe: '{id_path}' }
    const resolved = resolvePollDefinition(def, { items_path: 'body.data', id_path: 'uuid' })
    expect(resolved).toMatchObject({ items: 'body.data', dedupe: 'uuid' })
    const out = step(resolved, { ...initialPollState(t0), primed: true }, { status: 200, body: { data: [{ uuid: 'u1' }] } })
    expect(out.emit).toEqual([{ uuid: 'u1' }])
  })
})
