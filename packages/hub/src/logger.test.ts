import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { createRequire } from 'node:module'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { pino } from 'pino'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { AccessLogger, LOG_FLUSH_MS, batchedDestination } from './logger.js'

// node:fs as CommonJS code sees it (sonic-boom calls `fs.write` on it), so a spy on it sees its writes.
const fs = createRequire(import.meta.url)('node:fs') as typeof import('node:fs')

describe('batchedDestination', () => {
  let dir: string | undefined
  afterEach(async () => {
    vi.restoreAllMocks()
    if (dir) await rm(dir, { recursive: true, force: true })
    dir = undefined
  })

  async function open() {
    dir = await mkdtemp(join(tmpdir(), 'patchbay-log-'))
    const file = join(dir, 'out.log')
    const fd = fs.openSync(file, 'a')
    const destination = batchedDestination(fd)
    return { file, logger: pino({ base: null }, destination) }
  }

  it('writes a held line within the flush interval, and writes nothing while idle', async () => {
    const writes = vi.spyOn(fs, 'write')
    const { file, logger } = await open()
    logger.info('first line')
    // Held: shorter than the 16 KB batch.
    expect(await readFile(file, 'utf8')).toBe('')
    await sleep(LOG_FLUSH_MS * 3)
    expect(await readFile(file, 'utf8')).toContain('"msg":"first line"')

    // Idle: sonic-boom's periodicFlush would write (an empty string) on every tick from here on.
    const before = writes.mock.calls.length
    expect(before).toBeGreaterThan(0)
    await sleep(LOG_FLUSH_MS * 5)
    expect(writes.mock.calls.length).toBe(before)

    // The next line starts the timer again.
    logger.info('second line')
    await sleep(LOG_FLUSH_MS * 3)
    expect(await readFile(file, 'utf8')).toContain('"msg":"second line"')
    expect(writes.mock.calls.length).toBeGreaterThan(before)
  })

  it('writes a line that was in front of a write in flight, once that write has ended', async () => {
    const realWrite = fs.write.bind(fs) as (fd: number, data: unknown, cb: (err: Error | null, n: number) => void) => void
    let release: (() => void) | undefined
    vi.spyOn(fs, 'write').mockImplementationOnce(((fd: number, data: unknown, cb: (err: Error | null, n: number) => void) => {
      release = () => realWrite(fd, data, cb)
    }) as never)
    const { file, logger } = await open()
    // A full batch starts a write, held in flight here; a short line comes after it.
    logger.info({ filler: 'x'.repeat(17_000) }, 'big line')
    logger.info('after the big line')
    // The timer fires while the write is still in flight.
    await sleep(LOG_FLUSH_MS * 2)
    expect(release).toBeDefined()
    release?.()
    await sleep(LOG_FLUSH_MS * 3)
    const text = await readFile(file, 'utf8')
    expect(text).toContain('"msg":"big line"')
    expect(text).toContain('"msg":"after the big line"')
  })

  it("writes an access line within one interval, not the access logger's and then the destination's", async () => {
    const { file, logger } = await open()
    const access = new AccessLogger(logger)
    access.write({ reqId: 'r1', method: 'GET', route: '/health', status: 200, ms: 0.4 })
    expect(await readFile(file, 'utf8')).toBe('')
    // Two intervals in a row would write it after 2 × LOG_FLUSH_MS.
    await sleep(LOG_FLUSH_MS * 1.6)
    expect(await readFile(file, 'utf8')).toContain('"reqId":"r1"')
  })

  it('writes at once when 16 KB have gathered, before the timer', async () => {
    const { file, logger } = await open()
    const filler = 'x'.repeat(1_000)
    for (let i = 0; i < 20; i++) logger.info({ filler }, `line ${i}`)
    await sleep(LOG_FLUSH_MS / 4)
    expect((await readFile(file, 'utf8')).length).toBeGreaterThan(10_000)
  })
})
