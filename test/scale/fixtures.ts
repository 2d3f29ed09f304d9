import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { call } from '../support/test-hub.js'

/** Something to send wire calls to: a hub process (or any `{url, key}`). */
export interface Target {
  url: string
  key: string
}

/** Connects the built-in HTTP API integration with a bearer token; returns the new connection id. */
export async function connectHttpApi(hub: Target, baseUrl: string, token: string, name?: string): Promise<string> {
  const res = await call(hub, 'POST', '/api/v2/execute/patchbay%2Fhttp-api', {
    ...(name ? { name } : {}),
    authScheme: 'BEARER_TOKEN',
    data: { base_url: baseUrl, token },
  })
  if (res.status !== 200 || res.body?.status !== 'SUCCESS') throw new Error(`connect failed: ${res.status} ${res.text}`)
  return res.body.data.id as string
}

/** Reconnects a connection in place (`data.assetId`) with a new bearer token. */
export async function reconnectHttpApi(hub: Target, id: string, baseUrl: string, token: string) {
  return call(hub, 'POST', '/api/v2/execute/patchbay%2Fhttp-api', { authScheme: 'BEARER_TOKEN', data: { assetId: id, base_url: baseUrl, token } })
}

/** Runs `REQUEST GET <path>` on a connection (sync, v2). */
export function runRequest(hub: Target, id: string, path: string) {
  return call(hub, 'POST', `/api/v2/execute/${id}`, { action: 'REQUEST', data: { method: 'GET', path } })
}

/**
 * A stand-in service that holds every request until {@link GatedServer.release} is called, so a
 * test can observe a run while it is still in progress.
 */
export interface GatedServer {
  url: string
  /** Number of requests received so far. */
  readonly received: number
  /** Answers every held request (and every later one at once) with 200 `{ released: true }`. */
  release(): void
  close(): Promise<void>
}

/** Starts a {@link GatedServer} on 127.0.0.1. */
export async function startGatedServer(): Promise<GatedServer> {
  const held: (() => void)[] = []
  let open = false
  let received = 0
  const server: Server = createServer((req, res) => {
    received++
    req.resume()
    const answer = () => {
      res.writeHead(200, { 'content-type': 'application/json' })
      res.end(JSON.stringify({ released: true, path: req.url }))
    }
    if (open) answer()
    else held.push(answer)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    get received() {
      return received
    },
    release() {
      open = true
      for (const a of held.splice(0)) a()
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}
