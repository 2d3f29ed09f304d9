import { execFile, spawn, type ChildProcess } from 'node:child_process'
import { mkdtemp, mkdir, readFile, stat, writeFile } from 'node:fs/promises'
import { createServer, type AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { afterEach, describe, expect, it } from 'vitest'

const run = promisify(execFile)
const CLI = new URL('../../packages/hub/bin/patchbay.js', import.meta.url).pathname
const children: ChildProcess[] = []
afterEach(() => {
  for (const c of children.splice(0)) c.kill('SIGTERM')
})

/** A port nothing listens on right now. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer()
    srv.once('error', reject)
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as AddressInfo
      srv.close(() => resolve(port))
    })
  })
}

async function cli(args: string[], env: Record<string, string>) {
  try {
    const r = await run(process.execPath, [CLI, ...args], { env: { ...process.env, ...env } })
    return { code: 0, stdout: r.stdout, stderr: r.stderr }
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string }
    return { code: e.code, stdout: e.stdout, stderr: e.stderr }
  }
}

/** Starts `patchbay serve` and resolves with its URL once the banner is printed. */
function serve(env: Record<string, string>): Promise<{ url: string; out: () => string; child: ChildProcess }> {
  const child = spawn(process.execPath, [CLI, 'serve'], { env: { ...process.env, PATCHBAY_PORT: '0', PATCHBAY_LOG_LEVEL: 'warn', ...env } })
  children.push(child)
  let out = ''
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`serve did not start:\n${out}`)), 15_000)
    const onData = (d: Buffer) => {
      out += d.toString()
      const m = /listening on (http:\/\/\S+)/.exec(out)
      if (m && out.includes('Point clients at it')) {
        clearTimeout(timer)
        resolve({ url: m[1] as string, out: () => out, child })
      }
    }
    child.stdout.on('data', onData)
    child.stderr.on('data', onData)
    child.on('exit', (code) => reject(new Error(`serve exited ${code}:\n${out}`)))
  })
}

