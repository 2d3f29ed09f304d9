import { describe, expect, it } from 'vitest'
import { fuzzMinimum, fuzzRuns, fuzzSeed, runFuzz } from './run-fuzz.js'

/**
 * Issue 11 "keep them closed": thousands of hostile requests at a real hub on SQLite. Replay a
 * failure with PATCHBAY_FUZZ_SEED=<the seed printed> (and PATCHBAY_FUZZ_RUNS to change the count).
 */
describe('fuzz: hostile requests against a real hub (SQLite)', () => {
  it('never answers 5xx, always answers in time, stays within memory and never shows a secret', { timeout: 240_000 }, async () => {
    const seed = fuzzSeed(1961740682)
    console.log(`fuzz (SQLite): seed ${seed}; replay with PATCHBAY_FUZZ_SEED=${seed}`)
    const report = await runFuzz({ seed, runs: fuzzRuns() })
    console.log(
      `fuzz (SQLite): ${report.sent} requests in ${report.seconds} s, statuses ${JSON.stringify(report.statuses)}, RSS ${report.rssStartMb} → ${report.rssPeakMb} MB, known ${report.known}`,
    )
    expect(report.sent).toBeGreaterThanOrEqual(fuzzMinimum())
    if (report.findings.length) console.log(JSON.stringify(report.findings.slice(0, 20), null, 1))
    expect(report.findings.slice(0, 5), `seed ${seed}: ${report.findings.length} findings`).toEqual([])
    expect(report.rssPeakMb - report.rssStartMb, 'RSS growth, MB').toBeLessThan(400)
  })
})
