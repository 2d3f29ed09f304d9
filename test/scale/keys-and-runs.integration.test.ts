import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { generateMasterKey } from '@patchbay/hub'
import { startHubProcesses, stopAllProcesses, type HubProcess } from '../support/hub-processes.js'
import { createTestDatabase, dropTestDatabases, postgresAvailable } from '../support/postgres.js'
import { call } from '../support/test-hub.js'
import { startUpstream, type Upstream } from '../support/upstream.js'
import { connectHttpApi, runRequest } from './fixtures.js'

const available = await postgresAvailable()

/** Issue 16 on PostgreSQL with two hub processes: revocation is seen at once, runs are logged by both. */
describe.skipIf(!available)('keys and the run log across two hub processes', () => {
  let hubs: HubProcess[]
  let upstream: Upstream

  beforeAll(async () => {
    upstream = await startUpstream()
    const databaseUrl = await createTestDatabase()
    hubs = await startHubProcesses(2, { databaseUrl, masterKeys: [generateMasterKey()], apiKey: 'keys-and-runs-test-key-0123456789', name: 'hub' })
  })
  afterAll(async () => {
    await stopAllProcesses()
    await upstream?.close()
    await dropTestDatabases()
  })

  it('a key revoked on one process is refused by the other on its next request', async () => {
    const [a, b] = hubs as [HubProcess, HubProcess]
    const made = await call(a, 'POST', '/api/v2/keys', { name: 'agent', scopes: ['run'] })
    expect(made.status).toBe(201)
    const k = { url: b.url, key: made.body.key as string }
    // Warm b's cache with the key, several times.
    for (let i = 0; i < 3; i++) expect((await call(k, 'POST', '/api/v2/execute/patchbay%2Fhttp-api', { action: 'LIST_ACTIONS' })).status).toBe(200)
    expect((await call(k, 'GET', '/api/v2/keys')).status).toBe(403)
    expect((await call(a, 'DELETE', `/api/v2/keys/${made.body.id}`)).status).toBe(204)
    const after = await call(k, 'POST', '/api/v2/execute/patchbay%2Fhttp-api', { action: 'LIST_ACTIONS' })
    expect(after.status).toBe(401)
  })

  it('runs on either process land in one log, readable from the other, with the caller key id', async () => {
    const [a, b] = hubs as [HubProcess, HubProcess]
    const conn = await connectHttpApi(a, upstream.url, 'tok-0123456789')
    const made = await call(a, 'POST', '/api/v2/keys', { name: 'runner', scopes: ['run'] })
    const onB = { url: b.url, key: made.body.key as string }
    const onA = { url: a.url, key: made.body.key as string }
    expect((await runRequest(onA, conn, '/one')).body.status).toBe('SUCCESS')
    expect((await runRequest(onB, conn, '/two')).body.status).toBe('SUCCESS')
    let items: any[] = []
    for (let i = 0; i < 100 && items.length < 2; i++) {
      items = (await call(b, 'GET', `/api/v2/runs?connection=${conn}`)).body.items
      if (items.length < 2) await new Promise((r) => setTimeout(r, 50))
    }
    expect(items).toHaveLength(2)
    for (const r of items) expect(r).toMatchObject({ status: 'SUCCESS', httpStatus: 200, keyId: made.body.id, action: 'REQUEST' })
  })
})
