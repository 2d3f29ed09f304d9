/**
 * `openConnect`: opens the hub's hosted Connect page for one session in a popup or an iframe and
 * turns the page's `postMessage`s into events. Browser APIs only; the window is injectable so the
 * origin check and the event mapping are tested without a browser.
 */
import { type ConnectEvent, toConnectEvent } from './messages.js'

/** How the page is shown: a separate window (the default), or an iframe inside your page. */
export type ConnectMode = 'popup' | 'iframe'

/**
 * The part of `window` that {@link openConnect} uses. The global `window` has it; tests pass a
 * fake.
 */
export interface ConnectHost {
  open(url: string, target: string, features: string): ConnectWindowRef | null
  addEventListener(type: 'message', listener: (event: MessageEvent) => void): void
  removeEventListener(type: 'message', listener: (event: MessageEvent) => void): void
  setInterval(handler: () => void, ms: number): ReturnType<typeof setInterval> | number
  clearInterval(id: ReturnType<typeof setInterval> | number | undefined): void
  readonly document: { createElement(tag: 'iframe'): HTMLIFrameElement; readonly body: HTMLElement | null }
  /** This page's origin: the Connect page posts its messages to this origin only. */
  readonly location: { readonly origin: string }
}

/** A window `open` returned: what is needed to tell its messages apart, close it and see it closed. */
export interface ConnectWindowRef {
  readonly closed: boolean
  close(): void
}

/** What {@link openConnect} is called with. */
export interface OpenConnectOptions {
  /** The `token` of a Connect session your backend created (`POST /api/v2/connect/sessions`). */
  sessionToken: string
  /** The hub's public base URL, e.g. `https://hub.example.com` (a path prefix is kept). */
  hubUrl: string
  /** `popup` (default) or `iframe`. An iframe needs your origin in the tenant's allowed origins. */
  mode?: ConnectMode
  /** Iframe mode: the element the iframe is appended to; default `document.body`. */
  container?: HTMLElement
  /** Receives `ready`, `connect`, `close` and `error` (see {@link ConnectEvent}). */
  onEvent?: (event: ConnectEvent) => void
  /** Popup mode: the `features` of `window.open`; default a 480 × 720 popup. */
  popupFeatures?: string
  /** Popup mode: how often to check whether the user closed the popup, ms; default 500. */
  closePollMs?: number
  /** The window to work in; default the global `window`. */
  window?: ConnectHost
}

/** What {@link openConnect} returns. */
export interface ConnectHandle {
  /** The page's URL: `<hubUrl>/connect?session=<token>&origin=<this page's origin>`. */
  readonly url: string
  /** The iframe, in iframe mode. */
  readonly iframe: HTMLIFrameElement | undefined
  /** Whether the page was closed (by the user, by the page, or by {@link ConnectHandle.close}). */
  readonly closed: boolean
  /**
   * Closes the popup or removes the iframe, and stops listening. Reports no `close` event: you
   * closed it. Calling it again does nothing.
   */
  close(): void
}

const DEFAULT_FEATURES = 'popup,width=480,height=720'

