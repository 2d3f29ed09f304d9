import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { request } from 'undici'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { PatchbayError } from '@patchbay/core'
import { blockedReason, checkUrl, createGuardedDispatcher, createGuardedFetch, guardedLookup } from './ssrf-guard.js'

describe('blockedReason', () => {
  it.each([
    ['127.0.0.1', 'loopback'],
    ['127.8.9.10', 'loopback'],
    ['::1', 'loopback'],
    ['10.0.0.1', 'private'],
    ['172.16.5.4', 'private'],
    ['192.168.1.1', 'private'],
    ['169.254.169.254', 'linkLocal'],
    ['fe80::1', 'linkLocal'],
    ['fd12:3456::1', 'uniqueLocal'],
    ['::ffff:10.0.0.1', 'private'],
    ['::ffff:127.0.0.1', 'loopback'],
    ['0.0.0.0', 'unspecified'],
    ['100.64.0.1', 'carrierGradeNat'],
    ['224.0.0.1', 'multicast'],
  ])('refuses %s (%s)', (address, reason) => {
    expect(blockedReason(address)).toBe(reason)
  })

  it.each(['93.184.216.34', '8.8.8.8', '2606:4700:4700::1111', '[2001:4860:4860::8888]'])('allows the public address %s', (address) => {
    expect(blockedReason(address)).toBeUndefined()
  })
})

describe('blockedReason: IPv6 forms that embed an IPv4 address', () => {
  it.each([
    ['::7f00:1', 'loopback'], // IPv4-compatible ::127.0.0.1, as new URL() writes it
    ['::127.0.0.1', 'loopback'],
    ['::a00:1', 'private'],
    ['::a9fe:a9fe', 'linkLocal'],
    ['::ffff:0:7f00:1', 'loopback'], // IPv4-translated (RFC 6145)
    ['64:ff9b::7f00:1', 'loopback'], // NAT64
    ['64:ff9b::a9fe:a9fe', 'linkLocal'],
    ['2002:7f00:1::', 'loopback'], // 6to4
    ['2002:c0a8:101::1', 'private'],
    ['2001:0:4136:e378:8000:63bf:80ff:fffe', 'loopback'], // Teredo, client = ~0x80fffffe = 127.0.0.1
    ['2001:0:4136:e378:8000:63bf:f5ff:fffe', 'private'], // Teredo client 10.0.0.1
  ])('refuses %s (%s)', (address, reason) => {
    expect(blockedReason(address)).toBe(reason)
  })

  it.each(['64:ff9b::808:808', '2002:808:808::1', '2001:0:4136:e378:8000:63bf:f7f7:f7f7'])('allows %s, which embeds the public 8.8.8.8', (address) => {
    expect(blockedReason(address)).toBeUndefined()
  })

  it('refuses the literal URL http://[::127.0.0.1]:port', () => {
    expect(() => checkUrl('http://[::127.0.0.1]:8080/mcp', { allowPrivateNetwork: false })).toThrow(/loopback/)
  })
})

describe('checkUrl', () => {
  const strict = { allowPrivateNetwork: false }
  it('refuses literal private IPs and localhost names unless allowed', () => {
    for (const url of ['http://127.0.0.1:80/mcp', 'http://[::1]/', 'http://localhost:3000/', 'http://api.localhost/', 'http://[::ffff:7f00:1]/']) {
      expect(() => checkUrl(url, strict), url).toThrow(/PATCHBAY_ALLOW_PRIVATE_NETWORK=true/)
      expect(checkUrl(url, { allowPrivateNetwork: true }).href).toBe(new URL(url).href)
    }
  })
  it('refuses other schemes, credentials and junk with a clear message', () => {
    expect(() => checkUrl('ftp://example.com/', strict)).toThrow('http or https')
    expect(() => checkUrl('https://u:p@example.com/', strict)).toThrow('not in the URL')
    expect(() => checkUrl('nope', strict)).toThrow('not an absolute URL')
  })
  it('lets public names through to the connect-time check', () => {
    expect(checkUrl('https://mcp.example.com/mcp', strict).hostname).toBe('mcp.example.com')
  })
})

describe('guarded connections (DNS answer checked where the socket is opened)', () => {
  let server: Server
  let port: number
  beforeAll(async () => {
    server = createServer((_req, res) => res.end('ok'))
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
    port = (server.address() as AddressInfo).port
  })
  afterAll(async () => {
    server.closeAllConnections()
    await new Promise<void>((r) => server.close(() => r()))
  })

  it('the lookup refuses a name resolving to loopback, naming the address', async () => {
    const err = await new Promise<unknown>((resolve) => guardedLookup()('localhost', {}, (e: unknown) => resolve(e)))
    expect(err).toBeInstanceOf(PatchbayError)
    expect((err as Error).message).toMatch(/localhost \(it resolves to (127\.0\.0\.1|::1)\) is a loopback address/)
  })

  it('a dispatcher refuses to connect to a name that resolves to loopback, even without the URL check', async () => {
    const dispatcher = createGuardedDispatcher({ allowPrivateNetwork: false })
    try {
      const err = await request(`http://localhost:${port}/`, { dispatcher }).catch((e: unknown) => e)
      let e: unknown = err
      while (e && !(e instanceof PatchbayError)) e = (e as { cause?: unknown }).cause
      expect(e, String(err)).toBeInstanceOf(PatchbayError)
    } finally {
      await dispatcher.close()
    }
  })

  it('connects when the operator allows private networks', async () => {
    const dispatcher = createGuardedDispatcher({ allowPrivateNetwork: true })
    try {
      const res = await createGuardedFetch(dispatcher, { allowPrivateNetwork: true })(`http://localhost:${port}/`)
      expect(await res.text()).toBe('ok')
    } finally {
      await dispatcher.close()
    }
  })

  it('the guarded fetch refuses a literal loopback URL before connecting', async () => {
    const dispatcher = createGuardedDispatcher({ allowPrivateNetwork: false })
    try {
      await expect(createGuardedFetch(dispatcher, { allowPrivateNetwork: false })(`http://127.0.0.1:${port}/`)).rejects.toThrow(/loopback/)
    } finally {
      await dispatcher.close()
    }
  })
})
