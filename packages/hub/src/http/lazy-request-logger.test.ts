import { Writable } from 'node:stream'
import Fastify, { type FastifyBaseLogger } from 'fastify'
import { pino } from 'pino'
import { describe, expect, it } from 'vitest'
import { AccessLogger, createLogger } from '../logger.js'
import { lazyChildLoggerFactory, LazyRequestLogger } from './lazy-request-logger.js'

function capture() {
  const lines: Record<string, unknown>[] = []
  const stream = new Writable({
    write(chunk, _enc, cb) {
      for (const l of String(chunk).split('\n')) if (l) lines.push(JSON.parse(l) as Record<string, unknown>)
      cb()
    },
  })
  return { lines, logger: createLogger('info', stream) }
}

describe('LazyRequestLogger', () => {
  it('writes the access line with the request id and builds no child unless something logs', async () => {
    const { lines, logger } = capture()
    let children = 0
    const counted = new WeakSet<object>()
    const app = Fastify({
      loggerInstance: logger as FastifyBaseLogger,
      childLoggerFactory: (parent, bindings, options) => {
        if (!counted.has(parent)) {
          // Count the children built on the server's logger.
          counted.add(parent)
          const child = parent.child.bind(parent)
          parent.child = ((...args: Parameters<typeof child>) => {
            children++
            return child(...args)
          }) as typeof parent.child
        }
        return lazyChildLoggerFactory(parent, bindings, options)
      },
      disableRequestLogging: true,
    })
    app.get('/quiet', async () => ({ ok: true }))
    app.get('/loud', async (req) => {
      req.log.warn({ creds: { token: 'sekret-value' } }, 'something')
      return { ok: true }
    })
    const accessLogger = new AccessLogger(logger)
    app.addHook('onResponse', (req, reply, done) => {
      expect(req.log).toBeInstanceOf(LazyRequestLogger)
      accessLogger.write({ reqId: req.id, method: req.method, route: req.routeOptions.url ?? '', status: reply.statusCode, ms: reply.elapsedTime })
      done()
    })
    await app.inject({ method: 'GET', url: '/quiet' })
    expect(children).toBe(0)
    await app.inject({ method: 'GET', url: '/loud' })
    expect(children).toBe(1)
    await app.close()
    const access = lines.filter((l) => l['msg'] === 'request')
    expect(access).toHaveLength(2)
    for (const l of access) expect(l).toMatchObject({ level: 30, service: 'patchbay', method: 'GET', status: 200, reqId: expect.any(String) })
    expect(access.map((l) => l['route'])).toEqual(['/quiet', '/loud'])
    const warn = lines.find((l) => l['msg'] === 'something')
    // Through the child: bound to the request, and redacted as every line is.
    expect(warn).toMatchObject({ level: 40, reqId: access[1]?.['reqId'], creds: { token: '[REDACTED]' } })
    expect(JSON.stringify(lines)).not.toContain('sekret-value')
  })

  it('the access logger writes to the same destination, with the base bindings, following the level', () => {
    const { lines, logger } = capture()
    const access = new AccessLogger(logger)
    access.write({ reqId: 'r1', method: 'GET', route: '/health', status: 200, ms: 0.5 })
    logger.level = 'warn'
    access.write({ reqId: 'r2', method: 'GET', route: '/health', status: 200, ms: 0.5 })
    logger.level = 'info'
    access.write({ reqId: 'r3', method: 'POST', route: '/api/v2/execute/:id', status: 401, ms: 1, tenant: 't1', keyId: 'k1' })
    expect(lines.map((l) => l['reqId'])).toEqual(['r1', 'r3'])
    expect(lines[1]).toMatchObject({ level: 30, service: 'patchbay', msg: 'request', route: '/api/v2/execute/:id', status: 401, tenant: 't1', keyId: 'k1' })
  })

  it('with a logger that has no pino destination, hands the line to the logger itself', () => {
    const calls: unknown[][] = []
    const logger = { levelVal: 30, level: 'info', bindings: () => ({ service: 'patchbay' }), info: (...a: unknown[]) => calls.push(a) }
    const line = { reqId: 'r1', method: 'GET', route: '/health', status: 200, ms: 0.5 }
    new AccessLogger(logger as never).write(line)
    expect(calls).toEqual([[line, 'request']])
  })

  it('writes the very line pino would write, every string through JSON.stringify', () => {
    const { lines, logger } = capture()
    const line = { reqId: 'r"\\1', method: 'POST', route: '/api/v2/execute/:id', status: 200, ms: 1.25, tenant: 't1', keyId: undefined }
    new AccessLogger(logger).write(line)
    pino({ level: 'info', base: logger.bindings() }, { write: (s: string) => lines.push(JSON.parse(s)) }).info(line, 'request')
    expect(lines).toHaveLength(2)
    const [ours, theirs] = lines.map(({ time: _, ...rest }) => rest)
    expect(ours).toEqual(theirs)
    expect(Object.keys(ours as object)).toEqual(Object.keys(theirs as object))
  })

  it('on a batched destination, holds lines up to 100 ms and writes them in one piece, at once past 16 KB', async () => {
    const writes: string[] = []
    const logger = pino({ level: 'info', base: { service: 'patchbay' } }, { write: (s: string) => writes.push(s) })
    const access = new AccessLogger(logger, { batch: true })
    for (let i = 0; i < 3; i++) access.write({ reqId: `r${i}`, method: 'GET', route: '/health', status: 200, ms: 0.1 })
    expect(writes).toHaveLength(0)
    await new Promise((r) => setTimeout(r, 150))
    expect(writes).toHaveLength(1)
    expect(
      (writes[0] as string)
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l).reqId),
    ).toEqual(['r0', 'r1', 'r2'])
    const long = 'x'.repeat(120)
    for (let i = 0; i < 200; i++) access.write({ reqId: `${long}${i}`, method: 'GET', route: '/health', status: 200, ms: 0.1 })
    expect(writes.length).toBeGreaterThan(1)
    access.write({ reqId: 'last', method: 'GET', route: '/health', status: 200, ms: 0.1 })
    access.flush()
    expect(writes.join('').trim().split('\n').at(-1)).toContain('"reqId":"last"')
  })
})
