/**
 * openConnect against a fake window: which messages become events (origin, source, shape), the
 * event mapping, the popup-closed report and the handle. The browser test
 * (test/e2e/connect-helper.test.ts) proves the same in Chromium.
 */
import { describe, expect, it } from 'vitest'
import { CONNECT_MESSAGE_SOURCE, type ConnectEvent, toConnectEvent } from './messages.js'
import { type ConnectHost, openConnect } from './open-connect.js'

const HUB = 'https://hub.example.com'

class FakePopup {
  closed = false
  close() {
    this.closed = true
  }
}

class FakeIframe {
  src = ''
  title = ''
  attributes: Record<string, string> = {}
  style: Record<string, string> = {}
  contentWindow: object | null = {}
  removed = false
  setAttribute(k: string, v: string) {
    this.attributes[k] = v
  }
  remove() {
    this.removed = true
    this.contentWindow = null
  }
}

function fakeWindow(options: { blockPopups?: boolean } = {}) {
  const listeners = new Set<(e: MessageEvent) => void>()
  const intervals = new Map<number, () => void>()
  let nextInterval = 1
  const opened: Array<{ url: string; target: string; features: string; popup: FakePopup }> = []
  const appended: FakeIframe[] = []
  const body = { appendChild: (el: FakeIframe) => appended.push(el) }
  const host: ConnectHost = {
    open(url, target, features) {
      if (options.blockPopups) return null
      const popup = new FakePopup()
      opened.push({ url, target, features, popup })
      return popup
    },
    addEventListener: (_t, l) => listeners.add(l),
    removeEventListener: (_t, l) => listeners.delete(l),
    setInterval(handler) {
      const id = nextInterval++
      intervals.set(id, handler)
      return id
    },
    clearInterval: (id) => intervals.delete(id as number),
    location: { origin: 'https://app.example.com' },
    document: { createElement: () => new FakeIframe() as unknown as HTMLIFrameElement, body: body as unknown as HTMLElement },
  }
  return {
    host,
    opened,
    appended,
    listeners,
    intervals,
    post(data: unknown, origin: string, source: unknown) {
      for (const l of [...listeners]) l({ data, origin, source } as MessageEvent)
    },
    tick() {
      for (const h of [...intervals.values()]) h()
    },
  }
}

const msg = (type: string, extra: Record<string, unknown> = {}) => ({ source: CONNECT_MESSAGE_SOURCE, type, ...extra })

describe('openConnect in popup mode', () => {
  it('opens <hub>/connect?session=… and turns the hub popup’s messages into events, in order', () => {
    const w = fakeWindow()
    const events: ConnectEvent[] = []
    const handle = openConnect({ sessionToken: 'pbcs_a b/c', hubUrl: `${HUB}/`, onEvent: (e) => events.push(e), window: w.host })
    expect(w.opened).toHaveLength(1)
    expect(w.opened[0]?.url).toBe(`${HUB}/connect?session=pbcs_a+b%2Fc&origin=https%3A%2F%2Fapp.example.com`)
    expect(handle.url).toBe(w.opened[0]?.url)
    const popup = w.opened[0]?.popup
    w.post(msg('ready'), HUB, popup)
    w.post(msg('connect', { connectionId: 'c1', integration: 'github', endUserId: 'user-42', secret: 'x' }), HUB, popup)
    w.post(msg('error', { code: 'OAUTH_DENIED', message: 'The provider refused' }), HUB, popup)
    expect(events).toEqual([
      { type: 'ready' },
      // Only the known fields: the extra `secret` does not reach the app.
      { type: 'connect', connectionId: 'c1', integration: 'github', endUserId: 'user-42' },
      { type: 'error', code: 'OAUTH_DENIED', message: 'The provider refused' },
    ])
  })

  it('ignores messages from another origin, from another window, and of another shape', () => {
    const w = fakeWindow()
    const events: ConnectEvent[] = []
    openConnect({ sessionToken: 't', hubUrl: HUB, onEvent: (e) => events.push(e), window: w.host })
    const popup = w.opened[0]?.popup
    const good = msg('connect', { connectionId: 'c1', integration: 'github', endUserId: 'u' })
    w.post(good, 'https://evil.example.com', popup)
    w.post(good, 'http://hub.example.com', popup) // same host, other scheme: another origin
    w.post(good, 'https://hub.example.com:8443', popup)
    w.post(good, HUB, {}) // the right origin, but not the popup (another tab of the hub)
    w.post({ ...good, source: 'someone-else' }, HUB, popup)
    w.post({ type: 'ready' }, HUB, popup)
    w.post(msg('connect', { connectionId: 'c1' }), HUB, popup) // incomplete
    w.post(msg('launch'), HUB, popup)
    w.post('ready', HUB, popup)
    w.post(null, HUB, popup)
    expect(events).toEqual([])
    w.post(good, HUB, popup)
    expect(events).toHaveLength(1)
  })

  it('reports close once when the user closes the popup, and stops listening', () => {
    const w = fakeWindow()
    const events: ConnectEvent[] = []
    const handle = openConnect({ sessionToken: 't', hubUrl: HUB, onEvent: (e) => events.push(e), window: w.host })
    w.tick()
    expect(events).toEqual([])
    const popup = w.opened[0]?.popup as FakePopup
    popup.closed = true
    w.tick()
    w.tick()
    expect(events).toEqual([{ type: 'close' }])
    expect(handle.closed).toBe(true)
    expect(w.listeners.size).toBe(0)
    expect(w.intervals.size).toBe(0)
    w.post(msg('ready'), HUB, popup)
    expect(events).toHaveLength(1)
  })

  it('closes the popup on the page’s close message and reports it once', () => {
    const w = fakeWindow()
    const events: ConnectEvent[] = []
    openConnect({ sessionToken: 't', hubUrl: HUB, onEvent: (e) => events.push(e), window: w.host })
    const popup = w.opened[0]?.popup as FakePopup
    w.post(msg('close'), HUB, popup)
    expect(popup.closed).toBe(true)
    w.tick()
    w.post(msg('close'), HUB, popup)
    expect(events).toEqual([{ type: 'close' }])
  })

  it('handle.close() closes the popup without a close event', () => {
    const w = fakeWindow()
    const events: ConnectEvent[] = []
    const handle = openConnect({ sessionToken: 't', hubUrl: HUB, onEvent: (e) => events.push(e), window: w.host })
    handle.close()
    handle.close()
    expect(w.opened[0]?.popup.closed).toBe(true)
    w.tick()
    expect(events).toEqual([])
    expect(w.listeners.size).toBe(0)
  })

  it('reports a blocked popup as an error event after returning', async () => {
    const w = fakeWindow({ blockPopups: true })
    const events: ConnectEvent[] = []
    const handle = openConnect({ sessionToken: 't', hubUrl: HUB, onEvent: (e) => events.push(e), window: w.host })
    expect(events).toEqual([])
    expect(handle.closed).toBe(true)
    await Promise.resolve()
    expect(events).toEqual([{ type: 'error', code: 'POPUP_BLOCKED', message: expect.stringContaining('click') }])
  })
})