function hubOrigin(hubUrl: unknown): { origin: string; base: string } {
  if (typeof hubUrl !== 'string' || hubUrl.trim() === '') throw new TypeError('openConnect: hubUrl is required, e.g. "https://hub.example.com"')
  let url: URL
  try {
    url = new URL(hubUrl)
  } catch {
    throw new TypeError(`openConnect: hubUrl must be an absolute http(s) URL such as https://hub.example.com; got "${hubUrl}"`)
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new TypeError(`openConnect: hubUrl must use http or https; got "${url.protocol}"`)
  return { origin: url.origin, base: `${url.origin}${url.pathname.replace(/\/+$/, '')}` }
}

function defaultHost(): ConnectHost {
  const w = (globalThis as { window?: ConnectHost }).window
  if (w === undefined) throw new TypeError('openConnect runs in a browser: there is no window here (pass options.window to use another one)')
  return w
}

/**
 * Opens the Connect page of a session, telling it this page's origin (`&origin=`: the page posts
 * its messages to that origin only, and only when the tenant allows it). Only messages whose `event.origin` is the hub's origin,
 * that come from the opened popup or iframe, and that have the Connect page's shape
 * (`{ source: 'patchbay-connect', type, … }`) become events; everything else is ignored. A popup
 * the browser blocked is reported as an `error` event with code `POPUP_BLOCKED`; a popup the user
 * closed as a `close` event. A `close` message from the page closes the popup or removes the
 * iframe.
 *
 * @throws {TypeError} when `sessionToken` or `hubUrl` is missing or malformed, or when there is
 *   no window.
 * @example
 * ```ts
 * import { openConnect } from '@patchbay/connect'
 *
 * const { token } = await (await fetch('/api/patchbay/connect-session', { method: 'POST' })).json()
 * const handle = openConnect({
 *   sessionToken: token,
 *   hubUrl: 'https://hub.example.com',
 *   mode: 'popup',
 *   onEvent: (event) => {
 *     if (event.type === 'connect') console.log('connected', event.integration, event.connectionId)
 *     if (event.type === 'error') console.error(event.code, event.message)
 *   },
 * })
 * // later, if the user navigates away: handle.close()
 * ```
 */
export function openConnect(options: OpenConnectOptions): ConnectHandle {
  if (typeof options !== 'object' || options === null) throw new TypeError('openConnect: pass { sessionToken, hubUrl, mode?, onEvent? }')
  const { sessionToken } = options
  if (typeof sessionToken !== 'string' || sessionToken.trim() === '') {
    throw new TypeError('openConnect: sessionToken is required: the token of a Connect session created by your backend')
  }
  const mode = options.mode ?? 'popup'
  if (mode !== 'popup' && mode !== 'iframe') throw new TypeError(`openConnect: mode must be 'popup' or 'iframe'; got ${JSON.stringify(mode)}`)
  const { origin, base } = hubOrigin(options.hubUrl)
  const host = options.window ?? defaultHost()
  // The page posts to this origin only (and only when it is one of the tenant's allowed origins).
  const url = `${base}/connect?${new URLSearchParams({ session: sessionToken, origin: host.location.origin })}`
  const onEvent = options.onEvent ?? (() => {})

  let closed = false
  let popup: ConnectWindowRef | null = null
  let iframe: HTMLIFrameElement | undefined
  let poll: ReturnType<typeof setInterval> | number | undefined

  const stop = () => {
    if (closed) return false
    closed = true
    host.removeEventListener('message', listener)
    host.clearInterval(poll)
    if (popup && !popup.closed) popup.close()
    iframe?.remove()
    return true
  }
  // The window the page lives in: messages from any other (another tab, another iframe) are not its.
  const pageWindow = (): unknown => (iframe ? iframe.contentWindow : popup)
  const listener = (event: MessageEvent) => {
    if (closed || event.origin !== origin) return
    const from = pageWindow()
    if (from !== null && from !== undefined && event.source !== from) return
    const mapped = toConnectEvent(event.data)
    if (mapped === undefined) return
    if (mapped.type === 'close') {
      if (stop()) onEvent(mapped)
      return
    }
    onEvent(mapped)
  }
  host.addEventListener('message', listener)

  if (mode === 'popup') {
    popup = host.open(url, 'patchbay-connect', options.popupFeatures ?? DEFAULT_FEATURES)
    if (popup === null) {
      stop()
      // After return, so the caller's handle exists when the event arrives.
      queueMicrotask(() => onEvent({ type: 'error', code: 'POPUP_BLOCKED', message: 'The browser blocked the Connect popup: call openConnect from a click handler' }))
    } else {
      const opened = popup
      poll = host.setInterval(() => {
        if (opened.closed && stop()) onEvent({ type: 'close' })
      }, options.closePollMs ?? 500)
    }
  } else {
    const container = options.container ?? host.document.body
    if (!container) {
      stop()
      throw new TypeError('openConnect: iframe mode needs a container (the document has no body yet)')
    }
    iframe = host.document.createElement('iframe')
    iframe.src = url
    iframe.title = 'Connect an account'
    iframe.setAttribute('allow', 'clipboard-write')
    iframe.style.border = '0'
    iframe.style.width = '100%'
    iframe.style.minHeight = '640px'
    container.appendChild(iframe)
  }

  return {
    url,
    get iframe() {
      return iframe
    },
    get closed() {
      return closed
    },
    close() {
      stop()
    },
  }
}
