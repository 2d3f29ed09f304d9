import { sql } from './kysely.js'
import { migrationProvider } from './migrations.js'
import type { Store } from './store.js'

/** What `GET /ready` reports: ready, or why not. */
export type Readiness = { ready: true } | { ready: false; reason: 'migrating' | 'database unreachable' | 'database timeout' }

let knownMigrations: number | undefined

/**
 * Whether the store can serve: no migration running in this process, every migration this build
 * knows applied (another process may be migrating), and the database answering a trivial query
 * within `timeoutMs`.
 */
export async function checkReadiness(store: Store, timeoutMs: number): Promise<Readiness> {
  if (store.migrating) return { ready: false, reason: 'migrating' }
  knownMigrations ??= Object.keys(await migrationProvider.getMigrations()).length
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), timeoutMs)
  })
  try {
    const query = sql<{ n: number | string }>`select count(*) as n from kysely_migration`.execute(store.db).then(
      (r) => Number(r.rows[0]?.n ?? 0),
      () => 'error' as const,
    )
    const out = await Promise.race([query, timeout])
    if (out === 'timeout') return { ready: false, reason: 'database timeout' }
    if (out === 'error') return { ready: false, reason: 'database unreachable' }
    return out < knownMigrations ? { ready: false, reason: 'migrating' } : { ready: true }
  } finally {
    clearTimeout(timer)
  }
}
