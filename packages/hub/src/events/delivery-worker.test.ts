import { describe, expect, it } from 'vitest'
import { DEFAULT_DELIVERY, eventBody, retryDelay } from './delivery-worker.js'

describe('retryDelay', () => {
  it('doubles from the base, stays between half and all of it (jitter), and is capped', () => {
    expect(retryDelay(1, DEFAULT_DELIVERY, () => 0)).toBe(2_500)
    expect(retryDelay(1, DEFAULT_DELIVERY, () => 1)).toBe(5_000)
    expect(retryDelay(3, DEFAULT_DELIVERY, () => 1)).toBe(20_000)
    expect(retryDelay(40, DEFAULT_DELIVERY, () => 1)).toBe(3_600_000)
    expect(retryDelay(40, DEFAULT_DELIVERY, () => 0)).toBe(1_800_000)
  })

  it('keeps retrying for at least 24 hours with the defaults', () => {
    // The worker gives up only after an attempt fails at least giveUpAfterMs after the event.
    let t = 0
    let attempts = 1
    while (t < DEFAULT_DELIVERY.giveUpAfterMs) t += retryDelay(attempts++, DEFAULT_DELIVERY, () => 0)
    expect(t).toBeGreaterThanOrEqual(24 * 3_600_000)
    expect(attempts).toBeGreaterThan(20)
  })
})

describe('eventBody', () => {
  it('is the Standard Webhooks envelope', () => {
    expect(JSON.parse(eventBody({ id: 'evt_1', type: 'connection.created', data: '{"connectionId":"c"}', created_at: '2026-01-01T00:00:00.000Z' }))).toEqual({
      type: 'connection.created',
      timestamp: '2026-01-01T00:00:00.000Z',
      data: { connectionId: 'c' },
    })
  })
})
