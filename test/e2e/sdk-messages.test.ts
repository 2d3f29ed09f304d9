import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startMcpPeer } from '../support/mcp-peer.js'
import { call, startTestHub, type TestHub } from '../support/test-hub.js'

/**
 * Issue 11 item 16 (wire shape): answers aiXplain's v1 SDK turns into the real reason. Its poll
 * reads `completed` whatever the HTTP status (without it, it printed a bare 'completed'), and its
 * run shows a 2xx FAILED body's error_message as it is. The PENDING, EXPIRED and MCP-refused cases
 * are in oauth2.test.ts and mcp-redaction.test.ts.
 */
describe('messages the aiXplain SDKs show', () => {
  let hub: TestHub
  beforeAll(async () => {
    hub = await startTestHub()
  })
  afterAll(async () => {
    await hub?.close()
  })

  it('answers a poll of an unknown run 404 with a finished FAILED body naming the run', async () => {
    const r = await call(hub, 'GET', '/api/v1/data/00000000-0000-4000-8000-000000000000')
    expect(r.status).toBe(404)
    expect(r.body).toMatchObject({ completed: true, status: 'FAILED', code: 'NOT_FOUND' })
    expect(r.body.error_message).toContain('No run with id 00000000-0000-4000-8000-000000000000')
    expect(r.body.error).toBe(r.body.error_message)
  })

  it('answers LIST_INPUTS on an MCP connection whose server refuses the token 400 with the reason (v2 shows it; a FAILED 200 read as "no inputs")', async () => {
    const peer = await startMcpPeer({ token: 'tok-list-inputs-1' })
    try {
      const c = await call(hub, 'POST', '/api/v2/execute/686eb9cd26480723d0634d3e', { name: 'refusing', data: { url: peer.mcpUrl, token: 'tok-list-inputs-1' } })
      expect(c.status, c.text).toBe(200)
      peer.setToken('rotated')
      const inputs = await call(hub, 'POST', `/api/v2/execute/${c.body.data.id}`, { action: 'LIST_INPUTS', data: { actions: ['add'] } })
      expect(inputs.status).toBe(400)
      expect(inputs.body.message).toMatch(/refused the token .*reconnect/)
      // LIST_ACTIONS stays a FAILED 200: v1's ModelFactory.get shows its error_message as it is.
      const actions = await call(hub, 'POST', `/api/v2/execute/${c.body.data.id}`, { action: 'LIST_ACTIONS', data: {} })
      expect(actions.status).toBe(200)
      expect(actions.body).toMatchObject({ status: 'FAILED', completed: true })
    } finally {
      await peer.close()
    }
  })
})
