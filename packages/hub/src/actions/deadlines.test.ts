import { describe, expect, it } from 'vitest'
import { Deadlines } from './deadlines.js'

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

describe('Deadlines', () => {
  it('aborts a call whose deadline passed, with a TimeoutError, and never one that was cleared', async () => {
    const deadlines = new Deadlines(50, 10)
    const due = deadlines.start()
    const done = deadlines.start()
    const fired: string[] = []
    due.addEventListener('abort', () => fired.push('due'))
    done.addEventListener('abort', () => fired.push('done'))
    done.clear()
    expect(deadlines.size).toBe(1)
    await sleep(20)
    expect(due.aborted).toBe(false)
    await sleep(150)
    expect(fired).toEqual(['due'])
    expect(due.aborted).toBe(true)
    expect((due.reason as Error).name).toBe('TimeoutError')
    expect(done.aborted).toBe(false)
    expect(deadlines.size).toBe(0)
  })

  it('drops a removed listener, and starts the sweep again after it stopped', async () => {
    const deadlines = new Deadlines(20, 5)
    const first = deadlines.start()
    const listener = () => {
      throw new Error('removed listener called')
    }
    first.addEventListener('abort', listener)
    first.removeEventListener('abort', listener)
    await sleep(80)
    expect(first.aborted).toBe(true)
    const second = deadlines.start()
    await sleep(80)
    expect(second.aborted).toBe(true)
  })
})
