import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { PatchbayError } from '@patchbay/core'
import { requestBuffered } from './buffered-request.js'
import { undici } from './undici.js'

// A real service on 127.0.0.1 whose answer each path chooses.
let server: Server
let origin = ''
let closedEarly = 0
beforeAll(async () => {
  server = createServer((req, res) => {
    res.on('close', () => {
      if (!res.writableFinished) closedEarly++
    })
    if (req.url === '/chunks') {
      res.writeHead(200, { 'content-type': 'application/json', 'set-cookie': ['a=1', 'b=2'] })
      res.write('{"greeting":"h')
      setTimeout(() => res.end('é"}'), 10)
    } else if (req.url === '/big') {
      res.writeHead(200, { 'content-type': 'text/plain' })
      const piece = 'x'.repeat(1024)
      let sent = 0
      const more = () => {
        if (res.destroyed) return
        if (sent++ < 200) res.write(piece, () => setImmediate(more))
        else res.end()
      }
      more()
    } else if (req.url === '/early-hints') {
      res.writeEarlyHints({ link: '</a.css>; rel=preload' }, () => res.writeHead(201).end('made'))
    } else if (req.url === '/slow') {
      setTimeout(() => res.writeHead(200).end('late'), 2_000).unref()
    } else if (req.url === '/echo') {
      let body = ''
      req.setEncoding('utf8')
      req.on('data', (c) => (body += c))
      req.on('end', () => res.writeHead(200, { 'content-type': 'text/plain' }).end(`${req.method} ${req.headers['x-key']} ${body}`))
    } else {
      res.writeHead(404).end()
    }
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
})
afterAll(() => new Promise<void>((r) => server.close(() => r())))

const agent = () => new (undici().Agent)({ keepAliveTimeout: 1_000 })
const get = (path: string) => ({ origin, path, method: 'GET' as const, headers: {}, body: null })

describe('requestBuffered', () => {
  it('reads a body sent in several pieces, as UTF-8, with repeated headers as arrays', async () => {
    const res = await requestBuffered(agent(), get('/chunks'), 1_000)
    expect(res.statusCode).toBe(200)
    expect(JSON.parse(res.text)).toEqual({ greeting: 'hé' })
    expect(res.headers['content-type']).toBe('application/json')
    expect(res.headers['set-cookie']).toEqual(['a=1', 'b=2'])
  })

  it('sends the method, headers and body it is given', async () => {
    const res = await requestBuffered(agent(), { origin, path: '/echo', method: 'POST', headers: { 'x-key': 'k1', 'content-type': 'text/plain' }, body: 'hello' }, 1_000)
    expect(res.text).toBe('POST k1 hello')
  })

  it('answers the final status, not a 103 Early Hints before it', async () => {
    const res = await requestBuffered(agent(), get('/early-hints'), 1_000)
    expect(res).toMatchObject({ statusCode: 201, text: 'made' })
  })

  it('refuses a body past the limit with UPSTREAM_ERROR and stops reading it', async () => {
    const before = closedEarly
    const err = await requestBuffered(agent(), get('/big'), 4_096).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(PatchbayError)
    expect(err).toMatchObject({ code: 'UPSTREAM_ERROR' })
    expect((err as Error).message).toContain('larger than 4096 bytes')
    // The call was aborted: the service saw its socket close before its answer was finished.
    await expect.poll(() => closedEarly, { timeout: 2_000 }).toBe(before + 1)
  })

  it('rejects with the signal reason when the signal fires while waiting for the answer', async () => {
    const controller = new AbortController()
    const reason = Object.assign(new Error('deadline'), { name: 'TimeoutError' })
    setTimeout(() => controller.abort(reason), 50)
    const started = Date.now()
    const err = await requestBuffered(agent(), { ...get('/slow'), signal: controller.signal }, 1_000).catch((e: unknown) => e)
    expect(err).toBe(reason)
    expect(Date.now() - started).toBeLessThan(1_500)
  })

  it('does not send at all when the signal has already fired', async () => {
    const controller = new AbortController()
    const reason = new Error('already late')
    controller.abort(reason)
    await expect(requestBuffered(agent(), { ...get('/echo'), signal: controller.signal }, 1_000)).rejects.toBe(reason)
  })

  it('rejects with the network error when nothing listens', async () => {
    const err = await requestBuffered(agent(), { ...get('/'), origin: 'http://127.0.0.1:1' }, 1_000).catch((e: unknown) => e)
    expect(err).toMatchObject({ code: 'ECONNREFUSED' })
  })
})
