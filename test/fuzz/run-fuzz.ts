import { appendFileSync } from 'node:fs'
import { Readable } from 'node:stream'
import fc from 'fast-check'
import { Pool, request } from 'undici'
import { DEFAULT_LIMITS } from '@patchbay/hub'
import { startEchoService, type EchoService } from '../support/echo-service.js'
import { call, startTestHub, type TestHub } from '../support/test-hub.js'
import { fixedCases, hostileRequest, type HostileRequest } from './hostile-requests.js'

/**
 * Answers the lead has seen and that belong to code another engineer is restructuring
 * (execute/connections/actions, issue 11 items 1-4, 6 nesting): the second hardening pass fixes
 * them and EMPTIES this list. Each entry names the route, the input and the status seen. Nothing
 * else may answer 5xx.
 */
export const KNOWN_UNTIL_HARDENING_PASS_2: ReadonlyArray<{ route: RegExp; kind: RegExp; status: number; why: string }> = []

/** One answer that broke a rule, with what was sent. */
export interface FuzzFinding {
  rule: 'status >= 500' | 'no answer in time' | 'secret in answer'
  status?: number
  request: { method: string; path: string; headers: string[]; kind: string; body: string | undefined }
  answer: string
}

/** What a fuzz run measured. */
export interface FuzzReport {
  seed: number
  sent: number
  findings: FuzzFinding[]
  known: number
  statuses: Record<string, number>
  rssStartMb: number
  rssPeakMb: number
  seconds: number
}

const SECRETS = {
  token: 'fuzzBearerSecret7Q2mX9vL4kP1',
  apiKey: 'fuzzApiKeySecret3Zr8Nw5Jd6Ty',
  password: 'fuzzBasicPassword8Hc2Vb7Mn4',
}
/** Every form a secret of the test's connections could leak in (raw, and Basic's base64). */
export const SECRET_FORMS: readonly string[] = [SECRETS.token, SECRETS.apiKey, SECRETS.password, Buffer.from(`fuzz-user:${SECRETS.password}`).toString('base64')]

const short = (s: string | undefined, n = 300) => (s === undefined ? undefined : s.length > n ? `${s.slice(0, n)}…(${s.length} chars)` : s)

/**
 * Starts a real hub (on `databaseUrl`, or a SQLite file) on a real port with a few connections
 * whose secrets are known, then sends `runs` hostile requests generated from `seed`, `concurrency`
 * at a time over keep-alive connections.
 */
