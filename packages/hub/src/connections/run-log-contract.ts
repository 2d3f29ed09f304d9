import { describe, expect, it } from 'vitest'
import { newId } from '../ids.js'
import { createLogger } from '../logger.js'
import type { Store } from '../store/store.js'
import { RunLog, type RunRecord } from './run-log.js'

/**
 * What the run log must do on every database: batch writes, retention by age and by rows per
 * tenant, a bounded buffer, excerpts only on opt-in. Run by run-log.test.ts (SQLite) and
 * run-log.integration.test.ts (PostgreSQL).
 */
export function runLogContract(name: string, open: () => Promise<Store>): void {
  describe(`run log: ${name}`, () => {
    const rec = (tenantId: string, over: Partial<RunRecord> = {}): RunRecord => ({
      tenantId,
      connectionId: 'c1',
      integrationId: 'http-api',
      action: 'REQUEST',
      status: 'SUCCESS',
      httpStatus: 200,
      durationMs: 3.4,
      keyId: 'k1',
      input: { password: 'hunter2-secret', q: 'visible' },
      output: { token: 'x', ok: true },
      ...over,
    })

    it('writes batches, keeps no inputs by default, and applies retention by count per tenant and by age', async () => {
      const store = await open()
      await store.migrate()
      const log = new RunLog(store, createLogger('silent'), { maxAgeMs: 86_400_000, maxRows: 3, flushMs: 10_000 })
      try {
        const a = newId()
        const b = newId()
        for (let i = 0; i < 5; i++) log.record(rec(a, { action: `A${i}` }))
        log.record(rec(b))
        expect(await store.runLog.listRunLog(a, { limit: 10 })).toHaveLength(0) // still buffered
        await log.flush()
        const rows = await store.runLog.listRunLog(a, { limit: 10 })
        expect(rows.map((r) => r.action)).toEqual(['A4', 'A3', 'A2', 'A1', 'A0'])
        expect(rows[0]).toMatchObject({ duration_ms: 3, http_status: 200, key_id: 'k1', input_excerpt: null, output_excerpt: null, end_user_id: null })
        expect(await log.sweep()).toBe(2)
        expect((await store.runLog.listRunLog(a, { limit: 10 })).map((r) => r.action)).toEqual(['A4', 'A3', 'A2'])
        expect(await store.runLog.listRunLog(b, { limit: 10 })).toHaveLength(1)
        // Age: everything older than a day from now + 2 days is gone.
        expect(await store.runLog.pruneRunLog(new Date(Date.now() + 2 * 86_400_000), 100, [])).toBe(4)
      } finally {
        await log.close()
        await store.close()
      }
    })

    it('bounds the buffer, and stores redacted, bounded excerpts after the opt-in', async () => {
      const store = await open()
      await store.migrate()
      const log = new RunLog(store, createLogger('silent'), { maxAgeMs: 86_400_000, maxRows: 100, flushMs: 10_000, maxBuffered: 3, batchRows: 1_000 })
      try {
        const a = newId()
        for (let i = 0; i < 5; i++) log.record(rec(a))
        expect(log.dropped).toBe(2)
        await log.flush()
        expect(await store.runLog.listRunLog(a, { limit: 10 })).toHaveLength(3)
        const c = newId()
        await store.runLog.setRunLogExcerpts(c, true)
        log.record(rec(c, { status: 'FAILED', errorCode: 'UPSTREAM_ERROR', errorMessage: `denied Bearer abc.def ${'x'.repeat(2_000)}`, output: { big: 'y'.repeat(5_000) } }))
        await log.close()
        const [row] = await store.runLog.listRunLog(c, { limit: 1 })
        expect(row?.input_excerpt).toContain('visible')
        expect(row?.input_excerpt).not.toContain('hunter2')
        expect(row?.output_excerpt?.length).toBeLessThanOrEqual(1_001)
        expect(row?.error_message).not.toContain('abc.def')
        expect(row?.error_message?.length).toBeLessThanOrEqual(501)
      } finally {
        await store.close()
      }
    })
  })
}
