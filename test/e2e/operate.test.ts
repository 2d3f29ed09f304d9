import { createHub, createLogger, generateMasterKey, loadCatalog, openStore, parseMasterKey, Vault } from '@patchbay/hub'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startEchoService, type EchoService } from '../support/echo-service.js'
import { responseValidator } from '../support/openapi-check.js'
import { call, startTestHub, type TestHub } from '../support/test-hub.js'

const METRICS_TOKEN = 'metrics-token-0123456789abcdef'

describe('metrics, readiness, access log and the API document', () => {
  let echo: EchoService
  let hub: TestHub
  let check: Awaited<ReturnType<typeof responseValidator>>
  let connectionId: string

  beforeAll(async () => {
    echo = await startEchoService()
    hub = await startTestHub({ catalogDirs: [echo.catalogDir], logLevel: 'info', metricsToken: METRICS_TOKEN })
    check = await responseValidator(hub.url)
    const c = await call(hub, 'POST', '/api/v2/execute/patchbay%2Fecho', { name: 'm', data: { region: 'eu', token: 'tok-metric-SECRET-7777' } })
    expect(c.status).toBe(200)
    connectionId = c.body.data.id
  })
  afterAll(async () => {
    await hub?.close()
    await echo?.close()
  })

  it('/metrics needs the bearer token and reports runs by integration and status, never by connection', async () => {
    const ok = await call(hub, 'POST', `/api/v2/execute/${connectionId}`, { action: 'ECHO_GET_ITEM', data: { item_id: '1' } })
    expect(ok.body.status).toBe('SUCCESS')
    await call(hub, 'POST', `/api/v2/execute/${connectionId}`, { action: 'ECHO_GET_ITEM', data: { item_id: 'fail' } })
    expect((await fetch(`${hub.url}/metrics`)).status).toBe(401)
    expect((await fetch(`${hub.url}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}x` } })).status).toBe(401)
    expect((await fetch(`${hub.url}/metrics`, { headers: { 'x-api-key': hub.key } })).status).toBe(401)
    const res = await fetch(`${hub.url}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } })
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toContain('text/plain')
    const text = await res.text()
    expect(text).toMatch(/patchbay_runs_total\{integration="echo",status="success"\} [1-9]/)
    expect(text).toMatch(/patchbay_runs_total\{integration="echo",status="UPSTREAM_ERROR"\} [1-9]/)
    expect(text).toMatch(/patchbay_run_duration_seconds_count\{integration="echo"\} [1-9]/)
    expect(text).toMatch(/patchbay_upstream_duration_seconds_bucket\{le="[0-9.]+",integration="echo"\}/)
    expect(text).toMatch(/patchbay_connects_total\{integration="echo",scheme="auto",result="active"\} [1-9]/)
    for (const name of [
      'patchbay_oauth_refreshes_total',
      'patchbay_token_endpoint_errors_total',
      'patchbay_webhook_deliveries_total',
      'patchbay_webhook_failures_total',
      'patchbay_db_pool_waiting',
      'patchbay_process_cpu_seconds_total',
    ]) {
      expect(text).toContain(`# TYPE ${name}`)
    }
    expect(text).not.toContain(connectionId)
    expect(text).not.toContain('tok-metric-SECRET-7777')
  })

  it('/metrics is off (404) without PATCHBAY_METRICS_TOKEN', async () => {
    const plain = await startTestHub()
    try {
      expect((await fetch(`${plain.url}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } })).status).toBe(404)
    } finally {
      await plain.close()
    }
  })

  it('/health and /ready answer without a key, as the document says', async () => {
    for (const path of ['/health', '/ready']) {
      const res = await fetch(`${hub.url}${path}`)
      const body = await res.json()
      expect(res.status).toBe(200)
      check('GET', path, res.status, body)
    }
    expect(await (await fetch(`${hub.url}/ready`)).json()).toEqual({ status: 'ready' })
  })

  it('/ready answers 503 while migrations run', async () => {
    hub.hub.store.migrating = true
    try {
      const res = await fetch(`${hub.url}/ready`)
      const body = await res.json()
      expect(res.status).toBe(503)
      expect(body).toEqual({ status: 'unavailable', reason: 'migrating' })
      check('GET', '/ready', 503, body)
    } finally {
      hub.hub.store.migrating = false
    }
  })

  it('writes one access line per request: route pattern, status, tenant, request id; no query string or secret', async () => {
    hub.logs.length = 0
    const res = await fetch(`${hub.url}/v2/integrations/patchbay%2Fecho?host=secret-QUERY-4242`, { headers: { 'x-api-key': hub.key, 'x-request-id': 'req-abc.123' } })
    expect(res.headers.get('x-request-id')).toBe('req-abc.123')
    await call(hub, 'GET', `/sdk/models?ids=zzz&token=tok-QUERY-SECRET`)
    const lines = hub.logs.map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => l['msg'] === 'request')
    expect(lines).toHaveLength(2)
    expect(lines[0]).toMatchObject({ level: 30, method: 'GET', route: '/v2/integrations/:id', status: 200, reqId: 'req-abc.123' })
    expect(typeof lines[0]!['ms']).toBe('number')
    expect(typeof lines[0]!['tenant']).toBe('string')
    expect(lines[1]).toMatchObject({ route: '/sdk/models' })
    expect(lines[1]!['reqId']).toMatch(/^[0-9a-f-]{36}$/)
    const all = hub.logs.join('\n')
    for (const leak of ['secret-QUERY-4242', 'tok-QUERY-SECRET', hub.key, 'tok-metric-SECRET-7777', '?']) expect(all).not.toContain(leak)
  })

  it('replaces an unsafe or oversized x-request-id with a generated one', async () => {
    for (const bad of ['a b', 'x'.repeat(129), 'id\u00e9', '<script>']) {
      const res = await fetch(`${hub.url}/health`, { headers: { 'x-request-id': bad } })
      expect(res.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/)
    }
  })

  it('/openapi.json is OpenAPI 3.1 and lists every registered route with its path parameters', async () => {
    // A hub of its own, so an onRoute hook sees every route as it is added (they are added on ready).
    const routes: string[] = []
    const store = openStore(':memory:')
    await store.migrate()
    const own = createHub({
      store,
      vault: new Vault([parseMasterKey(generateMasterKey())]),
      catalog: await loadCatalog({ dirs: [], generated: false }),
      logger: createLogger('silent'),
      metricsToken: METRICS_TOKEN,
    })
    own.app.addHook('onRoute', (r) => {
      for (const m of [r.method].flat()) if (m !== 'HEAD') routes.push(`${m} ${r.url.replace(/:([A-Za-z0-9_]+)/g, '{$1}')}`)
    })
    try {
      await own.app.ready()
      const doc = (await own.app.inject({ method: 'GET', url: '/openapi.json' })).json()
      expect(doc.openapi).toBe('3.1.0')
      const documented = new Set<string>()
      for (const [path, ops] of Object.entries(doc.paths as Record<string, Record<string, unknown>>)) for (const m of Object.keys(ops)) documented.add(`${m.toUpperCase()} ${path}`)
      expect(routes.length).toBeGreaterThan(30)
      expect(routes).toContain('GET /metrics')
      const missing = routes.filter((r) => !documented.has(r)).filter((r) => !/^[A-Z]+ \/(docs|openapi\.json|dashboard)\b/.test(r))
      expect(missing).toEqual([])
      const op = doc.paths['/api/v2/execute/{id}'].post
      expect(op.parameters).toEqual(expect.arrayContaining([expect.objectContaining({ in: 'path', name: 'id', required: true })]))
      expect(doc.paths['/health'].get.security).toEqual([])
    } finally {
      await own.close()
    }
  })

  it('/docs serves the reference page and its assets from the hub itself (no CDN), without a key', async () => {
    const page = await fetch(`${hub.url}/docs/`)
    expect(page.status).toBe(200)
    const html = await page.text()
    expect(html).toContain('swagger-ui')
    const srcs = [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]!)
    expect(srcs.length).toBeGreaterThan(0)
    for (const src of srcs) expect(src).not.toMatch(/^(https?:)?\/\//)
    const bundle = await fetch(`${hub.url}/docs/static/swagger-ui-bundle.js`)
    expect(bundle.status).toBe(200)
    expect((await bundle.text()).length).toBeGreaterThan(100_000)
  })

  it('the e2e responses match the document', async () => {
    const list = await call(hub, 'GET', '/admin/oauth-apps')
    expect(list.status).toBe(200)
    check('GET', '/admin/oauth-apps', list.status, list.body)
    expect(() => check('GET', '/admin/oauth-apps', 200, { items: 'not an array' })).toThrow(/does not match/)
    expect(() => check('GET', '/no/such/route', 200, {})).toThrow(/not in \/openapi.json/)
  })
})
