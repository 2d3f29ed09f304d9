// The minimal forwarder: the least code that does an action run's job, the baseline the hub's CPU
// per run is held to (issue 13). It checks the API key (SHA-256 compared in constant time, as the
// hub stores keys), finds the connection's credential in memory, puts it on the request, calls the
// stand-in service through an undici keep-alive pool, and wraps its JSON answer in the hub's body.
// Plain JavaScript like upstream-server.mjs: it runs under bare `node`, as its own process.
// With FORWARDER_FRAME_ONLY=1 it does everything but the call: after the key check and the parse it
// answers a fixed body, so its frame can be set against the hub's (docs/performance.md, "The ninth round").
//
// Usage: FORWARDER_API_KEY=<key> FORWARDER_UPSTREAM=<url> FORWARDER_CONNECTIONS='{"<id>":"<api key>"}'
//        node bench/minimal-forwarder.mjs [port]        (prints `listening http://127.0.0.1:<port>`)
import { createHash, timingSafeEqual } from 'node:crypto'
import { createServer } from 'node:http'
import { Pool } from 'undici'

const env = process.env
const sha256 = (s) => createHash('sha256').update(s, 'utf8').digest()
const keyHash = sha256(env.FORWARDER_API_KEY ?? '')
const credentials = new Map(Object.entries(JSON.parse(env.FORWARDER_CONNECTIONS ?? '{}')))
const pool = new Pool(env.FORWARDER_UPSTREAM, { keepAliveTimeout: 10_000 })
const PREFIX = '/api/v2/execute/'
const frameOnly = env.FORWARDER_FRAME_ONLY === '1'

const send = (res, status, body) => {
  const text = JSON.stringify(body)
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) }).end(text)
}

const server = createServer((req, res) => {
  const key = req.headers['x-api-key']
  if (typeof key !== 'string' || !timingSafeEqual(sha256(key), keyHash)) return send(res, 401, { error: 'unknown API key' })
  const secret = req.method === 'POST' && req.url.startsWith(PREFIX) ? credentials.get(req.url.slice(PREFIX.length)) : undefined
  if (secret === undefined) return send(res, 404, { error: 'no such connection' })
  let raw = ''
  req.setEncoding('utf8')
  req.on('data', (c) => (raw += c))
  req.on('end', async () => {
    const started = performance.now()
    try {
      const { data } = JSON.parse(raw)
      if (typeof data?.item_id !== 'string') return send(res, 400, { error: 'data.item_id is required' })
      if (frameOnly) return send(res, 200, { status: 'SUCCESS', completed: true, data: { ok: true, id: data.item_id }, runTime: (performance.now() - started) / 1000 })
      const up = await pool.request({ method: 'GET', path: `/items/${encodeURIComponent(data.item_id)}`, headers: { 'x-api-key': secret } })
      send(res, 200, { status: 'SUCCESS', completed: true, data: await up.body.json(), runTime: (performance.now() - started) / 1000 })
    } catch {
      send(res, 502, { error: 'the service failed' })
    }
  })
})
server.keepAliveTimeout = 60_000

server.listen(Number(process.argv[2] ?? 0), '127.0.0.1', () => {
  process.stdout.write(`listening http://127.0.0.1:${server.address().port}\n`)
})
const stop = () => {
  server.close(() => process.exit(0))
  server.closeAllConnections()
}
process.on('SIGTERM', stop)
process.on('SIGINT', stop)
// The parent going away (its stdin pipe closing) ends this process too: never leave strays.
process.stdin.on('end', () => process.exit(0))
process.stdin.resume()
