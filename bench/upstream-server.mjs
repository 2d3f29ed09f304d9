// The stand-in service of the benchmarks: a bare Node HTTP server on 127.0.0.1 that answers every
// request with a small JSON body. Plain JavaScript on purpose: it runs under `node` with no loader,
// so it is also the "bare Node process" baseline of the cold-start scenario.
//
// Usage: node bench/upstream-server.mjs [port]   (prints `listening http://127.0.0.1:<port>`)
import { createServer } from 'node:http'

const body = JSON.stringify({ ok: true, id: 'item_42', name: 'A small JSON body', tags: ['a', 'b'], count: 3 })
const headers = { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) }

const server = createServer((req, res) => {
  // Drain any request body before answering, as a real service would.
  if (req.method === 'GET' || req.method === 'HEAD') {
    res.writeHead(200, headers).end(body)
    return
  }
  req.on('data', () => {})
  req.on('end', () => res.writeHead(200, headers).end(body))
})
// Keep idle keep-alive sockets open longer than any client's pool keeps them.
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
