/**
 * Outbound-address policy for URLs a tenant supplies (remote MCP servers): a tenant must not be
 * able to make the hub reach its own network (loopback, private ranges, link-local metadata
 * endpoints such as 169.254.169.254) unless the operator allows it.
 *
 * The check happens where the socket is opened, on the address DNS actually returned: the guarded
 * dispatcher's `lookup` resolves the name, refuses any blocked address, and hands the checked
 * address to the connect call, so a name that resolves to a public address when checked and to a
 * private one a moment later (DNS rebinding) cannot slip through a check-then-connect gap.
 */
import { lookup as dnsLookup, type LookupAddress } from 'node:dns'
import { isIP, type LookupFunction } from 'node:net'
import { createRequire } from 'node:module'
import type * as IpAddr from 'ipaddr.js'
import type { Dispatcher, fetch as undiciFetch } from 'undici'
import { PatchbayError } from '@patchbay/core'
import { undici } from './undici.js'

// ipaddr.js is CommonJS with `export =`; without esModuleInterop, require it.
const ipaddr = createRequire(import.meta.url)('ipaddr.js') as typeof IpAddr

/** What {@link createGuardedDispatcher} and {@link createGuardedFetch} are built with. */
export interface NetworkPolicyConfig {
  /** Allow loopback, private, link-local and unique-local addresses (`PATCHBAY_ALLOW_PRIVATE_NETWORK=true`). */
  allowPrivateNetwork: boolean
  /** Connect timeout, ms (default 10 000). */
  connectTimeoutMs?: number
  /** Header and body timeouts, ms (default 60 000). */
  timeoutMs?: number
}

/** Ranges that are public unicast; everything else (loopback, private, link-local, CGNAT, reserved…) is refused. */
const PUBLIC_RANGES = new Set(['unicast'])

/**
 * IPv6 prefixes that carry an IPv4 address, and where: the address is judged by the IPv4 address
 * it reaches, so `[::7f00:1]` (IPv4-compatible), `[64:ff9b::a00:1]` (NAT64), `[2002:7f00:1::]`
 * (6to4) or a Teredo address whose client is 127.0.0.1 are loopback/private like the address
 * they embed. ipaddr.js parses and matches the prefixes; only picking the 4 bytes out is done here,
 * because ipaddr.js converts the IPv4-mapped form only (and `net.BlockList` has no such notion).
 */
const EMBEDDING_PREFIXES: ReadonlyArray<{ cidr: [IpAddr.IPv6, number]; at: number; invert?: boolean }> = [
  { cidr: ipaddr.IPv6.parseCIDR('::/96'), at: 12 }, // IPv4-compatible (RFC 4291 §2.5.5.1, deprecated)
  { cidr: ipaddr.IPv6.parseCIDR('::ffff:0:0/96'), at: 12 }, // IPv4-mapped (RFC 4291 §2.5.5.2)
  { cidr: ipaddr.IPv6.parseCIDR('::ffff:0:0:0/96'), at: 12 }, // IPv4-translated (RFC 6145)
  { cidr: ipaddr.IPv6.parseCIDR('64:ff9b::/96'), at: 12 }, // NAT64 well-known prefix (RFC 6052)
  { cidr: ipaddr.IPv6.parseCIDR('2002::/16'), at: 2 }, // 6to4 (RFC 3056 §2)
  { cidr: ipaddr.IPv6.parseCIDR('2001::/32'), at: 12, invert: true }, // Teredo client, bits inverted (RFC 4380 §4)
]

/** The IPv4 address an IPv6 address embeds (see {@link EMBEDDING_PREFIXES}), if any. */
function embeddedIPv4(ip: IpAddr.IPv6): IpAddr.IPv4 | undefined {
  const bytes = ip.toByteArray()
  for (const p of EMBEDDING_PREFIXES) {
    if (!ip.match(p.cidr)) continue
    const four = bytes.slice(p.at, p.at + 4).map((b) => (p.invert ? ~b & 0xff : b))
    return new ipaddr.IPv4(four)
  }
  return undefined
}