describe('openConnect in iframe mode', () => {
  it('appends an iframe titled for screen readers and accepts messages from it only', () => {
    const w = fakeWindow()
    const events: ConnectEvent[] = []
    const handle = openConnect({ sessionToken: 't', hubUrl: 'https://hub.example.com/patchbay', mode: 'iframe', onEvent: (e) => events.push(e), window: w.host })
    const frame = w.appended[0] as FakeIframe
    expect(frame.src).toBe('https://hub.example.com/patchbay/connect?session=t&origin=https%3A%2F%2Fapp.example.com')
    expect(frame.title).toBe('Connect an account')
    expect(w.opened).toEqual([])
    w.post(msg('ready'), HUB, {})
    w.post(msg('ready'), HUB, frame.contentWindow)
    expect(events).toEqual([{ type: 'ready' }])
    expect(handle.iframe).toBe(frame)
    w.post(msg('close'), HUB, frame.contentWindow)
    expect(frame.removed).toBe(true)
    expect(events).toEqual([{ type: 'ready' }, { type: 'close' }])
  })
})

describe('openConnect input checks', () => {
  it('refuses a missing token, a bad hub URL and a bad mode with a TypeError saying what to pass', () => {
    const { host } = fakeWindow()
    expect(() => openConnect({ sessionToken: '', hubUrl: HUB, window: host })).toThrow(/sessionToken is required/)
    expect(() => openConnect({ sessionToken: 't', hubUrl: 'hub.example.com', window: host })).toThrow(/absolute http\(s\) URL/)
    expect(() => openConnect({ sessionToken: 't', hubUrl: 'javascript:alert(1)', window: host })).toThrow(/http or https/)
    expect(() => openConnect({ sessionToken: 't', hubUrl: HUB, mode: 'tab' as never, window: host })).toThrow(/'popup' or 'iframe'/)
    expect(() => openConnect({ sessionToken: 't', hubUrl: HUB })).toThrow(/no window/)
  })
})

describe('toConnectEvent', () => {
  it('maps each type and fills an error without code or message', () => {
    expect(toConnectEvent(msg('close'))).toEqual({ type: 'close' })
    expect(toConnectEvent(msg('error'))).toEqual({ type: 'error', code: 'UNKNOWN', message: 'The Connect page reported an error' })
    expect(toConnectEvent(msg('connect', { connectionId: 'c', integration: 'i', endUserId: 7 }))).toBeUndefined()
    expect(toConnectEvent([msg('ready')])).toBeUndefined()
  })
})
