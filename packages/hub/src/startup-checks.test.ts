import { createServer } from 'node:net'
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Writable } from 'node:stream'
import { describe, expect, it } from 'vitest'
import { ConfigError, loadConfig } from './config.js'
import { startHub } from './hub.js'
import { createLogger } from './logger.js'
import { openStore } from './store/store.js'
import { generateMasterKey } from './vault/vault.js'

const quiet = () => {
  const lines: string[] = []
  return { lines, logger: createLogger('warn', new Writable({ write: (c: Buffer, _e, cb) => (lines.push(c.toString()), cb()) })) }
}
const env = (dataDir: string, more: Record<string, string> = {}) => loadConfig({ PATCHBAY_DATA_DIR: dataDir, PATCHBAY_PORT: '0', PATCHBAY_LOG_LEVEL: 'silent', ...more })

/** Starts a hub once on `dataDir`: it seals the master-key check value at first start. */
async function startAndSeal(dataDir: string, more: Record<string, string> = {}): Promise<void> {
  const hub = await startHub(env(dataDir, more), quiet().logger)
  await hub.store.db.insertInto('tenants').values({ id: 't1', name: 't', created_at: new Date().toISOString() }).execute()
  await hub.close()
}

describe('configuration refused with a message that names the setting (issue 11 item 15)', () => {
  it('refuses PATCHBAY_DATABASE_URL with an unknown scheme', () => {
    expect(() => loadConfig({ PATCHBAY_DATABASE_URL: 'mysql://root@db/patchbay' })).toThrow(ConfigError)
    expect(() => loadConfig({ PATCHBAY_DATABASE_URL: 'mysql://root@db/patchbay' })).toThrow(/PATCHBAY_DATABASE_URL uses the unsupported scheme "mysql:"/)
    expect(loadConfig({ PATCHBAY_DATABASE_URL: 'postgresql://u@h/db' }).databaseUrl).toBe('postgresql://u@h/db')
    expect(loadConfig({ PATCHBAY_DATABASE_URL: 'sqlite:/tmp/x.db' }).databaseUrl).toBe('sqlite:/tmp/x.db')
  })

  it('refuses a headers timeout longer than the request timeout', () => {
    expect(() => loadConfig({ PATCHBAY_HEADERS_TIMEOUT_MS: '5000', PATCHBAY_REQUEST_TIMEOUT_MS: '1000' })).toThrow(/PATCHBAY_HEADERS_TIMEOUT_MS/)
  })

  it('never creates missing folders of a SQLite path', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'pb-start-'))
    expect(() => openStore(join(dir, 'no', 'such', 'x.db'))).toThrow(/does not exist; create it, or set PATCHBAY_DATABASE_URL/)
    await rm(dir, { recursive: true })
  })

  it('names PATCHBAY_DATA_DIR for a data dir under a file (ENOTDIR) or with a missing parent', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'pb-start-'))
    await writeFile(join(dir, 'file'), 'x')
    await expect(startHub(env(join(dir, 'file', 'data')), quiet().logger)).rejects.toThrow(/PATCHBAY_DATA_DIR: part of the path .* is a file/)
    await expect(startHub(env(join(dir, 'a', 'b')), quiet().logger)).rejects.toThrow(/PATCHBAY_DATA_DIR: .* parent folder does not exist/)
    await rm(dir, { recursive: true })
  })

  it('warns when an existing data dir is open to other users', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'pb-start-'))
    const data = join(dir, 'data')
    await mkdir(data)
    await chmod(data, 0o755)
    const q = quiet()
    const hub = await startHub(env(data), q.logger)
    await hub.close()
    expect(q.lines.join('')).toContain('chmod 700')
    await rm(dir, { recursive: true })
  })

  it('names PATCHBAY_PORT when the port is taken', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'pb-start-'))
    const taken = createServer()
    await new Promise<void>((r) => taken.listen(0, '127.0.0.1', r))
    const port = (taken.address() as { port: number }).port
    await expect(startHub(env(join(dir, 'd'), { PATCHBAY_PORT: String(port) }), quiet().logger)).rejects.toThrow(/Port \d+ on 127\.0\.0\.1 is already in use.*set PATCHBAY_PORT/)
    taken.close()
    await rm(dir, { recursive: true })
  })
})

describe('master key safety at start (issue 11 item 14)', () => {
  it('refuses to start when master.key was deleted next to a database with sealed values, and says what to restore', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'pb-mk-start-'))
    const data = join(dir, 'data')
    await startAndSeal(data)
    await rm(join(data, 'master.key'))
    await expect(startHub(env(data), quiet().logger)).rejects.toThrow(
      /master\.key is missing, but the database holds credentials sealed with it: restore master\.key from your backup/,
    )
    await rm(dir, { recursive: true })
  })

  it('refuses a wrong master key at start, naming the key the database needs', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'pb-mk-start-'))
    const data = join(dir, 'data')
    const right = generateMasterKey()
    await startAndSeal(data, { PATCHBAY_MASTER_KEY: right })
    await expect(startHub(env(data, { PATCHBAY_MASTER_KEY: generateMasterKey() }), quiet().logger)).rejects.toThrow(
      /The master key from PATCHBAY_MASTER_KEY \(id \w+\) does not open this database's stored credentials, which were sealed with key \w+: restore/,
    )
    const again = await startHub(env(data, { PATCHBAY_MASTER_KEY: right }), quiet().logger)
    await again.close()
    await rm(dir, { recursive: true })
  })
})
