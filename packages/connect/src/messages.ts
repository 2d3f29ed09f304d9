/**
 * The messages the hosted Connect page posts to the window that opened or embedded it, and the
 * one function that reads them. The page sends each with `postMessage(message, <your origin>)`;
 * this package accepts a message only from the hub's origin and only in this shape.
 */

/** The `source` of every Connect page message: tells them apart from other scripts' messages. */
export const CONNECT_MESSAGE_SOURCE = 'patchbay-connect'

/**
 * The page is loaded and shows the session (sent once, when it is ready for the user).
 *
 * @example
 * ```ts
 * { source: 'patchbay-connect', type: 'ready' }
 * ```
 */
export interface ConnectReadyMessage {
  source: typeof CONNECT_MESSAGE_SOURCE
  type: 'ready'
}

/**
 * The end user connected an account: the connection exists (ACTIVE) on the hub.
 *
 * @example
 * ```ts
 * { source: 'patchbay-connect', type: 'connect', connectionId: '65f0…', integration: 'github', endUserId: 'user-42' }
 * ```
 */
export interface ConnectConnectMessage {
  source: typeof CONNECT_MESSAGE_SOURCE
  type: 'connect'
  /** The new (or re-authorised) connection's id: run actions on it. */
  connectionId: string
  /** The integration's id, e.g. `github`. */
  integration: string
  /** The end user of the session, as the app's backend named it. */
  endUserId: string
}

/**
 * The user closed the page (its close button), or it finished and asks to be closed.
 *
 * @example
 * ```ts
 * { source: 'patchbay-connect', type: 'close' }
 * ```
 */
export interface ConnectCloseMessage {
  source: typeof CONNECT_MESSAGE_SOURCE
  type: 'close'
}

/**
 * Something stopped the flow: an expired or used session, a refused OAuth grant, …
 *
 * @example
 * ```ts
 * { source: 'patchbay-connect', type: 'error', code: 'SESSION_EXPIRED', message: 'This Connect session has expired; …' }
 * ```
 */
export interface ConnectErrorMessage {
  source: typeof CONNECT_MESSAGE_SOURCE
  type: 'error'
  /** A stable code such as `SESSION_EXPIRED`, `SESSION_USED`, `OAUTH_DENIED`. */
  code: string
  /** A sentence for people. */
  message: string
}

/** Any message the Connect page posts. */
export type ConnectMessage = ConnectReadyMessage | ConnectConnectMessage | ConnectCloseMessage | ConnectErrorMessage

/** A message's `type`. */
export type ConnectEventType = ConnectMessage['type']

/**
 * What `onEvent` receives: the message without its `source` marker.
 *
 * @example
 * ```ts
 * onEvent: (event) => {
 *   if (event.type === 'connect') saveConnection(event.connectionId)
 *   if (event.type === 'error') showError(event.message)
 * }
 * ```
 */
export type ConnectEvent =
  | { type: 'ready' }
  | { type: 'connect'; connectionId: string; integration: string; endUserId: string }
  | { type: 'close' }
  | { type: 'error'; code: string; message: string }

const MAX_TEXT = 2_000

function isText(v: unknown): v is string {
  return typeof v === 'string' && v.length > 0 && v.length <= MAX_TEXT
}

/**
 * Reads one `message` event's data as a Connect event, or `undefined` when it is not one
 * (another script's message, a wrong shape, an unknown type). Only the known fields are kept:
 * nothing else the sender put in the message reaches `onEvent`.
 *
 * @example
 * ```ts
 * toConnectEvent({ source: 'patchbay-connect', type: 'ready' }) // { type: 'ready' }
 * toConnectEvent({ type: 'ready' }) // undefined: no source marker
 * ```
 */
export function toConnectEvent(data: unknown): ConnectEvent | undefined {
  if (typeof data !== 'object' || data === null || Array.isArray(data)) return undefined
  const m = data as Record<string, unknown>
  if (m['source'] !== CONNECT_MESSAGE_SOURCE) return undefined
  switch (m['type']) {
    case 'ready':
      return { type: 'ready' }
    case 'close':
      return { type: 'close' }
    case 'connect':
      if (!isText(m['connectionId']) || !isText(m['integration']) || !isText(m['endUserId'])) return undefined
      return { type: 'connect', connectionId: m['connectionId'], integration: m['integration'], endUserId: m['endUserId'] }
    case 'error':
      return {
        type: 'error',
        code: isText(m['code']) ? m['code'] : 'UNKNOWN',
        message: isText(m['message']) ? m['message'] : 'The Connect page reported an error',
      }
    default:
      return undefined
  }
}
