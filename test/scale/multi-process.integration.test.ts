import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { generateMasterKey } from '@patchbay/hub'
import { migrationProvider } from '../../packages/hub/src/store/migrations.js'
import { startHubProcess, startHubProcesses, stopAllProcesses, waitFor, type HubProcess } from '../support/hub-processes.js'
import { createTestDatabase, dropTestDatabases, postgresAvailable } from '../support/postgres.js'
import { call } from '../support/test-hub.js'
import { startUpstream, type Upstream } from '../support/upstream.js'
import { connectHttpApi, reconnectHttpApi, runRequest, startGatedServer, type GatedServer } from './fixtures.js'

/**
 * Several real hub processes (`patchbay serve`) on one fresh PostgreSQL database: whatever process
 * a request lands on, it sees one consistent hub.
 */
const available = await postgresAvailable()

describe.skipIf(!available)('hub processes sharing one PostgreSQL database', () => {
  const apiKey = 'multi-process-test-key-0123456789'
  let dbUrl: string
  let upstream: Upstream
  let gated: GatedServer
  let hubs: HubProcess[]
  let db: pg.Client
  const masterKeys = [generateMasterKey()]

  beforeAll(async () => {
    upstream = await startUpstream()
    gated = await startGatedServer()
    dbUrl = await createTestDatabase()
    // Four processes at the same moment on an empty database: all race to migrate and to seed
    // the bootstrap key.
    hubs = await startHubProcesses(4, { databaseUrl: dbUrl, masterKeys, apiKey, name: 'hub' })
    db = new pg.Client({ connectionString: dbUrl })
    await db.connect()
  })

  afterAll(async () => {
    await db?.end()
    await stopAllProcesses()
    await upstream?.close()
    await gated?.close()
    await dropTestDatabases()
  })

  const a = () => hubs[0] as HubProcess
  const b = () => hubs[1] as HubProcess
  const authOf = (i: number) => upstream.received[i]?.headers.authorization

  it('four processes started at once on a fresh database all serve, with each migration applied once and one default tenant', async () => {
    for (const hub of hubs) {
      expect((await fetch(`${hub.url}/health`)).status).toBe(200)
      const res = await call(hub, 'GET', '/sdk/models/patchbay%2Fhttp-api')
      expect(res.status).toBe(200)
      expect(hub.output()).not.toMatch(/migration .*failed|error/i)
    }
    const migrations = await db.query<{ name: string }>('select name from kysely_migration order by name')
    const all = Object.keys(await migrationProvider.getMigrations()).sort()
    expect(all.length).toBeGreaterThanOrEqual(2)
    expect(migrations.rows.map((r) => r.name)).toEqual(all)
    // The bootstrap key is seeded once, into one `default` tenant, however many processes raced.
    expect((await db.query(`select id from tenants where name = 'default'`)).rowCount).toBe(1)
    expect((await db.query('select id from api_keys')).rowCount).toBe(1)
  })

  it('a connection made on one process is listed, read and run on every other', async () => {
    const id = await connectHttpApi(a(), upstream.url, 'token-one', 'shared connection')
    for (const hub of hubs.slice(1)) {
      const record = await call(hub, 'GET', `/sdk/models/${id}`)
      expect(record.status).toBe(200)
      expect(record.body.name).toBe('shared connection')
      const page = await call(hub, 'POST', '/sdk/models/paginate', { functions: ['connection'], q: 'shared' })
      expect(page.body.items.map((i: { id: string }) => i.id)).toContain(id)
      const before = upstream.received.length
      const run = await runRequest(hub, id, `/from/${hub.name}`)
      expect(run.body).toMatchObject({ status: 'SUCCESS', data: { status: 200, body: { path: `/from/${hub.name}` } } })
      expect(authOf(before)).toBe('Bearer token-one')
    }
  })

  it('an asynchronous run started on one process is polled on another, in progress and then done', async () => {
    const id = await connectHttpApi(a(), gated.url, 'token-gated')
    const started = await call(a(), 'POST', `/api/v1/execute/${id}`, { action: 'REQUEST', data: { method: 'GET', path: '/slow' } })
    expect(started.body).toMatchObject({ status: 'IN_PROGRESS', completed: false })
    const runId = started.body.requestId as string
    // The poll URL names the process that took the run; any process can answer it.
    const onB = (await call(b(), 'GET', `/api/v1/data/${runId}`)).body
    expect(onB).toEqual({ completed: false, status: 'IN_PROGRESS' })
    await waitFor(() => gated.received === 1, 'the run to reach the service')
    // A process starting meanwhile must not take the live run for one a crash left behind.
    const late = await startHubProcess({ databaseUrl: dbUrl, masterKeys, apiKey, name: 'late' })
    expect((await call(late, 'GET', `/api/v1/data/${runId}`)).body).toEqual({ completed: false, status: 'IN_PROGRESS' })
    gated.release()
    let done: any
    await waitFor(async () => {
      done = (await call(b(), 'GET', `/api/v1/data/${runId}`)).body
      return done.completed === true
    }, 'the run to complete, polled on another process')
    expect(done).toMatchObject({ status: 'SUCCESS', completed: true, data: { status: 200, body: { released: true, path: '/slow' } } })
    expect((await call(hubs[2] as HubProcess, 'GET', `/api/v1/data/${runId}`)).body).toEqual(done)
    expect((await call(late, 'GET', `/api/v1/data/${runId}`)).body).toEqual(done)
    await late.stop()
  })

  it('a connection deleted on one process is refused at once by another that had its credentials cached', async () => {
    const id = await connectHttpApi(a(), upstream.url, 'token-doomed')
    // B decrypts and caches the credentials.
    expect((await runRequest(b(), id, '/warm')).body.status).toBe('SUCCESS')
    expect((await runRequest(b(), id, '/warm')).body.status).toBe('SUCCESS')
    const deleted = await call(a(), 'DELETE', `/sdk/models/${id}`)
    expect(deleted.status).toBe(200)
    const sent = upstream.received.length
    for (const hub of hubs) {
      const sync = await runRequest(hub, id, '/after-delete')
      expect(sync.status).toBe(404)
      expect(sync.body.code).toBe('NOT_FOUND')
      const async = await call(hub, 'POST', `/api/v1/execute/${id}`, { action: 'REQUEST', data: { method: 'GET', path: '/after-delete' } })
      expect(async.status).toBe(404)
    }
    // Not one call reached the service with the deleted connection's credentials.
    expect(upstream.received.length).toBe(sent)
  })

  it('a reconnect with new credentials on one process is used by another on its very next run', async () => {
    const id = await connectHttpApi(a(), upstream.url, 'token-old', 'rotating token')
    let i = upstream.received.length
    expect((await runRequest(b(), id, '/one')).body.status).toBe('SUCCESS')
    expect(authOf(i)).toBe('Bearer token-old')
    const re = await reconnectHttpApi(a(), id, upstream.url, 'token-new')
    expect(re.body).toMatchObject({ status: 'SUCCESS', data: { id } })
    for (const hub of hubs) {
      i = upstream.received.length
      expect((await runRequest(hub, id, '/two')).body.status).toBe('SUCCESS')
      expect(authOf(i)).toBe('Bearer token-new')
    }
    expect((await call(b(), 'GET', `/sdk/models/${id}`)).body.name).toBe('rotating token')
  })
})
