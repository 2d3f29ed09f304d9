import { isIPv6 } from 'node:net'

/** Addresses that mean "every interface": a browser on this machine reaches them at 127.0.0.1. */
const WILDCARDS = new Set(['', '0.0.0.0', '::', '[::]'])

/**
 * The base URL a hub listening on `host:port` is reached at from this machine, as `serve`
 * prints it: a wildcard interface becomes 127.0.0.1 and an IPv6 address is bracketed.
 *
 * @example baseUrlOf('0.0.0.0', 8470) // 'http://127.0.0.1:8470'
 */
export function baseUrlOf(host: string, port: number): string {
  const h = WILDCARDS.has(host) ? '127.0.0.1' : isIPv6(host) ? `[${host}]` : host
  return `http://${h}:${port}`
}

/**
 * The base URL the hub hands out in OAuth redirect and poll URLs: PATCHBAY_PUBLIC_URL when set,
 * else {@link baseUrlOf} the configured host and port; `source` says which, for messages.
 */
export function publicBaseUrl(config: { publicUrl: string | undefined; host: string; port: number }): { url: string; source: 'PATCHBAY_PUBLIC_URL' | 'host and port' } {
  if (config.publicUrl) return { url: config.publicUrl, source: 'PATCHBAY_PUBLIC_URL' }
  return { url: baseUrlOf(config.host, config.port), source: 'host and port' }
}
