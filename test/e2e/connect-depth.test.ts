import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startMcpPeer, type McpPeer } from '../support/mcp-peer.js'
import { call, startTestHub, type TestHub } from '../support/test-hub.js'

const MCP = '686eb9cd26480723d0634d3e'
/** JSON text nested `n` deep (sent as text: JSON.stringify of a 10,000-deep value overflows the test's stack). */
const deep = (n: number): string => `${'['.repeat(n)}1${']'.repeat(n)}`
const body = (fields: Record<string, unknown>, data: string) => `${JSON.stringify(fields).slice(0, -1)},"data":${data}}`

/**
 * Issue 11 item 5 (nesting, at connect): a connect's `data` nested deeper than the 64 levels of
 * action inputs answers 400 naming `data`, on the v2 and v1 execute routes, for an HTTP
 * integration and a remote MCP server; the same data at 64 levels is judged on its content.
 */
describe('the depth limit of connect data', () => {
  let hub: TestHub
  let peer: McpPeer
  beforeAll(async () => {
    ;[hub, peer] = await Promise.all([startTestHub(), startMcpPeer()])
  })
  afterAll(async () => {
    await Promise.all([hub?.close(), peer?.close()])
  })

  for (const route of ['/api/v2/execute', '/api/v1/execute']) {
    it(`refuses data nested 65 and 10,000 levels with 400 naming data (${route}, HTTP API and MCP)`, async () => {
      for (const depth of [65, 10_000]) {
        const http = await call(
          hub,
          'POST',
          `${route}/patchbay%2Fhttp-api`,
          body({ name: `deep-${depth}`, authScheme: 'NO_AUTH' }, `{"base_url":"http://127.0.0.1:9","extra":${deep(depth)}}`),
        )
        expect(http.status, http.text).toBe(400)
        expect(http.body.message).toContain('data is nested more than 64 levels deep')
        const mcp = await call(hub, 'POST', `${route}/${MCP}`, body({ name: `deep-mcp-${depth}` }, `{"url":${JSON.stringify(peer.mcpUrl)},"headers":{"X-Deep":${deep(depth)}}}`))
        expect(mcp.status, mcp.text).toBe(400)
        expect(mcp.body.message).toContain('data is nested more than 64 levels deep')
      }
      // Nothing was written.
      expect((await call(hub, 'GET', '/api/v2/tools')).text).not.toContain('deep-')
    })
  }

  it('judges data at the limit (64 levels) on its content, not its depth', async () => {
    const at = await call(
      hub,
      'POST',
      '/api/v2/execute/patchbay%2Fhttp-api',
      body({ name: 'at-limit', authScheme: 'NO_AUTH' }, `{"base_url":"http://127.0.0.1:9","extra":${deep(63)}}`),
    )
    expect(at.status).toBeLessThan(500)
    expect(at.text).not.toContain('nested more than')
  })
})
