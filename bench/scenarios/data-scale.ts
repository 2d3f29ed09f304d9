import { mkdtemp } from 'node:fs/promises'
import { join } from 'node:path'
import { writeGeneratedCatalog } from '../catalog.js'
import { RUN_BODY, callHub, checkRun, connectEcho, isRunSuccess, startBenchHub, type BenchContext } from '../context.js'
import { assertClean, runLoad, type LoadConfig } from '../load.js'
import { createTempDatabase, probePostgres, type TempDatabase } from '../postgres.js'
import type { ChildHandle } from '../processes.js'
import { measured, notAvailable, type Metric, type Target } from '../report.js'
import { seedConnections, type SeedResult } from '../seed.js'

/** What scenario 5 measures. */
export const MEASURES =
  "Three calls at concurrency 1 (p50): GET /sdk/models/{connectionId}, a page of 20 of the tenant's connections " +
  '(POST /sdk/models/paginate, functions ["connection"], a page in the middle), and an action run; on a hub with ' +
  'N generated integrations in its catalog and M connections across T tenants (bulk-seeded through the store), ' +
  'against the same calls on a hub with the built-in catalog and an empty database (one tenant, 20 connections). ' +
  'Both hubs run side by side and are measured alternately.'

const PAGE_SIZE = 20
/** Rounds in full mode up to 100,000 connections (see below). */
const MAX_ROUNDS = 3

/** The three calls of scenario 5 against one hub, for one tenant. */
interface Probe {
  label: string
  hub: ChildHandle
  apiKey: string
  connectionId: string
  listPage: number
}

type Op = 'get' | 'list' | 'run'
/** Each call and its bound against the empty database (issue 13: get and run 1.2×, a page 1.5×). */
const OPS: readonly { op: Op; name: string; max: number }[] = [
  { op: 'get', name: 'get a connection', max: 1.2 },
  { op: 'list', name: "list a tenant's connections (page of 20)", max: 1.5 },
  { op: 'run', name: 'run an action', max: 1.2 },
]
const bound = (max: number): Target => ({ text: `≤ ${max.toFixed(2)}× empty db`, of: 'ratio', max })

function target(p: Probe, op: Op): Omit<LoadConfig, 'connections' | 'durationS'> {
  const headers = { 'x-api-key': p.apiKey, 'content-type': 'application/json' }
  switch (op) {
    case 'get':
      return { url: `${p.hub.url}/sdk/models/${p.connectionId}`, headers: { 'x-api-key': p.apiKey }, verify: (b) => b.includes(`"id":"${p.connectionId}"`) }
    case 'list':
      return {
        url: `${p.hub.url}/sdk/models/paginate`,
        method: 'POST',
        headers,
        body: JSON.stringify({ functions: ['connection'], pageNumber: p.listPage, pageSize: PAGE_SIZE }),
        // A non-empty page (checkProbe checked once that it is a full one).
        verify: (b) => b.includes('"items":[{') && b.includes('"total":'),
      }
    case 'run':
      return { url: `${p.hub.url}/api/v2/execute/${p.connectionId}`, method: 'POST', headers, body: RUN_BODY, verify: isRunSuccess }
  }
}

/** Checks each call once in full, so the load runs measure right answers. */
async function checkProbe(p: Probe): Promise<void> {
  await callHub(p.hub.url, p.apiKey, 'GET', `/sdk/models/${p.connectionId}`)
  const page = await callHub(p.hub.url, p.apiKey, 'POST', '/sdk/models/paginate', { functions: ['connection'], pageNumber: p.listPage, pageSize: PAGE_SIZE })
  if (!Array.isArray(page?.items) || page.items.length !== PAGE_SIZE) {
    throw new Error(`${p.label}: page ${p.listPage} of connections has ${page?.items?.length} items, expected ${PAGE_SIZE}`)
  }
  await checkRun(p.hub.url, p.apiKey, p.connectionId)
}

/** Where one store's pair of hubs keeps its data. */
interface StoreSetup {
  label: 'SQLite' | 'PostgreSQL'
  /** Database URL of the empty and the scaled hub; undefined: SQLite in the hub's data folder. */
  emptyUrl?: string
  scaledUrl?: string
}

