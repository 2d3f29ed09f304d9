import { mkdtemp, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { generateMasterKey, openStore, parseMasterKey, Vault } from '@patchbay/hub'
import { runCli, spawnCli, startHubProcess, startHubProcesses, stopAllProcesses, waitFor, type HubProcess } from '../support/hub-processes.js'
import { createTestDatabase, dropTestDatabases, postgresAvailable } from '../support/postgres.js'
import { startUpstream, type Upstream } from '../support/upstream.js'
import { runRequest, seedConnections, startConnectStream, startTraffic, type Target } from './fixtures.js'

/**
 * SIGKILL, the one signal a process cannot clean up after: killing a hub in the middle of a
 * stream of connects, and a hub and the rotation in the middle of a rotation, loses no
 * acknowledged connection and leaves nothing undecryptable; the next start recovers.
 */
const available = await postgresAvailable()

describe.skipIf(!available)('crash safety (SIGKILL) on PostgreSQL', () => {
  const apiKey = 'crash-test-key-0123456789abcdef'
  let upstream: Upstream

  beforeAll(async () => {
    upstream = await startUpstream()
  })
  afterEach(stopAllProcesses)
  afterAll(async () => {
    await upstream?.close()
    await dropTestDatabases()
  })

  /** Every connection in `expected` exists and opens with `keys` to exactly its token. */
  const expectStored = async (databaseUrl: string, keys: string[], expected: Map<string, string>) => {
    const store = openStore(databaseUrl, { poolSize: 2 })
    const vault = new Vault(keys.map(parseMasterKey))
    try {
      const ids = [...expected.keys()]
      const rows = ids.length ? await store.db.selectFrom('connections').select(['id', 'tenant_id', 'secrets', 'status']).where('id', 'in', ids).execute() : []
      expect(rows.length).toBe(ids.length)
      for (const row of rows) {
        expect(row.status).toBe('ACTIVE')
        expect(vault.open(row.secrets as string, { tenantId: row.tenant_id, connectionId: row.id })).toEqual({ token: expected.get(row.id) })
      }
    } finally {
      await store.close()
    }
  }

  /** Runs an action on each connection through `hub` and checks the service got its token. */
  const expectServed = async (hub: Target, expected: Map<string, string>, label: string) => {
    for (const [id, token] of expected) {
      const path = `/${label}/${id}`
      const res = await runRequest(hub, id, path)
      expect(res.body.status, res.text).toBe('SUCCESS')
      expect(upstream.received.find((r) => r.path === path)?.headers.authorization).toBe(`Bearer ${token}`)
    }
  }

  it('a hub killed during a stream of connects loses no acknowledged connection; the other keeps serving; a restart recovers', async () => {
    const databaseUrl = await createTestDatabase()
    const key = generateMasterKey()
    const [a, b] = (await startHubProcesses(2, { databaseUrl, masterKeys: [key], apiKey })) as [HubProcess, HubProcess]
    const onA = startConnectStream(a, upstream.url, 6, 'a')
    const onB = startConnectStream(b, upstream.url, 2, 'b')
    await waitFor(() => onA.acked.size >= 40, 'connects on A')
    await a.kill()
    const bAtKill = onB.acked.size
    await waitFor(() => onB.acked.size >= bAtKill + 20, 'B to keep serving after A died')
    await onA.stop()
    await onB.stop()

    expect(onA.errors.length).toBeGreaterThan(0) // A's clients did see it die mid-stream.
    expect(onB.errors).toEqual([])
    const acked = new Map([...onA.acked, ...onB.acked])
    await expectStored(databaseUrl, [key], acked)

    const restarted = await startHubProcess({ databaseUrl, masterKeys: [key], apiKey, name: 'a-restarted' })
    await expectServed(restarted, onA.acked, 'after-crash')
    await expectServed(b, new Map([...onB.acked].slice(0, 10)), 'on-b')
  })

  it('a hub and the rotation both killed during a rotation: nothing acknowledged is lost or unreadable, and a rerun completes', async () => {
    const databaseUrl = await createTestDatabase()
    const oldKey = generateMasterKey()
    const newKey = generateMasterKey()
    const newKeyFile = join(await mkdtemp(join(tmpdir(), 'pb-crash-')), 'new.key')
    await writeFile(newKeyFile, `${newKey}\n`, { mode: 0o600 })
    const first = await startHubProcess({ databaseUrl, masterKeys: [oldKey], apiKey })
    const seeded = await seedConnections(first, upstream.url, 100)
    await first.stop()

    const [a, b] = (await startHubProcesses(2, { databaseUrl, masterKeys: [newKey, oldKey], apiKey })) as [HubProcess, HubProcess]
    const connects = startConnectStream(a, upstream.url, 4, 'rot')
    const traffic = startTraffic({ hubs: [b], upstream, connections: seeded, workers: 3 })
    const env = { PATCHBAY_DATABASE_URL: databaseUrl, PATCHBAY_MASTER_KEYS: `${newKey},${oldKey}` }
    const rotation = spawnCli(['keys', 'rotate-master', '--new-key', newKeyFile, '--batch-size', '5', '--pause', '200'], env)
    await waitFor(() => /pass 1 connections: [1-9]\d*\//.test(rotation.output()), 'the rotation to start')
    await a.kill()
    const okAtKill = traffic.ok
    await waitFor(() => traffic.ok >= okAtKill + 15, 'traffic on B to go on while the rotation runs')
    rotation.child.kill('SIGKILL')
    expect((await rotation.done).signal).toBe('SIGKILL')
    await connects.stop()
    const report = await traffic.stop()

    expect(report.failures).toEqual([])
    expect(connects.acked.size).toBeGreaterThan(0)
    // Everything acknowledged is there and opens with the keys the hubs hold.
    const acked = new Map([...report.tokens, ...connects.acked])
    await expectStored(databaseUrl, [newKey, oldKey], acked)

    // The next start recovers, and a rerun of the rotation finishes the job.
    const restarted = await startHubProcess({ databaseUrl, masterKeys: [newKey, oldKey], apiKey, name: 'a-restarted' })
    const resumed = await runCli(['keys', 'rotate-master', '--new-key', newKeyFile], env)
    expect(resumed.stdout).toContain('Verified')
    expect(resumed.code).toBe(0)
    await expectStored(databaseUrl, [newKey], acked)
    await expectServed(restarted, acked, 'after-rotation-crash')
  })
})
