/**
 * aiXplain's Python SDK (v1, replayed by test/compat/aixplain_v1_replay.py) with the MCP Server
 * integration: Integration.connect's MCP special case, MCPConnection's LIST_TOOLS, inputs, a tool
 * run, a failing tool, and delete — against a real hub and the official MCP SDK's server.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startMcpPeer, type McpPeer } from '../support/mcp-peer.js'
import { startTestHub, type TestHub } from '../support/test-hub.js'
import { okDetail, replayProblem, runReplay } from './replay.js'

const problem = replayProblem()

describe.skipIf(problem !== undefined)('aiXplain Python SDK v1 with a remote MCP server', () => {
  let hub: TestHub
  let peer: McpPeer

  beforeAll(async () => {
    ;[hub, peer] = await Promise.all([startTestHub(), startMcpPeer()])
  })
  afterAll(async () => {
    await hub?.close()
    await peer?.close()
  })

  it('connects, lists the tools, reads inputs, runs a tool, sees a tool error, and deletes', async () => {
    const env = { BACKEND_URL: hub.url, MODELS_RUN_URL: `${hub.url}/api/v1/execute`, TEAM_API_KEY: hub.key }
    const { stdout, code, lines } = await runReplay({ mode: 'mcp', url: peer.mcpUrl, tool: 'add', inputs: { a: 20, b: 22 }, failing_tool: 'fail' }, env, 60_000)
    const ok = (step: string) => okDetail(lines, step)
    expect(lines.filter((l) => l.startsWith('FAIL')), stdout).toEqual([])
    expect(code).toBe(0)
    // The MCP special case: only {"data": …} is sent, no name and no scheme.
    expect(lines.find((l) => l.startsWith('HTTP POST /api/v2/execute/686eb9cd26480723d0634d3e'))).toContain(`body={"data": {"url": "${peer.mcpUrl}"}} -> 200`)
    expect(ok('mcp_model_get')).toBe('MCPConnection function_type=mcpconnection')
    expect(lines.some((l) => l.includes('body={"action": "LIST_TOOLS", "data": " "}'))).toBe(true)
    expect(ok('mcp_actions')).toBe('add echo_headers fail')
    expect(ok('mcp_action_inputs')).toBe('a,b')
    expect(ok('mcp_run')).toBe('status=SUCCESS data=42') // the tool's text answer
    expect(ok('mcp_run_failing')).toMatch(/^status=FAILED error_message=.*it failed: no reason/)
    expect(peer.calls.map((c) => c.name)).toEqual(['add', 'fail'])
    expect(lines.at(-1)).toBe('OK done')
  })
})
