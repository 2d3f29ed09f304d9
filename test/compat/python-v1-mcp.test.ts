/**
 * aiXplain's Python SDK (v1, replayed by test/compat/aixplain_v1_replay.py) with the MCP Server
 * integration: Integration.connect's MCP special case, MCPConnection's LIST_TOOLS, inputs, a tool
 * run, a failing tool, and delete — against a real hub and the official MCP SDK's server.
 */
import { execFile, execFileSync } from 'node:child_process'
import { mkdtemp, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startMcpPeer, type McpPeer } from '../support/mcp-peer.js'
import { startTestHub, type TestHub } from '../support/test-hub.js'

const python = process.env['PATCHBAY_PYTHON'] || 'python3'
const replay = fileURLToPath(new URL('./aixplain_v1_replay.py', import.meta.url))
let problem: string | undefined
try {
  execFileSync(python, ['-c', 'import requests'], { stdio: 'pipe', timeout: 20_000 })
} catch (error) {
  problem = `${python} with requests is needed (${(error as Error).message.split('\n')[0]})`
  if (process.env['CI'] === 'true') throw new Error(`CI: ${problem}`)
}

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
    const dir = await mkdtemp(join(tmpdir(), 'patchbay-replay-'))
    const file = join(dir, 'scenario.json')
    await writeFile(file, JSON.stringify({ mode: 'mcp', url: peer.mcpUrl, tool: 'add', inputs: { a: 20, b: 22 }, failing_tool: 'fail' }))
    const env = { PATH: process.env['PATH'] ?? '/usr/bin:/bin', LANG: 'C.UTF-8', BACKEND_URL: hub.url, MODELS_RUN_URL: `${hub.url}/api/v1/execute`, TEAM_API_KEY: hub.key }
    const { stdout, code } = await new Promise<{ stdout: string; code: number }>((resolve) => {
      execFile(python, [replay, file], { env, timeout: 60_000 }, (error, out) => resolve({ stdout: out, code: error ? (typeof error.code === 'number' ? error.code : -1) : 0 }))
    })
    const lines = stdout.split('\n').filter(Boolean)
    const ok = (step: string) => lines.find((l) => l.startsWith(`OK ${step} `))?.slice(`OK ${step} `.length)
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