/**
 * Why an IP address may not be reached, or undefined when it may. IPv6 addresses that embed an
 * IPv4 address (IPv4-compatible, IPv4-mapped, NAT64, 6to4, Teredo) are judged by the IPv4 address
 * they carry; `::` and `::1` keep their own meaning.
 *
 * @example
 * ```ts
 * blockedReason('127.0.0.1') // 'loopback'
 * blockedReason('[::7f00:1]') // 'loopback' (IPv4-compatible 127.0.0.1)
 * blockedReason('93.184.216.34') // undefined
 * ```
 */
export function blockedReason(address: string): string | undefined {
  let ip: IpAddr.IPv4 | IpAddr.IPv6
  try {
    ip = ipaddr.parse(address.replace(/^\[|\]$/g, '').replace(/%.*$/, ''))
  } catch {
    return 'not an IP address'
  }
  if (ip.kind() === 'ipv6') {
    const range = ip.range()
    if (range === 'unspecified' || range === 'loopback') return range
    const v4 = embeddedIPv4(ip as IpAddr.IPv6)
    if (v4) ip = v4
  }
  const range = ip.range()
  return PUBLIC_RANGES.has(range) ? undefined : range
}

/**
 * The PatchbayError in an error's cause chain, if any: a refused address raised inside a DNS lookup
 * reaches callers wrapped by undici or fetch (`fetch failed` → cause).
 */
export function findPatchbayError(err: unknown): PatchbayError | undefined {
  let e: unknown = err
  for (let i = 0; i < 6 && e; i++) {
    if (e instanceof PatchbayError) return e
    e = (e as { cause?: unknown }).cause
  }
  return undefined
}

/** The error for a refused address; it names the host and the operator switch, never more. */
export function privateNetworkError(host: string, address: string, reason: string): PatchbayError {
  const via = host === address ? '' : ` (it resolves to ${address})`
  // ipaddr.js range names (`linkLocal`, `uniqueLocal`, `carrierGradeNat`) in plain words.
  const words = reason
    .replace(/([a-z])([A-Z])/g, '$1-$2')
    .toLowerCase()
    .replace('carrier-grade-nat', 'carrier-grade NAT')
  return new PatchbayError(
    'VALIDATION',
    `${host}${via} is a ${words} address, which this hub does not connect to for a tenant-supplied URL; use a public address, or let the operator set PATCHBAY_ALLOW_PRIVATE_NETWORK=true`,
  )
}

/**
 * A `net`/`tls` lookup function that resolves like the default one, then refuses blocked
 * addresses. Used as the `lookup` of the guarded dispatcher's connector.
 */
export function guardedLookup(): LookupFunction {
  return ((hostname: string, options: { all?: boolean }, callback: (...args: unknown[]) => void) => {
    dnsLookup(hostname, { ...options, all: true }, (err, addresses: LookupAddress[]) => {
      if (err) return callback(err)
      const list = addresses ?? []
      for (const a of list) {
        const reason = blockedReason(a.address)
        if (reason) return callback(privateNetworkError(hostname, a.address, reason))
      }
      if (list.length === 0) return callback(Object.assign(new Error(`${hostname} does not resolve`), { code: 'ENOTFOUND' }))
      if (options.all) return callback(null, list)
      const first = list[0] as LookupAddress
      return callback(null, first.address, first.family)
    })
  }) as unknown as LookupFunction
}

/**
 * Checks a URL before any connection: http(s) only, and a literal IP host must be allowed
 * (literal IPs never reach a lookup function, so they are checked here).
 *
 * @throws {PatchbayError} VALIDATION saying what is wrong with the URL.
 */
