/**
 * `@patchbay/connect`: opens Patchbay's hosted Connect page, where your app's end users connect
 * their own accounts, in a popup or an iframe, and reports what they did. No runtime
 * dependencies; browsers only.
 *
 * @packageDocumentation
 */
export { CONNECT_MESSAGE_SOURCE, toConnectEvent } from './messages.js'
export type {
  ConnectCloseMessage,
  ConnectConnectMessage,
  ConnectErrorMessage,
  ConnectEvent,
  ConnectEventType,
  ConnectMessage,
  ConnectReadyMessage,
} from './messages.js'
export { openConnect } from './open-connect.js'
export type { ConnectHandle, ConnectHost, ConnectMode, ConnectWindowRef, OpenConnectOptions } from './open-connect.js'
