import { afterAll, describe, expect, it } from 'vitest'
import { createTestDatabase, dropTestDatabases, postgresAvailable } from '../support/postgres.js'
import { fuzzMinimum, fuzzRuns, fuzzSeed, runFuzz } from './run-fuzz.js'

/** The fuzz suite of fuzz.test.ts on PostgreSQL (mandatory under CI=true, see test/support/postgres.ts). */
const available = await postgresAvailable()
afterAll(dropTestDatabases)

describe.skipIf(!available)('fuzz: hostile requests against a real hub (PostgreSQL)', () => {
  it('never answers 5xx, always answers in time, stays within memory and never shows a secret', { timeout: 240_000 }, async () => {
    const seed = fuzzSeed(606292762)
    console.log(`fuzz (PostgreSQL): seed ${seed}; replay with PATCHBAY_FUZZ_SEED=${seed}`)
    const report = await runFuzz({ seed, runs: fuzzRuns(), databaseUrl: await createTestDatabase() })
    console.log(
      `fuzz (PostgreSQL): ${report.sent} requests in ${report.seconds} s, statuses ${JSON.stringify(report.statuses)}, RSS ${report.rssStartMb} → ${report.rssPeakMb} MB, known ${report.known}`,
    )
    expect(report.sent).toBeGreaterThanOrEqual(fuzzMinimum())
    expect(report.findings.slice(0, 5), `seed ${seed}: ${report.findings.length} findings`).toEqual([])
    expect(report.rssPeakMb - report.rssStartMb, 'RSS growth, MB').toBeLessThan(400)
  })
})
