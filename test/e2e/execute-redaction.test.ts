import { mkdtemp, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js'
import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { echoDefinition } from '../support/echo-service.js'
import { call, startTestHub, type TestHub } from '../support/test-hub.js'
import { startUpstream, type ReceivedRequest, type Upstream } from '../support/upstream.js'

/**
 * Issue 11 items 1 and 3, end to end: a NON-MCP service (a real HTTP stand-in on 127.0.0.1)
 * echoes the credential it received in every encoding a careless service uses, in its body and
 * its headers, on success and on error. Random secrets (fast-check, seeded) for API_KEY,
 * BEARER_TOKEN and BASIC; the answers of `POST /api/v2/execute/{id}` and `/mcp` tools/call,
 * and every hub log line, must contain none of them in any encoding.
 */
const SEED = 20261202
const RUNS = 50
const USER = 'ada'

const lowerHex = (s: string) => s.replace(/%[0-9A-F]{2}/g, (m) => m.toLowerCase())
const uEscapes = (s: string, upper: boolean) =>
  s.replace(/[^\x20-\x7e]/g, (c) => {
    const h = c.charCodeAt(0).toString(16).padStart(4, '0')
    return `\\u${upper ? h.toUpperCase() : h}`
  })

/** Every form of `v` a service may echo: raw, JSON escapes (`\/`, `\u00e9` either case), both percent-encodings in either case, base64. */
function encodings(v: string): string[] {
  const json = JSON.stringify(v).slice(1, -1)
  const slash = json.replace(/\//g, '\\/')
  const comp = encodeURIComponent(v)
  const form = new URLSearchParams({ v }).toString().slice(2)
  const forms = [v, json, slash, uEscapes(slash, false), uEscapes(json, true), comp, lowerHex(comp), form, lowerHex(form), Buffer.from(v).toString('base64')]
  return [...new Set(forms)]
}

/** What the service echoes of a received credential header: the value, the token without its scheme, Basic's decoded `user:password` and password. */
function echoedValues(header: string): string[] {
  const values = [header]
  const bearer = /^Bearer (.+)$/.exec(header)
  if (bearer) values.push(bearer[1] as string)
  const basic = /^Basic (.+)$/.exec(header)
  if (basic) {
    const decoded = Buffer.from(basic[1] as string, 'base64').toString('utf8')
    values.push(decoded, decoded.slice(decoded.indexOf(':') + 1))
  }
  return values
}

/** The stand-in's answer: every encoding of every credential it received, in a hand-written JSON body (escapes kept) or text, and in headers. */
function echoAnswer(r: ReceivedRequest) {
  const creds = [r.headers.authorization, r.headers['x-api-key']].filter((h): h is string => typeof h === 'string').flatMap(echoedValues)
  const forms = creds.flatMap(encodings)
  const headers: Record<string, string> = {}
  forms.filter((f) => /^[\x21-\x7e]+$/.test(f)).forEach((f, i) => (headers[`x-echo-${i}`] = f))
  if (r.path.endsWith('/fail')) return { status: 401, headers, body: `refused ${forms.join(' | ')}` }
  // JSON written by hand, so the escaped forms reach the hub as escapes (`\/`, `\u00e9`) that decode to the secret.
  const escaped = creds.flatMap((c) => {
    const slash = JSON.stringify(c).slice(1, -1).replace(/\//g, '\\/')
    return [slash, uEscapes(slash, false), uEscapes(slash, true)]
  })
  const body = `{"escaped":[${escaped.map((e) => `"${e}"`).join(',')}],"forms":${JSON.stringify(forms)},${creds.map((c, i) => `${JSON.stringify(c)}:${i}`).join(',')}}`
  return { status: 200, headers: { ...headers, 'content-type': 'application/json' }, body }
}

/** Strings of a parsed JSON value, keys included (escapes decoded). */
function strings(v: unknown, out: string[] = []): string[] {
  if (typeof v === 'string') out.push(v)
  else if (Array.isArray(v)) for (const x of v) strings(x, out)
  else if (v && typeof v === 'object')
    for (const [k, x] of Object.entries(v)) {
      out.push(k)
      strings(x, out)
    }
  return out
}

/** A text as the caller sees it: the raw text, plus its decoded strings when it is JSON (and JSON inside them). */
function seen(text: string): string {
  const parts = [text]
  try {
    for (const s of strings(JSON.parse(text))) {
      parts.push(s)
      if (/^[[{]/.test(s)) parts.push(seen(s))
    }
  } catch {
    // not JSON: the raw text is what is seen
  }
  return parts.join('\n')
}

/** Secrets of any character a header can carry (Latin-1, no controls), with the ones the issue names, at least 8 long. */
const secretArb = fc
  .string({
    unit: fc.oneof(
      fc.constantFrom('/', '+', '=', '(', ')', "'", '!', '~', '*', '"', '\\', '&', '%', ':', 'é', 'ß', ' '),
      fc
        .integer({ min: 0x21, max: 0xff })
        .filter((c) => c < 0x7f || c > 0xa0)
        .map((c) => String.fromCharCode(c)),
    ),
    minLength: 8,
    maxLength: 24,
  })
  .filter((s) => s.trim() === s && /[A-Za-z0-9]/.test(s) && new Set(s).size > 3)

const SCHEMES = [
  { scheme: 'API_KEY', name: 'R_API_KEY', data: (s: string) => ({ region: 'eu', api_key: s }), values: (s: string) => [s] },
  { scheme: 'BEARER_TOKEN', name: 'R_BEARER', data: (s: string) => ({ region: 'eu', token: s }), values: (s: string) => [s, `Bearer ${s}`] },
  {
    scheme: 'BASIC',
    name: 'R_BASIC',
    data: (s: string) => ({ region: 'eu', username: USER, password: s }),
    values: (s: string) => [s, `${USER}:${s}`, `Basic ${Buffer.from(`${USER}:${s}`).toString('base64')}`],
  },
] as const

describe('redaction through execute and /mcp of what a non-MCP service echoes (fast-check)', () => {
  let hub: TestHub
  let upstream: Upstream
  let client: Client
  const ids = new Map<string, string>()

  beforeAll(async () => {
    upstream = await startUpstream(echoAnswer)
    const dir = await mkdtemp(join(tmpdir(), 'patchbay-redaction-'))
    await writeFile(join(dir, 'echo.json'), JSON.stringify(echoDefinition(upstream.url)))
    hub = await startTestHub({ catalogDirs: [dir] })
    for (const s of SCHEMES) {
      const r = await call(hub, 'POST', '/api/v2/execute/echo', { name: s.name, authScheme: s.scheme, data: s.data('initial-secret-000') })
      expect(r.status, r.text).toBe(200)
      ids.set(s.scheme, r.body.data.id as string)
    }
    client = new Client({ name: 'agent', version: '1.0.0' })
    await client.connect(new StreamableHTTPClientTransport(new URL(`${hub.url}/mcp`), { requestInit: { headers: { Authorization: `Bearer ${hub.key}` } } }))
  })
  afterAll(async () => {
    await client?.close()
    await Promise.all([hub?.close(), upstream?.close()])
  })

  it(`no answer, error or log line contains any encoding of the credential (${RUNS} random secrets per scheme, seed ${SEED})`, async () => {
    let checked = 0
    await fc.assert(
      fc.asyncProperty(secretArb, async (secret) => {
        for (const s of SCHEMES) {
          const id = ids.get(s.scheme) as string
          const forms = s.values(secret).flatMap(encodings)
          const leaks = (where: string, text: string) => {
            const found = forms.filter((f) => seen(text).includes(f))
            expect(found, `${s.scheme} ${where} leaked ${JSON.stringify(found)} of ${JSON.stringify(secret)}`).toEqual([])
          }
          const logsBefore = hub.logs.length
          // Reconnect in place with the new secret (the tool names stay the same).
          const re = await call(hub, 'POST', '/api/v2/execute/echo', { authScheme: s.scheme, data: { ...s.data(secret), assetId: id } })
          expect(re.status, re.text).toBe(200)
          leaks('reconnect', re.text)
          const received = upstream.received.length
          const ok = await call(hub, 'POST', `/api/v2/execute/${id}`, { action: 'ECHO_GET_ITEM', data: { item_id: 'x1' } })
          expect(ok.body.status, ok.text).toBe('SUCCESS')
          expect(ok.text).toContain('[REDACTED]')
          leaks('execute result', ok.text)
          const failed = await call(hub, 'POST', `/api/v2/execute/${id}`, { action: 'ECHO_FAIL', data: {} })
          expect(failed.body.status, failed.text).toBe('FAILED')
          leaks('execute error', failed.text)
          const viaMcp = await client.callTool({ name: `${s.name}__ECHO_GET_ITEM`, arguments: { item_id: 'x2' } })
          expect(viaMcp.isError ?? false, JSON.stringify(viaMcp)).toBe(false)
          leaks('/mcp tool result', JSON.stringify(viaMcp))
          const mcpFail = await client.callTool({ name: `${s.name}__ECHO_FAIL`, arguments: {} })
          expect(mcpFail.isError).toBe(true)
          leaks('/mcp tool error', JSON.stringify(mcpFail))
          leaks('hub log', hub.logs.slice(logsBefore).join(''))
          // The service did get the credential, in clear (the redaction is only on the way back).
          expect(upstream.received.slice(received).some((r) => s.values(secret).some((v) => [r.headers.authorization, r.headers['x-api-key']].includes(v)))).toBe(true)
          checked++
        }
      }),
      { seed: SEED, numRuns: RUNS },
    )
    expect(checked).toBe(RUNS * SCHEMES.length)
  }, 300_000)
})