async function measureStore(ctx: BenchContext, setup: StoreSetup, catalogDir: string, integrationIds: string[]) {
  const { options } = ctx
  // The scaled database, seeded before its hub starts.
  const scaledDir = await mkdtemp(join(ctx.tmpDir, `hub-data-scaled-${setup.label}-`))
  const scaledUrl = setup.scaledUrl ?? join(scaledDir, 'patchbay.db')
  ctx.progress(`${setup.label}: seeding ${options.connections.toLocaleString('en-US')} connections across ${options.tenants} tenants`)
  const seed: SeedResult = await seedConnections({
    databaseUrl: scaledUrl,
    masterKey: ctx.masterKey,
    integrationIds,
    tenants: options.tenants,
    connections: options.connections,
  })
  const phases = Object.entries(seed.phases)
    .map(([phase, s]) => `${phase} ${s.toFixed(1)} s`)
    .join(', ')
  ctx.progress(`${setup.label}: seeded ${seed.rows.toLocaleString('en-US')} rows in ${seed.seconds.toFixed(1)} s (${phases})`)

  const empty = await startBenchHub(ctx, `data-empty-${setup.label}`, setup.emptyUrl ? { databaseUrl: setup.emptyUrl } : {})
  let scaled: ChildHandle | undefined
  try {
    scaled = await startBenchHub(ctx, `data-scaled-${setup.label}`, {
      // 1,000 more integrations to compile at start, after a bulk load the database is still
      // absorbing (autovacuum of a --scale 1000000 table): give it longer than a plain start.
      timeoutMs: 180_000,
      dataDir: scaledDir,
      catalogDirs: [catalogDir],
      ...(setup.scaledUrl ? { databaseUrl: setup.scaledUrl } : {}),
    })
    const emptyIds: string[] = []
    for (let i = 0; i < PAGE_SIZE; i++) emptyIds.push(await connectEcho(empty.url, ctx.apiKey, `bench-scale-${i}`))
    const tenant = seed.tenants[0]
    if (!tenant) throw new Error('the seed created no tenant')
    const probes: Record<'empty' | 'scaled', Probe> = {
      empty: { label: 'empty', hub: empty, apiKey: ctx.apiKey, connectionId: emptyIds[PAGE_SIZE >> 1] as string, listPage: 0 },
      scaled: {
        label: 'scaled',
        hub: scaled,
        apiKey: tenant.apiKey,
        connectionId: tenant.middleConnectionId,
        listPage: Math.floor(tenant.count / PAGE_SIZE / 2),
      },
    }
    await checkProbe(probes.empty)
    await checkProbe(probes.scaled)

    const load = async (p: Probe, op: Op, durationS: number) => {
      const r = await runLoad({ ...target(p, op), connections: 1, durationS })
      assertClean(`${setup.label} ${p.label} ${op}`, r)
      return r
    }
    // Quick mode checks that the scenario works: the checks above are its only warm-up.
    if (!options.quick) for (const { op } of OPS) for (const p of [probes.empty, probes.scaled]) await load(p, op, options.warmupS / 2)

    // Six measurements per round and up to two stores: fewer, shorter rounds keep a full run
    // under five minutes; p50 at concurrency 1 settles within a couple of seconds. Past the
    // default 100,000 rows (--scale) the seeding dominates the run anyway, and the ratios, on a
    // shared machine, need every round they can get: all of --rounds.
    const rounds = options.connections > 100_000 ? options.rounds : Math.min(options.rounds, MAX_ROUNDS)
    const durationS = options.durationS * (2 / 3)
    const samples: Record<Op, { empty: number[]; scaled: number[] }> = { get: { empty: [], scaled: [] }, list: { empty: [], scaled: [] }, run: { empty: [], scaled: [] } }
    for (let r = 0; r < rounds; r++) {
      for (const { op } of OPS) {
        // Alternate which goes first, so a drift in machine load does not always favour one side.
        const order = r % 2 === 0 ? (['empty', 'scaled'] as const) : (['scaled', 'empty'] as const)
        for (const which of order) samples[op][which].push((await load(probes[which], op, durationS)).p50Ms)
      }
      ctx.progress(
        `${setup.label} round ${r + 1}/${rounds}: ` +
          OPS.map(({ op }) => `${op} ${(samples[op].empty[r] as number).toFixed(3)} → ${(samples[op].scaled[r] as number).toFixed(3)} ms`).join(', '),
      )
    }
    const metrics: Metric[] = OPS.map(({ op, name, max }) =>
      measured({
        name: `${name}, p50 c=1, ${setup.label}`,
        unit: 'ms',
        samples: samples[op].scaled,
        baseline: { label: 'empty db', samples: samples[op].empty },
        target: bound(max),
      }),
    )
    metrics.push(
      measured({ name: `seed ${seed.rows.toLocaleString('en-US')} connections (bulk insert), ${setup.label}`, unit: 's', samples: [seed.seconds] }),
      measured({
        name: `hub start with ${integrationIds.length.toLocaleString('en-US')} more integrations, ${setup.label}`,
        unit: 'ms',
        samples: [scaled.readyAt - scaled.spawnedAt],
        baseline: { label: 'built-in catalog', samples: [empty.readyAt - empty.spawnedAt] },
      }),
    )
    return { metrics, details: { rounds, durationS, seedSeconds: seed.seconds, seedPhases: seed.phases, rows: seed.rows, listPage: probes.scaled.listPage } }
  } finally {
    await scaled?.stop()
    await empty.stop()
  }
}

/** Scenario 5: calls on a large catalog and database, against the same calls on an empty one. */
export async function runDataScale(ctx: BenchContext): Promise<{ metrics: Metric[]; details: Record<string, unknown> }> {
  const { options } = ctx
  const catalogDir = join(ctx.tmpDir, 'catalog-scaled')
  const integrationIds = await writeGeneratedCatalog(catalogDir, ctx.upstream.url, options.integrations)
  const details: Record<string, unknown> = {
    integrations: options.integrations,
    connections: options.connections,
    tenants: options.tenants,
    pageSize: PAGE_SIZE,
  }
  const sqlite = await measureStore(ctx, { label: 'SQLite' }, catalogDir, integrationIds)
  details['SQLite'] = sqlite.details
  const metrics = [...sqlite.metrics]

  const adminUrl = options.postgresUrl
  const unreachable = adminUrl === undefined ? 'skipped with --no-postgres' : await probePostgres(adminUrl)
  if (unreachable !== undefined || adminUrl === undefined) {
    for (const { name, max } of OPS) metrics.push(notAvailable(`${name}, p50 c=1, PostgreSQL`, 'ms', unreachable ?? 'no PostgreSQL', bound(max)))
    return { metrics, details }
  }
  const dbs: TempDatabase[] = []
  try {
    dbs.push(await createTempDatabase(adminUrl))
    dbs.push(await createTempDatabase(adminUrl))
    const [emptyDb, scaledDb] = dbs as [TempDatabase, TempDatabase]
    const pg = await measureStore(ctx, { label: 'PostgreSQL', emptyUrl: emptyDb.url, scaledUrl: scaledDb.url }, catalogDir, integrationIds)
    details['PostgreSQL'] = pg.details
    metrics.push(...pg.metrics)
  } finally {
    for (const db of dbs) await db.drop()
  }
  return { metrics, details }
}
