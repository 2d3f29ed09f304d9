import { mkdtemp, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { countSealedValues, deriveModelId, generateMasterKey, openStore, parseMasterKey, Vault, type ConnectionRow } from '@patchbay/hub'
import { runCli, spawnCli, startHubProcess, startHubProcesses, stopAllProcesses, waitFor } from '../support/hub-processes.js'
import { createTestDatabase, dropTestDatabases, postgresAvailable } from '../support/postgres.js'
import { startUpstream, type Upstream } from '../support/upstream.js'
import { runRequest, seedConnections, startTraffic } from './fixtures.js'

/**
 * `patchbay keys rotate-master` against real hub processes on PostgreSQL: online, with traffic
 * running, and killed half-way then resumed.
 */
const available = await postgresAvailable()

describe.skipIf(!available)('master key rotation on a running PostgreSQL deployment', () => {
  const apiKey = 'rotation-test-key-0123456789abcdef'
  const oldKey = generateMasterKey()
  const newKey = generateMasterKey()
  const oldId = parseMasterKey(oldKey).id
  const newId = parseMasterKey(newKey).id
  let upstream: Upstream
  let newKeyFile: string

  beforeAll(async () => {
    upstream = await startUpstream()
    newKeyFile = join(await mkdtemp(join(tmpdir(), 'pb-rot-')), 'new.key')
    await writeFile(newKeyFile, `${newKey}\n`, { mode: 0o600 })
  })
  afterEach(stopAllProcesses)
  afterAll(async () => {
    await upstream?.close()
    await dropTestDatabases()
  })

  const keysOf = async (dbUrl: string) => {
    const store = openStore(dbUrl, { poolSize: 1 })
    try {
      return Object.fromEntries((await countSealedValues(store)).map((c) => [c.table, c.byKey]))
    } finally {
      await store.close()
    }
  }

  it('re-encrypts everything while two processes serve traffic, with zero failed requests', async () => {
    const databaseUrl = await createTestDatabase()
    // Yesterday's deployment: every secret sealed with the old key.
    const before = await startHubProcesses(2, { databaseUrl, masterKeys: [oldKey], apiKey })
    const seeded = await seedConnections(before[0]!, upstream.url, 120)
    await Promise.all(before.map((h) => h.stop()))
    expect(await keysOf(databaseUrl)).toMatchObject({ connections: { [oldId]: 120 } })

    // Step 1 of docs/deployment.md: every hub restarted with the new key first (seals) and the old one (opens).
    const hubs = await startHubProcesses(2, { databaseUrl, masterKeys: [newKey, oldKey], apiKey })
    const traffic = startTraffic({ hubs, upstream, connections: seeded, workers: 4 })
    await waitFor(() => traffic.ok >= 20, 'traffic to flow before the rotation')
    const okBefore = traffic.ok
    const rotation = await runCli(['keys', 'rotate-master', '--new-key', newKeyFile, '--batch-size', '5', '--pause', '20'], {
      PATCHBAY_DATABASE_URL: databaseUrl,
      PATCHBAY_MASTER_KEYS: `${newKey},${oldKey}`,
    })
    const okDuring = traffic.ok - okBefore
    await waitFor(() => traffic.ok >= okBefore + okDuring + 20, 'traffic to flow after the rotation')
    const report = await traffic.stop()

    expect(rotation.stderr).toMatch(/pass 1 connections: \d+\/\d+/)
    expect(rotation.stdout).toContain(`Verified: every stored secret is sealed with ${newId}; nothing needs ${oldId} any more`)
    expect(rotation.code).toBe(0)
    expect(report.failures).toEqual([])
    expect(okDuring).toBeGreaterThan(0)
    const counts = await keysOf(databaseUrl)
    expect(Object.keys(counts['connections'] ?? {})).toEqual([newId])
    // No key and no credential in what the rotation printed, what the hubs logged, or the rows.
    const store = openStore(databaseUrl, { poolSize: 1 })
    const dump = JSON.stringify(await store.db.selectFrom('connections').selectAll().execute())
    await store.close()
    const printed = rotation.stdout + rotation.stderr + hubs.map((h) => h.output()).join('')
    for (const secret of [newKey, oldKey, ...report.tokens.values()]) {
      expect(printed).not.toContain(secret)
      expect(dump).not.toContain(secret)
    }

    // The old key can go: a hub holding only the new one runs every connection with its latest token.
    await Promise.all(hubs.map((h) => h.stop()))
    const onlyNew = await startHubProcess({ databaseUrl, masterKeys: [newKey], apiKey })
    for (const [id, token] of report.tokens) {
      const path = `/after/${id}`
      const res = await runRequest(onlyNew, id, path)
      expect(res.body.status).toBe('SUCCESS')
      expect(upstream.received.find((r) => r.path === path)?.headers.authorization).toBe(`Bearer ${token}`)
    }
  })

  it('a rotation interrupted, then killed half-way, leaves everything readable and resumes to completion', async () => {
    const databaseUrl = await createTestDatabase()
    // Seeded straight into the database (faster than 600 connects), sealed as the hub seals.
    const store = openStore(databaseUrl, { poolSize: 2 })
    await store.migrate()
    const vault = new Vault([parseMasterKey(oldKey)])
    const tenant = 'tenant-rotation-kill'
    const tokens = new Map<string, string>()
    try {
      await store.createTenant({ id: tenant, name: 'default', created_at: new Date().toISOString() })
      const now = new Date().toISOString()
      for (let i = 0; i < 600; i++) {
        const id = `${i.toString(16).padStart(24, '0')}`
        const token = `kill-${i}`
        tokens.set(id, token)
        await store.insertConnection({
          id,
          tenant_id: tenant,
          integration_id: deriveModelId('http-api'),
          name: `c${i}`,
          description: 'd',
          auth_scheme: 'BEARER_TOKEN',
          status: 'ACTIVE',
          status_reason: null,
          config: JSON.stringify({ base_url: upstream.url }),
          secrets: vault.seal({ token }, { tenantId: tenant, connectionId: id }),
          version: 1,
          created_at: now,
          updated_at: now,
          expires_at: null,
          token_expires_at: null,
        } as ConnectionRow)
      }
    } finally {
      await store.close()
    }
    const env = { PATCHBAY_DATABASE_URL: databaseUrl, PATCHBAY_MASTER_KEYS: oldKey }
    const args = ['keys', 'rotate-master', '--new-key', 'env:PB_NEW_KEY', '--batch-size', '10', '--pause', '20']

    // Ctrl-C: stops after the batch in hand and says how to resume.
    const interrupted = spawnCli(args, { ...env, PB_NEW_KEY: newKey })
    await waitFor(() => /pass 1 connections: [1-9]\d*\//.test(interrupted.output()), 'the first batch')
    interrupted.child.kill('SIGINT')
    const stopped = await interrupted.done
    expect(stopped.code).toBe(130)
    expect(stopped.stdout).toMatch(/Interrupted: \d+ re-encrypted, \d+ left \(\d+ with [0-9a-f]{8}\)\. Run the same command again to resume\./)

    // SIGKILL: no chance to clean up at all.
    const killed = spawnCli(args, { ...env, PB_NEW_KEY: newKey })
    const at = (await keysOf(databaseUrl))['connections']?.[newId] ?? 0
    await waitFor(async () => ((await keysOf(databaseUrl))['connections']?.[newId] ?? 0) >= at + 50, 'the killed run to make progress', 60_000, 50)
    killed.child.kill('SIGKILL')
    expect((await killed.done).signal).toBe('SIGKILL')

    const half = (await keysOf(databaseUrl))['connections'] ?? {}
    expect(half[newId]).toBeGreaterThan(0)
    expect(half[oldId]).toBeGreaterThan(0)
    expect((half[newId] ?? 0) + (half[oldId] ?? 0)).toBe(600)

    // Meanwhile a hub holding both keys serves connections of either kind.
    const hub = await startHubProcess({ databaseUrl, masterKeys: [newKey, oldKey], apiKey })
    for (const id of [...tokens.keys()].filter((_, i) => i % 50 === 0)) {
      const path = `/half/${id}`
      expect((await runRequest(hub, id, path)).body.status).toBe('SUCCESS')
      expect(upstream.received.find((r) => r.path === path)?.headers.authorization).toBe(`Bearer ${tokens.get(id)}`)
    }

    const resumed = await runCli(['keys', 'rotate-master', '--new-key', 'env:PB_NEW_KEY'], { ...env, PB_NEW_KEY: newKey })
    expect(resumed.stdout).toMatch(new RegExp(`Re-encrypting ${half[oldId]} value\\(s\\) with master key ${newId}`))
    expect(resumed.stdout).toContain('Verified')
    expect(resumed.code).toBe(0)
    expect((await keysOf(databaseUrl))['connections']).toEqual({ [newId]: 600 })
    const again = await runCli(['keys', 'rotate-master', '--new-key', 'env:PB_NEW_KEY', '--dry-run'], { ...env, PB_NEW_KEY: newKey })
    expect(again.stdout).toContain(
      `Stored secrets: connections 600 (600 with ${newId}); oauth_apps 0; oauth_states 0; webhook_endpoints 0; trigger_instances 0; vault_check 1 (1 with ${newId}).`,
    )
    expect(again.stdout).toContain('0 value(s) would be re-encrypted')
  })

  it('explains a wrong --new-key and a missing current key without touching anything', async () => {
    const databaseUrl = await createTestDatabase()
    const noVar = await runCli(['keys', 'rotate-master', '--new-key', 'env:PB_MISSING'], { PATCHBAY_DATABASE_URL: databaseUrl, PATCHBAY_MASTER_KEYS: oldKey })
    expect(noVar.code).toBe(1)
    expect(noVar.stderr).toContain('--new-key env:PB_MISSING: the variable PB_MISSING is not set')
    const bad = await runCli(['keys', 'rotate-master', '--new-key', 'env:PB_BAD'], { PATCHBAY_DATABASE_URL: databaseUrl, PATCHBAY_MASTER_KEYS: oldKey, PB_BAD: 'not-a-key' })
    expect(bad.stderr).toContain('--new-key env:PB_BAD: The master key must be base64 of exactly 32 random bytes')
    expect(bad.stderr).not.toContain('not-a-key')
    const batch = await runCli(['keys', 'rotate-master', '--new-key', newKeyFile, '--batch-size', '0'], { PATCHBAY_DATABASE_URL: databaseUrl, PATCHBAY_MASTER_KEYS: oldKey })
    expect(batch.stderr).toContain('--batch-size must be an integer from 1 to 10000; got "0"')
    const dataDir = await mkdtemp(join(tmpdir(), 'pb-rot-'))
    const noKey = await runCli(['keys', 'rotate-master', '--new-key', newKeyFile], { PATCHBAY_DATABASE_URL: databaseUrl, PATCHBAY_DATA_DIR: dataDir })
    expect(noKey.stderr).toMatch(/No master key: .*master\.key does not exist/)
  })
})
