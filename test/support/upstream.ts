import { createServer, type IncomingHttpHeaders, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'

/** One request the stand-in service received. */
export interface ReceivedRequest {
  method: string
  url: string
  path: string
  query: URLSearchParams
  headers: IncomingHttpHeaders
  body: string
}

/** A handler may choose the answer; default is 200 with a small JSON body. */
export type UpstreamHandler = (req: ReceivedRequest) => { status?: number; headers?: Record<string, string>; body?: unknown } | undefined

/** A real HTTP server on 127.0.0.1 standing in for an external service. */
export interface Upstream {
  url: string
  received: ReceivedRequest[]
  handler: UpstreamHandler | undefined
  close(): Promise<void>
}

/**
 * Starts a stand-in service that records every request and answers `{ ok: true, path }`
 * unless `handler` says otherwise.
 */
export async function startUpstream(handler?: UpstreamHandler): Promise<Upstream> {
  const received: ReceivedRequest[] = []
  const state: Upstream = { url: '', received, handler, close: async () => {} }
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      const u = new URL(req.url ?? '/', 'http://127.0.0.1')
      const r: ReceivedRequest = {
        method: req.method ?? 'GET',
        url: req.url ?? '/',
        path: u.pathname,
        query: u.searchParams,
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      }
      received.push(r)
      const answer = state.handler?.(r) ?? {}
      const body = answer.body === undefined ? { ok: true, path: r.path } : answer.body
      const text = typeof body === 'string' ? body : JSON.stringify(body)
      res.writeHead(answer.status ?? 200, {
        'content-type': typeof body === 'string' ? 'text/plain' : 'application/json',
        ...answer.headers,
      })
      res.end(text)
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  state.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  state.close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections()
      server.close(() => resolve())
    })
  return state
}