describe('patchbay CLI', () => {
  it('serve starts with the built-in catalog, a generated 0600 master key, and says how to get a key', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'pb-cli-'))
    const env = { PATCHBAY_DATA_DIR: dir }
    const hub = await serve(env)
    expect(hub.out()).toContain('No API key yet')
    expect(hub.out()).toContain('npx patchbay keys create --name me')
    expect(hub.out()).toMatch(/catalog: +\d+ integrations/)
    expect((await stat(join(dir, 'master.key'))).mode & 0o777).toBe(0o600)
    expect((await stat(join(dir, 'patchbay.db'))).mode & 0o777).toBe(0o600)

    const created = await cli(['keys', 'create', '--name', 'me', '--json'], env)
    expect(created.code).toBe(0)
    const { key, tenant } = JSON.parse(created.stdout) as { key: string; tenant: string }
    expect(key).toMatch(/^pb_[A-Za-z0-9_-]{43}$/)
    expect(tenant).toBe('default')
    const res = await fetch(`${hub.url}/sdk/models/patchbay%2Fgithub`, { headers: { authorization: `Token ${key}` } })
    expect(res.status).toBe(200)
    expect(((await res.json()) as { name: string }).name).toBe('GitHub')
    // The key file and the printed key never meet: the DB holds only its hash.
    expect((await readFile(join(dir, 'patchbay.db'))).toString('latin1')).not.toContain(key)

    const stopped = new Promise((r) => hub.child.on('exit', r))
    hub.child.kill('SIGTERM')
    expect(await stopped).toBe(0)
  })

  it('oauth-app set configures a running hub at once, and never prints or stores the secret in clear', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'pb-cli-'))
    const key = 'pb_cli_oauth_test_key_0123456789abcdef'
    const env = { PATCHBAY_DATA_DIR: dir, PATCHBAY_BOOTSTRAP_API_KEY: key }
    const hub = await serve(env)
    const connect = () =>
      fetch(`${hub.url}/api/v2/execute/patchbay%2Fslack`, {
        method: 'POST',
        headers: { 'x-api-key': key, 'content-type': 'application/json' },
        body: JSON.stringify({ authScheme: 'OAUTH2' }),
      }).then(async (r) => ({ status: r.status, body: (await r.json()) as { message?: string; data?: { redirectURL?: string } } }))
    const before = await connect()
    expect(before.status).toBe(400)
    expect(before.body.message).toContain('patchbay oauth-app set slack')
    const missing = await cli(['oauth-app', 'set', 'slack', '--client-id', '1234.5678'], env)
    expect(missing.code).toBe(1)
    expect(missing.stderr).toContain('The client secret is required')
    const secret = 'cli-secret-7f3a9c2e5b'
    const set = await cli(['oauth-app', 'set', 'slack', '--client-id', '1234.5678', '--client-secret-env', 'SLACK_SECRET'], { ...env, SLACK_SECRET: secret })
    expect(set.code).toBe(0)
    expect(set.stdout).toContain('OAuth app for Slack set')
    expect(set.stdout + set.stderr).not.toContain(secret)
    // Right away (no cached "not configured" in the hub): the connect hands out Slack's URL.
    const after = await connect()
    expect(after.status).toBe(200)
    expect(new URL(after.body.data?.redirectURL as string).searchParams.get('client_id')).toBe('1234.5678')
    const list = await cli(['oauth-app', 'list'], env)
    expect(list.stdout).toContain('client id 1234.5678')
    expect(list.stdout).not.toContain(secret)
    expect((await readFile(join(dir, 'patchbay.db'))).includes(Buffer.from(secret))).toBe(false)
    expect((await cli(['oauth-app', 'set', 'stripe', '--client-id', 'x', '--client-secret', 'y'], env)).stderr).toContain('has no OAUTH1 or OAUTH2 scheme')
  }, 120_000)

  it('oauth-app set prints the redirect URL serve hands out: host and port (a wildcard host as 127.0.0.1), --port, or PATCHBAY_PUBLIC_URL', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'pb-cli-'))
    const key = 'pb_cli_redirect_test_key_0123456789abcdef'
    const port = String(await freePort())
    const env = { PATCHBAY_DATA_DIR: dir, PATCHBAY_BOOTSTRAP_API_KEY: key, PATCHBAY_HOST: '0.0.0.0', PATCHBAY_PORT: port }
    const hub = await serve(env)
    const served = (await (await fetch(`${hub.url}/admin/oauth-apps`, { headers: { 'x-api-key': key } })).json()) as { redirectUrl: string }
    expect(served.redirectUrl).toBe(`http://127.0.0.1:${port}/oauth/callback`)
    const set = (extra: Record<string, string>, args: string[] = []) =>
      cli(['oauth-app', 'set', 'slack', '--client-id', '1.2', '--client-secret-env', 'S', ...args], { ...env, S: 'cli-secret-redirect-1', ...extra })
    const same = await set({})
    expect(same.code, same.stderr).toBe(0)
    expect(same.stdout).toContain(`Register this redirect URL at the provider: ${served.redirectUrl} (from PATCHBAY_HOST and PATCHBAY_PORT`)
    expect((await set({}, ['--port', '9999'])).stdout).toContain('at the provider: http://127.0.0.1:9999/oauth/callback')
    expect((await set({ PATCHBAY_HOST: '::1' })).stdout).toContain(`at the provider: http://[::1]:${port}/oauth/callback`)
    const pub = await set({ PATCHBAY_PUBLIC_URL: 'https://hub.example.com/' })
    expect(pub.stdout).toContain('at the provider: https://hub.example.com/oauth/callback (from PATCHBAY_PUBLIC_URL)')
  }, 120_000)

  it('PATCHBAY_BOOTSTRAP_API_KEY seeds a working key', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'pb-cli-'))
    const key = 'bootstrap-key-0123456789abcdef'
    const hub = await serve({ PATCHBAY_DATA_DIR: dir, PATCHBAY_BOOTSTRAP_API_KEY: key })
    expect(hub.out()).not.toContain(key)
    const res = await fetch(`${hub.url}/sdk/models/patchbay%2Fgithub`, { headers: { 'x-api-key': key } })
    expect(res.status).toBe(200)
  })

  it('bad configuration fails with one clear line naming the variable', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'pb-cli-'))
    const port = await cli(['serve'], { PATCHBAY_DATA_DIR: dir, PATCHBAY_PORT: 'eighty' })
    expect(port.code).toBe(1)
    expect(port.stderr).toContain('PATCHBAY_PORT must be an integer')
    expect(port.stderr).not.toContain('    at ')
    const mk = await cli(['serve'], { PATCHBAY_DATA_DIR: dir, PATCHBAY_MASTER_KEY: 'c2VjcmV0LWJ1dC10b28tc2hvcnQ=' })
    expect(mk.code).toBe(1)
    expect(mk.stderr).toContain('PATCHBAY_MASTER_KEY is invalid')
    expect(mk.stderr).not.toContain('c2VjcmV0LWJ1dC10b28tc2hvcnQ=')
  })

  it('catalog validate reports each bad file with its field and exits 1', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'pb-cat-'))
    await mkdir(join(dir, 'x'))
    await writeFile(join(dir, 'bad.yaml'), 'id: Bad Id\nname: x\n')
    const r = await cli(['catalog', 'validate', dir], {})
    expect(r.code).toBe(1)
    expect(r.stdout).toContain(`error ${join(dir, 'bad.yaml')}  /id must match`)
    expect(r.stdout).toContain('/description is required')
    expect(r.stdout).toContain('0 valid, 1 invalid')
    const builtIn = await cli(['catalog', 'validate', new URL('../../packages/hub/catalog', import.meta.url).pathname], {})
    expect(builtIn.code).toBe(0)
    expect(builtIn.stdout).toMatch(/\d+ valid, 0 invalid/)
    const missing = await cli(['catalog', 'validate', join(dir, 'nope')], {})
    expect(missing.code).toBe(1)
    expect(missing.stderr).toContain('Cannot read')
  })

  it('every command has --help and unknown commands explain themselves', async () => {
    for (const args of [['--help'], ['serve', '--help'], ['keys', 'create', '--help'], ['catalog', 'validate', '--help'], ['migrate', '--help']]) {
      const r = await cli(args, {})
      expect(r.code).toBe(0)
      expect(r.stdout).toContain('Usage: patchbay')
    }
    const bad = await cli(['frobnicate'], {})
    expect(bad.code).not.toBe(0)
    expect(bad.stderr).toContain("unknown command 'frobnicate'")
    const noName = await cli(['keys', 'create'], {})
    expect(noName.code).not.toBe(0)
    expect(noName.stderr).toContain("required option '-n, --name <name>'")
  }, 120_000)
})
