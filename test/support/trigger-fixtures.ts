import { mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ActionRunner } from '../../packages/hub/src/actions/run-action.js'
import { Catalog, type Integration } from '../../packages/hub/src/catalog/catalog.js'
import { InProcessJobEngine } from '../../packages/hub/src/events/triggers/in-process-job-engine.js'
import { TriggerInstances } from '../../packages/hub/src/events/triggers/trigger-instances.js'
import { pollDefinitionLookup, triggerActionRunner } from '../../packages/hub/src/events/triggers/trigger-scheduler.js'
import { TriggerWork } from '../../packages/hub/src/events/triggers/trigger-work.js'
import { newId } from '../../packages/hub/src/ids.js'
import { newConnectionRow } from '../../packages/hub/src/connections/connection-row.js'
import { newTriggerInstanceRow, openStore, type NewTriggerInstance, type Store, type TriggerInstanceRow } from '../../packages/hub/src/store/store.js'
import { generateMasterKey, parseMasterKey, Vault } from '../../packages/hub/src/vault/vault.js'
import { startUpstream, type Upstream } from './upstream.js'

/**
 * What the trigger tests share: a tenant, a connection row, and a harness that runs trigger work
 * on SQLite with the in-process engine against a stand-in service, on a clock the test moves.
 */

/** Never opens anything: rows made here carry no secrets. */
const unusedVault = new Vault([parseMasterKey(generateMasterKey())])

/** Creates a tenant in a migrated store; answers its id. */
export async function newTenant(store: Store, now = new Date().toISOString()): Promise<string> {
  const tenantId = newId()
  await store.createTenant({ id: tenantId, name: `t-${tenantId}`, created_at: now })
  return tenantId
}

/** Inserts an ACTIVE BEARER_TOKEN connection row of `integrationId` without secrets (store-level tests); answers its id. */
export async function insertTestConnection(store: Store, tenantId: string, integrationId: string): Promise<string> {
  const id = newId()
  const row = newConnectionRow(unusedVault, { id, tenantId, integrationId, name: `c-${id}`, description: 'd', schema: 'BEARER_TOKEN', config: {}, sealed: null })
  await store.insertConnection(row)
  return id
}

/** An aiXplain time trigger row (`/v1/triggers` stores these); `fields` says the rest. */
export function timeTriggerRow(fields: Omit<NewTriggerInstance, 'type'>): TriggerInstanceRow {
  return newTriggerInstanceRow({ kind: 'aixplain', type: 'time', trigger_type: 'time', ...fields })
}

/** A running trigger harness; {@link TriggerHarness.close} it after each test. */
export interface TriggerHarness {
  store: Store
  vault: Vault
  tenantId: string
  upstream: Upstream
  catalog: Catalog
  runner: ActionRunner
  engine: InProcessJobEngine
  instances: TriggerInstances
  /** The tenant's `trigger.*` events, oldest first, data parsed (connecting also records connection.created, left out). */
  events(): Promise<Array<{ type: string; data: Record<string, any> }>>
  /** A trigger instance row by id (it must exist). */
  row(id: string): Promise<TriggerInstanceRow>
  close(): Promise<void>
}

/**
 * Starts a harness: a fresh SQLite store with one tenant, a stand-in service, a catalog of
 * `integrations(upstreamUrl)`, an action runner, trigger work failing after 3 runs in a row, and
 * the in-process engine, both on `clock` (set 1 s ahead of now here; the test moves it).
 */
export async function startTriggerHarness(options: {
  prefix: string
  clock: { now: Date }
  integrations: (upstreamUrl: string) => Integration[] | Promise<Integration[]>
}): Promise<TriggerHarness> {
  const vault = new Vault([parseMasterKey(generateMasterKey())])
  const store = openStore(join(await mkdtemp(join(tmpdir(), options.prefix)), 'db.sqlite'))
  await store.migrate()
  const tenantId = await newTenant(store)
  const upstream = await startUpstream()
  const catalog = new Catalog(await options.integrations(upstream.url))
  const runner = new ActionRunner({ vault, connectTimeoutMs: 5_000, timeoutMs: 10_000 })
  const deps = { store, vault, catalog, runner }
  const { clock } = options
  clock.now = new Date(Date.now() + 1_000)
  const work = new TriggerWork({ store, vault, runAction: triggerActionRunner(deps), pollDefinition: pollDefinitionLookup(deps), policy: { failAfter: 3 }, now: () => clock.now })
  const engine = new InProcessJobEngine({ work, now: () => clock.now })
  const instances = new TriggerInstances({ store, vault, catalog, jobs: engine })
  return {
    store,
    vault,
    tenantId,
    upstream,
    catalog,
    runner,
    engine,
    instances,
    events: async () =>
      (await store.events.listEvents(tenantId, { after: 0, limit: 1000 }))
        .filter((e) => e.type.startsWith('trigger.'))
        .map((e) => ({ type: e.type, data: JSON.parse(e.data) as Record<string, any> })),
    row: async (id) => (await store.triggers.getById(id)) as TriggerInstanceRow,
    async close() {
      await engine.stop()
      await runner.close()
      await upstream.close()
      await store.close()
    },
  }
}
