import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createHub, createLogger, generateMasterKey, loadCatalog, openStore, parseMasterKey, Vault } from '@patchbay/hub'
import { createTestDatabase, dropTestDatabases, POSTGRES_ADMIN_URL, postgresAvailable } from '../support/postgres.js'
import { startTestHub, type TestHub } from '../support/test-hub.js'

const available = await postgresAvailable()

describe.runIf(available)('/ready on PostgreSQL', () => {
  let hub: TestHub
  let dbName: string

  beforeAll(async () => {
    const url = await createTestDatabase()
    dbName = new URL(url).pathname.slice(1)
    hub = await startTestHub({ databaseUrl: url, metricsToken: 'metrics-token-0123456789abcdef' })
  })
  afterAll(async () => {
    await hub?.close()
    await dropTestDatabases()
  })

  it('answers 200 while the database answers, and reports the pool', async () => {
    const res = await fetch(`${hub.url}/ready`)
    expect(res.status).toBe(200)
    expect(await res.json()).toEqual({ status: 'ready' })
    const text = await (await fetch(`${hub.url}/metrics`, { headers: { authorization: 'Bearer metrics-token-0123456789abcdef' } })).text()
    expect(text).toMatch(/^patchbay_db_pool_connections [1-9]/m)
    expect(text).toMatch(/^patchbay_db_pool_waiting 0/m)
  })

  it('answers 503 once the database is gone (sessions terminated, database dropped), while /health stays 200', async () => {
    const admin = new pg.Client({ connectionString: POSTGRES_ADMIN_URL })
    await admin.connect()
    try {
      await admin.query('select pg_terminate_backend(pid) from pg_stat_activity where datname = $1 and pid <> pg_backend_pid()', [dbName])
      await admin.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`)
    } finally {
      await admin.end()
    }
    const res = await fetch(`${hub.url}/ready`)
    expect(res.status).toBe(503)
    expect(await res.json()).toMatchObject({ status: 'unavailable', reason: 'database unreachable' })
    expect((await fetch(`${hub.url}/health`)).status).toBe(200)
  })

  it('answers 503 within its timeout for a pool pointed at a closed port', async () => {
    // Port 1 on loopback: nothing listens there, so every connection is refused.
    const store = openStore('postgres://postgres@127.0.0.1:1/none')
    const own = createHub({
      store,
      vault: new Vault([parseMasterKey(generateMasterKey())]),
      catalog: await loadCatalog({ dirs: [], generated: false }),
      logger: createLogger('silent'),
    })
    try {
      const started = Date.now()
      const res = await own.app.inject({ method: 'GET', url: '/ready' })
      expect(res.statusCode).toBe(503)
      expect(res.json()).toMatchObject({ status: 'unavailable' })
      expect(Date.now() - started).toBeLessThan(3_000)
    } finally {
      await own.close()
    }
  })
})
