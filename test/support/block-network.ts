/**
 * Vitest setup: tests may only talk to this machine. Any attempt to connect elsewhere fails at
 * once with an error naming the host, instead of leaking traffic (or hanging on DNS).
 */
import * as net from 'node:net'

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|::1|\[::1\]|localhost|::ffff:127\.\d+\.\d+\.\d+)$/i
const original = net.Socket.prototype.connect

function hostOf(args: unknown[]): string | undefined {
  const first = args[0]
  if (Array.isArray(first)) return hostOf(first)
  if (typeof first === 'object' && first !== null) {
    const o = first as { host?: string; path?: string }
    if (o.path) return 'localhost' // Unix socket (e.g. PostgreSQL): local by definition.
    return o.host ?? 'localhost'
  }
  if (typeof first === 'number') return typeof args[1] === 'string' ? args[1] : 'localhost'
  if (typeof first === 'string') return 'localhost' // Unix socket path.
  return undefined
}

net.Socket.prototype.connect = function guardedConnect(this: net.Socket, ...args: unknown[]) {
  const host = hostOf(args)
  if (host !== undefined && !LOOPBACK.test(host)) {
    const err = Object.assign(new Error(`Test network guard: connection to ${host} refused (tests may only reach 127.0.0.1/localhost/[::1])`), {
      code: 'ECONNREFUSED',
    })
    process.nextTick(() => this.destroy(err))
    return this
  }
  return (original as (...a: unknown[]) => net.Socket).apply(this, args)
} as typeof net.Socket.prototype.connect
