import { execFile } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { describe, expect, it } from 'vitest'
import { openStore } from '@patchbay/hub'
import { testConnectionRow } from '../../packages/hub/src/store/test-connection-row.js'

const run = promisify(execFile)
const CLI = new URL('../../packages/hub/bin/patchbay.js', import.meta.url).pathname

async function cli(args: string[], cwd: string, env: Record<string, string> = {}) {
  const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('PATCHBAY_')))
  try {
    const r = await run(process.execPath, [CLI, ...args], { cwd, env: { ...clean, ...env } })
    return { code: 0, stdout: r.stdout, stderr: r.stderr }
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string }
    return { code: e.code, stdout: e.stdout, stderr: e.stderr }
  }
}

describe('patchbay CLI: keys, connections, runs (issue 16)', () => {
  it('keys create refuses a brand-new database in the current folder unless --init, and says which database it uses', async () => {
    const cwd = await mkdtemp(join(tmpdir(), 'patchbay-cli-'))
    const refused = await cli(['keys', 'create', '--name', 'x'], cwd)
    expect(refused.code).toBe(1)
    expect(refused.stderr).toContain(`using database SQLite ${join(cwd, '.patchbay', 'patchbay.db')}`)
    expect(refused.stderr).toContain('--init')
    expect(existsSync(join(cwd, '.patchbay'))).toBe(false)
    const made = await cli(['keys', 'create', '--name', 'x', '--init', '--json'], cwd)
    expect(made.code).toBe(0)
    expect(JSON.parse(made.stdout)).toMatchObject({ tenant: 'default', scopes: ['admin'] })
    // Now the database exists: no --init needed.
    expect((await cli(['keys', 'create', '--name', 'y'], cwd)).code).toBe(0)
  })

  it('keys create --scope, keys list (never the key) and keys revoke, all through --data-dir', async () => {
    const cwd = await mkdtemp(join(tmpdir(), 'patchbay-cli-'))
    const dir = await mkdtemp(join(tmpdir(), 'patchbay-data-'))
    const made = await cli(['keys', 'create', '--name', 'agent', '--scope', 'run', '--json', '--data-dir', dir], cwd)
    expect(made.code).toBe(0)
    const key = JSON.parse(made.stdout) as { key: string; keyId: string; scopes: string[] }
    expect(key.scopes).toEqual(['run'])
    expect((await cli(['keys', 'create', '--name', 'x', '--scope', 'root', '--data-dir', dir], cwd)).stderr).toContain('--scope must be one of admin, connect, run')
    const list = await cli(['keys', 'list', '--json', '--data-dir', dir], cwd)
    expect(list.stderr).toContain(`using database SQLite ${join(dir, 'patchbay.db')}`)
    expect(list.stdout).not.toContain(key.key)
    expect(JSON.parse(list.stdout)).toEqual([expect.objectContaining({ id: key.keyId, name: 'agent', scopes: ['run'], tenant: 'default' })])
    expect((await cli(['keys', 'revoke', key.keyId, '--database-url', join(dir, 'patchbay.db')], cwd)).code).toBe(0)
    expect(JSON.parse((await cli(['keys', 'list', '--json', '--data-dir', dir], cwd)).stdout)).toEqual([])
    const again = await cli(['keys', 'revoke', key.keyId, '--data-dir', dir], cwd)
    expect(again.code).toBe(1)
    expect(again.stderr).toContain(`No API key ${key.keyId}`)
    // A read command on a folder with no database refuses instead of creating an empty one.
    const none = await cli(['keys', 'list', '--data-dir', join(dir, 'nope')], cwd)
    expect(none.code).toBe(1)
    expect(none.stderr).toContain('No database at')
  })

  it('connections list/delete and runs tail read the store', async () => {
    const cwd = await mkdtemp(join(tmpdir(), 'patchbay-cli-'))
    const dir = await mkdtemp(join(tmpdir(), 'patchbay-data-'))
    expect((await cli(['keys', 'create', '--name', 'a', '--data-dir', dir], cwd)).code).toBe(0)
    const store = openStore(join(dir, 'patchbay.db'))
    const tenant = (await store.findTenantByName('default'))!
    const now = new Date().toISOString()
    await store.insertConnection(
      testConnectionRow(tenant.id, { id: 'c0ffee000000000000000001', integration_id: 'http-api', name: 'mine', description: '', auth_scheme: 'NO_AUTH', secrets: null }),
    )
    await store.runLog.insertRunLog([
      {
        id: `${Date.now().toString(36).padStart(9, '0')}0000aaaaaaaa`,
        tenant_id: tenant.id,
        created_at: now,
        connection_id: 'c0ffee000000000000000001',
        end_user_id: null,
        integration_id: 'http-api',
        action: 'REQUEST',
        status: 'FAILED',
        http_status: 502,
        duration_ms: 12,
        error_code: 'UPSTREAM_ERROR',
        error_message: 'bad gateway',
        key_id: 'k1',
        input_excerpt: null,
        output_excerpt: null,
      },
    ])
    await store.close()
    const list = await cli(['connections', 'list', '--json', '--data-dir', dir], cwd)
    expect(JSON.parse(list.stdout)).toEqual([expect.objectContaining({ id: 'c0ffee000000000000000001', name: 'mine', status: 'ACTIVE', endUser: null })])
    expect(list.stdout).not.toContain('secrets')
    expect(JSON.parse((await cli(['connections', 'list', '--json', '--end-user', 'u1', '--data-dir', dir], cwd)).stdout)).toEqual([])
    const tail = await cli(['runs', 'tail', '--data-dir', dir], cwd)
    expect(tail.stdout).toContain('FAILED')
    expect(tail.stdout).toContain('UPSTREAM_ERROR: bad gateway')
    expect((await cli(['runs', 'tail', '--status', 'SUCCESS', '--data-dir', dir], cwd)).stdout).toBe('')
    expect((await cli(['connections', 'delete', 'c0ffee000000000000000001', '--data-dir', dir], cwd)).code).toBe(0)
    expect((await cli(['connections', 'delete', 'c0ffee000000000000000001', '--data-dir', dir], cwd)).code).toBe(1)
  })
})
