import { createServer, request as httpRequest, type Server } from 'node:http'
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

/** What a {@link startTraffic} run did. */
export interface TrafficReport {
  /** Requests answered as expected. */
  ok: number
  /** Every request that was not, with its status and body. */
  failures: string[]
  /** Connection id → the token it was last (acknowledged to be) connected with. */
  tokens: Map<string, string>
}

/** A stream of wire calls spread over several hubs, until stopped. */
export interface Traffic {
  /** Requests answered as expected so far. */
  readonly ok: number
  stop(): Promise<TrafficReport>
}

/**
 * Keeps `workers` clients busy sending a mix of calls, each to the next hub in turn: action runs
 * (checking at the service that the connection's current token arrived), new connects,
 * reconnects with a new token, and asynchronous runs polled on another hub. Each worker owns its
 * connections, so the token a run must carry is always known.
 */
export function startTraffic(options: {
  hubs: readonly Target[]
  upstream: { url: string; received: { path: string; headers: Record<string, unknown> }[] }
  /** Connections to start from (id → token); shared out among the workers. */
  connections: Map<string, string>
  workers?: number
}): Traffic {
  const workers = options.workers ?? 4
  const tokens = new Map(options.connections)
  const failures: string[] = []
  let ok = 0
  let stopped = false
  let op = 0
  const owned: string[][] = Array.from({ length: workers }, () => [])
  ;[...tokens.keys()].forEach((id, i) => owned[i % workers]?.push(id))
  const hubAt = (n: number) => options.hubs[n % options.hubs.length] as Target
  const sentWith = (path: string) => options.upstream.received.find((r) => r.path === path)?.headers['authorization']

  const worker = async (w: number) => {
    const mine = owned[w] as string[]
    while (!stopped) {
      const n = op++
      const hub = hubAt(n)
      const kind = mine.length === 0 ? 'connect' : (['run', 'run', 'run', 'connect', 'reconnect', 'async'] as const)[n % 6]
      const id = mine[n % Math.max(mine.length, 1)] as string
      try {
        if (kind === 'run') {
          const path = `/check/${id}/${n}`
          const res = await runRequest(hub, id, path)
          if (res.status === 200 && res.body.status === 'SUCCESS' && res.body.data.status === 200 && sentWith(path) === `Bearer ${tokens.get(id)}`) ok++
          else failures.push(`run ${id} on ${hub.url}: ${res.status} ${res.text.slice(0, 300)} (sent ${String(sentWith(path))})`)
        } else if (kind === 'connect') {
          const token = `tok-${n}-${Math.random().toString(36).slice(2)}`
          const res = await call(hub, 'POST', '/api/v2/execute/patchbay%2Fhttp-api', { authScheme: 'BEARER_TOKEN', data: { base_url: options.upstream.url, token } })
          if (res.status === 200 && res.body.status === 'SUCCESS') {
            tokens.set(res.body.data.id, token)
            mine.push(res.body.data.id)
            ok++
          } else failures.push(`connect on ${hub.url}: ${res.status} ${res.text.slice(0, 300)}`)
        } else if (kind === 'reconnect') {
          const token = `re-${n}-${Math.random().toString(36).slice(2)}`
          const res = await reconnectHttpApi(hub, id, options.upstream.url, token)
          if (res.status === 200 && res.body.status === 'SUCCESS') {
            tokens.set(id, token)
            ok++
          } else failures.push(`reconnect ${id} on ${hub.url}: ${res.status} ${res.text.slice(0, 300)}`)
        } else {
          const path = `/async/${id}/${n}`
          const started = await call(hub, 'POST', `/api/v1/execute/${id}`, { action: 'REQUEST', data: { method: 'GET', path } })
          if (started.status !== 200 || started.body.status !== 'IN_PROGRESS') {
            failures.push(`async start ${id} on ${hub.url}: ${started.status} ${started.text.slice(0, 300)}`)
            continue
          }
          const other = hubAt(n + 1)
          let polled: any
          for (let i = 0; i < 500; i++) {
            polled = await call(other, 'GET', `/api/v1/data/${started.body.requestId}`)
            if (polled.status !== 200 || polled.body.completed) break
            await new Promise((r) => setTimeout(r, 10))
          }
          if (polled.status === 200 && polled.body.status === 'SUCCESS' && sentWith(path) === `Bearer ${tokens.get(id)}`) ok++
          else failures.push(`async ${id} polled on ${other.url}: ${polled.status} ${polled.text.slice(0, 300)}`)
        }
      } catch (err) {
        failures.push(`${kind} on ${hub.url}: ${(err as Error).message}`)
      }
    }
  }
  const running = Array.from({ length: workers }, (_, w) => worker(w))
  return {
    get ok() {
      return ok
    },
    async stop() {
      stopped = true
      await Promise.all(running)
      return { ok, failures, tokens }
    },
  }
}