export function checkUrl(raw: string, policy: Pick<NetworkPolicyConfig, 'allowPrivateNetwork'>): URL {
  let url: URL
  try {
    url = new URL(raw)
  } catch {
    throw new PatchbayError('VALIDATION', `"${raw.slice(0, 200)}" is not an absolute URL; give one such as https://mcp.example.com/mcp`)
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new PatchbayError('VALIDATION', `The URL must use http or https; got ${url.protocol}`)
  }
  if (url.username || url.password) {
    throw new PatchbayError('VALIDATION', 'Put credentials in `token` or `headers`, not in the URL')
  }
  if (!policy.allowPrivateNetwork) {
    const host = url.hostname.replace(/^\[|\]$/g, '')
    if (isIP(host)) {
      const reason = blockedReason(host)
      if (reason) throw privateNetworkError(host, host, reason)
    } else if (host === 'localhost' || host.endsWith('.localhost')) {
      throw privateNetworkError(host, host, 'loopback')
    }
  }
  return url
}

/**
 * An undici dispatcher whose connections may only go to allowed addresses (unless the policy
 * allows private networks). Close it when done.
 */
export function createGuardedDispatcher(policy: NetworkPolicyConfig): Dispatcher {
  const timeout = policy.timeoutMs ?? 60_000
  return new (undici().Agent)({
    connect: {
      timeout: policy.connectTimeoutMs ?? 10_000,
      ...(policy.allowPrivateNetwork ? {} : { lookup: guardedLookup() }),
    },
    headersTimeout: timeout,
    // Streams (SSE) stay open with long gaps between events: no body timeout.
    bodyTimeout: 0,
    keepAliveTimeout: 10_000,
  })
}

/** A fetch-compatible function (as the MCP SDK's transports take). */
export type GuardedFetch = (url: string | URL, init?: RequestInit) => Promise<Response>

/**
 * A `fetch` that checks every URL with {@link checkUrl} and connects through `dispatcher` (see
 * {@link createGuardedDispatcher}), so redirects and later requests are held to the same policy.
 */
export function createGuardedFetch(dispatcher: Dispatcher, policy: Pick<NetworkPolicyConfig, 'allowPrivateNetwork'>): GuardedFetch {
  return async (url, init) => {
    checkUrl(String(url), policy)
    // Redirects are never followed here: a redirect to a literal IP would skip the lookup guard.
    // The MCP SDK follows same-origin redirects itself, through this function again.
    const redirect = init?.redirect === 'error' ? 'error' : 'manual'
    // undici's fetch and the global one share the WHATWG shapes; the casts bridge their typings.
    return (await undici().fetch(url, { ...(init as object), redirect, dispatcher } as Parameters<typeof undiciFetch>[1])) as unknown as Response
  }
}

/**
 * A guarded dispatcher ({@link createGuardedDispatcher}) made on first use, and a fetch through it
 * ({@link createGuardedFetch}): what a service that may call out holds, so a hub that never calls
 * out does not load undici at start (net/undici.ts).
 *
 * @example
 * ```ts
 * const out = new LazyGuardedOutbound({ allowPrivateNetwork: false })
 * const res = await out.fetch('https://hooks.example.com/in', { method: 'POST', body: '{}' })
 * await out.close()
 * ```
 */
export class LazyGuardedOutbound {
  readonly #policy: NetworkPolicyConfig
  #dispatcher: Dispatcher | undefined
  #fetch: GuardedFetch | undefined

  constructor(policy: NetworkPolicyConfig) {
    this.#policy = policy
  }

  /** The guarded dispatcher, made now if it was not yet. */
  get dispatcher(): Dispatcher {
    this.#dispatcher ??= createGuardedDispatcher(this.#policy)
    return this.#dispatcher
  }

  /** A guarded fetch through {@link dispatcher} (made on the first call). */
  readonly fetch: GuardedFetch = (url, init) => {
    this.#fetch ??= createGuardedFetch(this.dispatcher, this.#policy)
    return this.#fetch(url, init)
  }

  /** Closes the dispatcher's connections, if it was ever made. */
  async close(): Promise<void> {
    await this.#dispatcher?.close()
  }
}