export async function runFuzz(options: { seed: number; runs: number; databaseUrl?: string; concurrency?: number; timeoutMs?: number }): Promise<FuzzReport> {
  const echo: EchoService = await startEchoService()
  const hub: TestHub = await startTestHub({
    catalogDirs: [echo.catalogDir],
    logLevel: 'info',
    ...(options.databaseUrl ? { databaseUrl: options.databaseUrl } : {}),
    // Guessing is throttled per address; every fuzz request comes from 127.0.0.1.
    limits: { ...DEFAULT_LIMITS, authFailuresPerWindow: 1_000_000, maxAdminBodyBytes: 256 * 1024 },
  })
  // Keep-alive, as real clients do: the hub closing a socket (after a 401 or 413 to a body) must
  // not leave a request on it unanswered; an unanswered request is a finding ("no answer in time").
  const agent = new Pool(hub.url, { connections: 32, pipelining: 1 })
  try {
    const base = echo.upstream.url
    const connect = async (authScheme: string, data: Record<string, string>, name: string, integration = 'echo') => {
      const r = await call(hub, 'POST', `/api/v2/execute/${integration}`, { name, authScheme, data })
      if (r.body?.data?.id === undefined) throw new Error(`setup connect ${authScheme} failed: ${r.text}`)
      return r.body.data.id as string
    }
    const connectionIds = [
      await connect('BEARER_TOKEN', { token: SECRETS.token, region: 'eu' }, 'fuzz-bearer'),
      await connect('API_KEY', { api_key: SECRETS.apiKey, region: 'us' }, 'fuzz-api-key'),
      await connect('BASIC', { username: 'fuzz-user', password: SECRETS.password, region: 'eu' }, 'fuzz-basic'),
      await connect('BEARER_TOKEN', { token: SECRETS.token, base_url: base }, 'fuzz-http', 'patchbay%2Fhttp-api'),
    ]
    const integrations = await call(hub, 'GET', '/sdk/models/echo')
    const targets = {
      key: hub.key,
      connectionIds,
      integrationIds: ['echo', integrations.body.id as string, 'patchbay%2Fhttp-api', 'slack', 'github', 'mcp-server'],
      actionCodes: ['ECHO_GET_ITEM', 'ECHO_CREATE_ITEM', 'ECHO_FAIL', 'REQUEST'],
      oversizeBytes: 1024 * 1024 + 10,
    }
    const sampled = fc.sample(hostileRequest(targets), { seed: options.seed, numRuns: options.runs })
    // PATCHBAY_FUZZ_SLICE=from:to replays only those generated requests (to find which one breaks a run).
    const slice = process.env['PATCHBAY_FUZZ_SLICE']?.split(':').map(Number)
    const cases: HostileRequest[] = slice ? sampled.slice(slice[0], slice[1]) : [...fixedCases(targets), ...sampled]
    const findings: FuzzFinding[] = []
    const statuses: Record<string, number> = {}
    let known = 0
    let sent = 0
    const rssStartMb = process.memoryUsage().rss / 2 ** 20
    let rssPeakMb = rssStartMb
    const started = Date.now()
    const timeoutMs = options.timeoutMs ?? 15_000
    const slow: Record<string, number> = {}
    const one = async (c: HostileRequest) => {
      const t0 = Date.now()
      try {
        await one0(c)
      } finally {
        const k = `${c.method} ${c.path
          .split('?')[0]
          ?.replace(/\/[^/]{20,}/g, '/…')
          .slice(0, 40)} ${c.kind.replace(/\d+/g, 'N')}`
        slow[k] = (slow[k] ?? 0) + (Date.now() - t0)
      }
    }
    const trace = process.env['PATCHBAY_FUZZ_TRACE']
    const beat = trace ? setInterval(() => appendFileSync(trace, `beat ${Date.now()}\n`), 1000) : undefined
    beat?.unref()
    const one0 = async (c: HostileRequest) => {
      if (trace)
        appendFileSync(
          trace,
          `start ${cases.indexOf(c)} ${Date.now()} ${c.method} ${c.path.slice(0, 200)} ${c.kind} ${JSON.stringify(c.headers).slice(0, 200)} ${(c.body ?? '').slice(0, 300)}\n`,
        )
      let timer: NodeJS.Timeout | undefined
      const deadline = new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), timeoutMs + 5_000)))
      try {
        const r = await Promise.race([one1(c).then(() => 'done' as const), deadline])
        if (r === 'late') {
          if (trace) appendFileSync(trace, `late ${cases.indexOf(c)} pool ${JSON.stringify(agent.stats)}\n`)
          sent++
          findings.push({
            rule: 'no answer in time',
            request: { method: c.method, path: short(c.path, 400) as string, headers: c.headers.map((h) => short(h, 80) as string), kind: c.kind, body: short(c.body) },
            answer: 'still waiting after the deadline',
          })
        }
      } finally {
        clearTimeout(timer)
        if (trace) appendFileSync(trace, `end ${cases.indexOf(c)} ${Date.now()} ${JSON.stringify(agent.stats)}\n`)
      }
    }
    const one1 = async (c: HostileRequest) => {
      const record = { method: c.method, path: short(c.path, 400) as string, headers: c.headers.map((h) => short(h, 80) as string), kind: c.kind, body: short(c.body) }
      let status: number
      let text: string
      try {
        // undici refuses a `transfer-encoding` header, and its Pool then keeps the refused request's
        // slot busy for good (undici 7.16): 32 such requests wedged the Pool, and every request after
        // them "hung" without reaching the hub (seed 1024231650, from request 1561). A chunked body is
        // sent the way undici does it: as a stream without a length.
        const chunked = c.headers.some((h, i) => i % 2 === 0 && h.toLowerCase() === 'transfer-encoding')
        const headers = chunked ? c.headers.filter((_, i, all) => (i % 2 === 0 ? all[i] : all[i - 1])?.toLowerCase() !== 'transfer-encoding') : c.headers
        const body = c.body === undefined ? undefined : chunked ? Readable.from([c.body]) : c.body
        const res = await request(`${hub.url}${c.path}`, {
          method: c.method as 'GET',
          headers,
          ...(body !== undefined ? { body } : {}),
          dispatcher: agent,
          headersTimeout: timeoutMs,
          bodyTimeout: timeoutMs,
          // The whole exchange, body included: a stream that keeps sending must end too.
          signal: AbortSignal.timeout(timeoutMs),
        })
        status = res.statusCode
        if (trace) appendFileSync(trace, `headers ${cases.indexOf(c)} ${Date.now()} ${status} ${JSON.stringify(res.headers)}\n`)
        text = `${JSON.stringify(res.headers)}\n${await res.body.text()}`
      } catch (err) {
        const code = (err as { code?: string }).code
        // undici refuses to send some generated requests (e.g. a method it considers invalid): not a hub answer.
        if (code === 'UND_ERR_INVALID_ARG' || (err as Error).name === 'InvalidArgumentError') return
        // The hub closes the socket after a 413 or a 401 with a body still arriving: that is an answer.
        if ((code === 'UND_ERR_SOCKET' || code === 'ECONNRESET' || code === 'EPIPE') && c.body !== undefined) {
          sent++
          statuses['closed'] = (statuses['closed'] ?? 0) + 1
          return
        }
        sent++
        findings.push({ rule: 'no answer in time', request: record, answer: `${code ?? ''} ${(err as Error).message}` })
        return
      }
      sent++
      statuses[String(status)] = (statuses[String(status)] ?? 0) + 1
      if (status >= 500) {
        if (KNOWN_UNTIL_HARDENING_PASS_2.some((k) => k.status === status && k.route.test(c.path) && k.kind.test(c.kind))) known++
        else findings.push({ rule: 'status >= 500', status, request: record, answer: short(text, 600) as string })
      }
      const leaked = SECRET_FORMS.find((s) => text.includes(s))
      if (leaked) findings.push({ rule: 'secret in answer', status, request: record, answer: short(text, 600) as string })
    }
    let next = 0
    const worker = async () => {
      while (next < cases.length) {
        const c = cases[next++] as HostileRequest
        await one(c)
        if (next % 250 === 0) {
          rssPeakMb = Math.max(rssPeakMb, process.memoryUsage().rss / 2 ** 20)
          echo.upstream.received.length = 0
        }
      }
    }
    await Promise.all(Array.from({ length: options.concurrency ?? 16 }, worker))
    rssPeakMb = Math.max(rssPeakMb, process.memoryUsage().rss / 2 ** 20)
    // Secrets must not be in the hub's log either.
    const logs = hub.logs.join('')
    if (process.env['PATCHBAY_FUZZ_HUB_LOG']) appendFileSync(process.env['PATCHBAY_FUZZ_HUB_LOG'], logs)
    const inLog = SECRET_FORMS.find((s) => logs.includes(s))
    if (inLog)
      findings.push({
        rule: 'secret in answer',
        request: { method: '-', path: '(hub log)', headers: [], kind: 'log', body: undefined },
        answer: short(logs.slice(Math.max(0, logs.indexOf(inLog) - 300), logs.indexOf(inLog) + 100), 500) as string,
      })
    if (process.env['PATCHBAY_FUZZ_PROFILE'])
      console.log(
        Object.entries(slow)
          .sort((a, b) => b[1] - a[1])
          .slice(0, 15),
      )
    return {
      seed: options.seed,
      sent,
      findings,
      known,
      statuses,
      rssStartMb: Math.round(rssStartMb),
      rssPeakMb: Math.round(rssPeakMb),
      seconds: Math.round((Date.now() - started) / 100) / 10,
    }
  } finally {
    await agent.close()
    await hub.close()
    await echo.close()
  }
}

/**
 * The seed of this run: `PATCHBAY_FUZZ_SEED` when set (a number, or `random` for a fresh one),
 * else `fallback`, so `npm test` is reproducible. Seed 1024231650 once left requests unanswered:
 * the test client's fault, not the hub's (docs/security.md; fixed cases in hostile-requests.ts).
 */
export function fuzzSeed(fallback: number): number {
  const raw = process.env['PATCHBAY_FUZZ_SEED']
  if (raw === 'random') return Math.floor(Math.random() * 2 ** 31)
  return raw ? Number(raw) : fallback
}

/**
 * How many requests to generate: `PATCHBAY_FUZZ_RUNS`, default 5,300 (undici refuses to send a
 * few of them, e.g. odd methods, so at least 5,000 reach the hub).
 */
export function fuzzRuns(): number {
  return Number(process.env['PATCHBAY_FUZZ_RUNS'] ?? 5_300)
}

/** How many requests must have reached the hub for a run of {@link fuzzRuns} to count. */
export function fuzzMinimum(): number {
  return process.env['PATCHBAY_FUZZ_RUNS'] ? Math.floor(fuzzRuns() * 0.9) : 5_000
}