/** Seeds `n` BEARER_TOKEN connections of the HTTP API integration through `hub`, `concurrency` at a time. */
export async function seedConnections(hub: Target, baseUrl: string, n: number, concurrency = 8): Promise<Map<string, string>> {
  const out = new Map<string, string>()
  let next = 0
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < n) {
        const token = `seed-${next++}-${Math.random().toString(36).slice(2)}`
        out.set(await connectHttpApi(hub, baseUrl, token), token)
      }
    }),
  )
  return out
}

/** A stream of connects to one hub, until stopped or the hub goes away. */
export interface ConnectStream {
  /** Connections the hub acknowledged (200 SUCCESS with an id) → their token. */
  readonly acked: Map<string, string>
  /** Requests that got no answer or an error answer. */
  readonly errors: string[]
  stop(): Promise<void>
}

/**
 * Sends connects to `hub` from `workers` clients back to back. A request that fails ends its
 * worker (after a SIGKILL every later one would fail too); `errors` says why.
 */
export function startConnectStream(hub: Target, baseUrl: string, workers = 6, label = 'stream'): ConnectStream {
  const acked = new Map<string, string>()
  const errors: string[] = []
  let stopped = false
  let n = 0
  const loops = Array.from({ length: workers }, async () => {
    while (!stopped) {
      const token = `${label}-${n++}-${Math.random().toString(36).slice(2)}`
      try {
        const res = await call(hub, 'POST', '/api/v2/execute/patchbay%2Fhttp-api', { authScheme: 'BEARER_TOKEN', data: { base_url: baseUrl, token } })
        if (res.status === 200 && res.body.status === 'SUCCESS') acked.set(res.body.data.id, token)
        else {
          errors.push(`${res.status} ${res.text.slice(0, 200)}`)
          return
        }
      } catch (err) {
        errors.push((err as Error).message)
        return
      }
    }
  })
  return {
    acked,
    errors,
    async stop() {
      stopped = true
      await Promise.all(loops)
    },
  }
}

/** One request a {@link LoadBalancer} forwarded. */
export interface Forwarded {
  method: string
  path: string
  backend: string
}

/** A minimal HTTP load balancer on 127.0.0.1 in front of hub processes. */
export interface LoadBalancer {
  url: string
  /** Backend base URLs; requests go round-robin unless {@link LoadBalancer.pinned} is set. */
  backends: string[]
  /** When set, every request goes to this backend. */
  pinned: string | undefined
  /** Every request forwarded, in order. */
  forwarded: Forwarded[]
  close(): Promise<void>
}

/**
 * Starts a round-robin reverse proxy: what the hubs' `PATCHBAY_PUBLIC_URL` points at, so that
 * poll URLs and OAuth callbacks can land on any process, as behind a real load balancer.
 */
export async function startLoadBalancer(backends: string[] = []): Promise<LoadBalancer> {
  let next = 0
  const lb: LoadBalancer = { url: '', backends, pinned: undefined, forwarded: [], close: async () => {} }
  const server = createServer((req, res) => {
    const backend = lb.pinned ?? (lb.backends[next++ % lb.backends.length] as string)
    lb.forwarded.push({ method: req.method ?? 'GET', path: req.url ?? '/', backend })
    const target = new URL(req.url ?? '/', backend)
    const upstream = httpRequest(target, { method: req.method, headers: { ...req.headers, host: target.host } }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers)
      answer.pipe(res)
    })
    upstream.on('error', (err) => {
      if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' })
      res.end(`load balancer: ${err.message}`)
    })
    req.pipe(upstream)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  lb.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  lb.close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections()
      server.close(() => resolve())
    })
  return lb
}

/** A proxy that can hold requests: to stop a hub in the middle of a call it makes. */
export interface GateProxy {
  url: string
  /** Requests waiting at the closed gate. */
  readonly held: number
  /** Requests forwarded to the target. */
  readonly forwarded: number
  /** Hold every request from now on. */
  close(): void
  /** Forward the held requests whose client is still there, and every later one. */
  open(): void
  stop(): Promise<void>
}

/** Starts a {@link GateProxy} in front of `target` (open at first). */
export async function startGateProxy(target: string): Promise<GateProxy> {
  let gateOpen = true
  let forwarded = 0
  const waiting: (() => void)[] = []
  const server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      const forward = () => {
        // A client that died while held (a killed hub) never reaches the target.
        if (res.destroyed || req.socket.destroyed) return
        forwarded++
        const url = new URL(req.url ?? '/', target)
        const out = httpRequest(url, { method: req.method, headers: { ...req.headers, host: url.host } }, (answer) => {
          res.writeHead(answer.statusCode ?? 502, answer.headers)
          answer.pipe(res)
        })
        out.on('error', () => res.destroy())
        out.end(Buffer.concat(chunks))
      }
      if (gateOpen) forward()
      else waiting.push(forward)
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    get held() {
      return waiting.length
    },
    get forwarded() {
      return forwarded
    },
    close() {
      gateOpen = false
    },
    open() {
      gateOpen = true
      for (const f of waiting.splice(0)) f()
    },
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}
