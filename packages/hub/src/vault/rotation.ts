import type { Kysely } from 'kysely'
import { sql } from '../store/kysely.js'
import type { Store } from '../store/store.js'
import { SEALED_COLUMNS, type SealedColumn } from './sealed-columns.js'
import type { Vault } from './vault.js'

/** How many sealed values a table holds, by the id of the master key that sealed them. */
export interface SealedCount {
  table: SealedColumn['table']
  total: number
  /** Key id → number of values sealed with it (`?` for values in no known format). */
  byKey: Record<string, number>
}

/** Progress of a {@link rotateMasterKey} run, reported after every batch. */
export interface RotationProgress {
  pass: number
  table: SealedColumn['table']
  /** Rows of this table visited in this pass. */
  done: number
  /** Rows of this table that were not sealed with the new key when the pass reached it. */
  total: number
  /** Values re-encrypted so far by this run, all tables. */
  reencrypted: number
  /** This pass is through with this table (rows others re-sealed meanwhile may leave `done` below `total`). */
  tableDone: boolean
}

/** A value that could not be re-encrypted. The reason never contains the value. */
export interface RotationFailure {
  table: SealedColumn['table']
  /** The row's primary key, `/`-joined. */
  row: string
  reason: string
}

/** Options of {@link rotateMasterKey}. */
export interface RotationOptions {
  /** Rows per batch (one transaction each). Default 200. */
  batchSize?: number
  /** Pause between batches, ms, to spare a busy database. Default 0. */
  pauseMs?: number
  /** Aborting stops after the current batch; the run can be resumed by running it again. */
  signal?: AbortSignal
  /** Called after every batch. */
  onProgress?: (p: RotationProgress) => void
  /** Passes over the tables before giving up on values other writers keep sealing with an old key. Default 5. */
  maxPasses?: number
  /**
   * Called once a batch is read and re-sealed, just before it is written. For tests, which race
   * a concurrent writer against the rotation here.
   */
  beforeWrite?: (batch: { pass: number; table: SealedColumn['table']; rows: number }) => Promise<void>
}

/** What {@link rotateMasterKey} did. */
export interface RotationReport {
  /** The key everything was re-encrypted with. */
  keyId: string
  reencrypted: number
  /** Values another writer changed between our read and our write; each was left to that writer and re-checked. */
  conflicts: number
  failed: RotationFailure[]
  /** Values still not sealed with `keyId` at the end (0 when the rotation is complete). */
  remaining: number
  /** By the end, values still sealed with each other key id. */
  remainingByKey: Record<string, number>
  interrupted: boolean
  passes: number
}

const PREFIX = 'pb1.'

function dbOf(store: Store): Kysely<any> {
  // The sealed columns are listed as data (SEALED_COLUMNS), so queries over them are untyped.
  return store.db as unknown as Kysely<any>
}

/** Counts the sealed values of every sealed column by master key id. Reads no secret. */
export async function countSealedValues(store: Store): Promise<SealedCount[]> {
  const db = dbOf(store)
  const out: SealedCount[] = []
  for (const c of SEALED_COLUMNS) {
    const rows = await db
      .selectFrom(c.table)
      .select([
        sql<string>`case when substr(${sql.ref(c.column)}, 1, 4) = ${PREFIX} then substr(${sql.ref(c.column)}, 5, 8) else '?' end`.as('key_id'),
        sql<number | string>`count(*)`.as('n'),
      ])
      .where(c.column, 'is not', null)
      .groupBy(sql`1`)
      .execute()
    const byKey: Record<string, number> = {}
    let total = 0
    for (const r of rows as { key_id: string; n: number | string }[]) {
      byKey[r.key_id] = Number(r.n)
      total += Number(r.n)
    }
    out.push({ table: c.table, total, byKey })
  }
  return out
}

/**
 * Re-encrypts every sealed value (see {@link SEALED_COLUMNS}) that is not yet sealed with the
 * vault's active key, while hubs keep serving.
 *
 * - **Batches**: rows are visited in primary-key order, `batchSize` at a time, each batch's
 *   writes in one short transaction. Decryption happens before the transaction opens.
 * - **No lost update**: each write is a compare-and-set on the sealed value itself
 *   (`… where <key> and secrets = <what we read>`). A hub that changed the row in the meantime
 *   (reconnect, token refresh) wins; its value is re-checked in the next pass. The row version
 *   is not bumped: the decrypted content is unchanged, so caches and version checks stay valid.
 * - **Interruptible and resumable**: progress is the data itself (a value's key id is in its
 *   prefix), so a run that is aborted or killed is resumed by running it again.
 * - **Verified**: after each pass the tables are counted again; passes repeat (up to
 *   `maxPasses`) while values written meanwhile by a hub still sealing with an old key remain.
 *
 * `vault` must hold the new key first and every key the stored values were sealed with.
 *
 * @example
 * ```ts
 * const report = await rotateMasterKey(store, new Vault([newKey, oldKey]), { onProgress: console.log })
 * if (report.remaining === 0) console.log('nothing is sealed with the old key any more')
 * ```
 */
export async function rotateMasterKey(store: Store, vault: Vault, options: RotationOptions = {}): Promise<RotationReport> {
  const db = dbOf(store)
  const keyId = vault.activeKeyId
  const current = `${PREFIX}${keyId}.`
  const batchSize = options.batchSize ?? 200
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new TypeError('batchSize must be a positive integer')
  const maxPasses = options.maxPasses ?? 5
  const report: RotationReport = { keyId, reencrypted: 0, conflicts: 0, failed: [], remaining: 0, remainingByKey: {}, interrupted: false, passes: 0 }
  const failedRows = new Set<string>()
  const notCurrent = (c: SealedColumn) => sql<boolean>`substr(${sql.ref(c.column)}, 1, ${current.length}) <> ${current}`

  const remaining = async (): Promise<number> => {
    report.remainingByKey = {}
    let n = 0
    for (const count of await countSealedValues(store)) {
      for (const [id, k] of Object.entries(count.byKey)) {
        if (id === keyId) continue
        report.remainingByKey[id] = (report.remainingByKey[id] ?? 0) + k
        n += k
      }
    }
    return n
  }

  for (let pass = 1; pass <= maxPasses; pass++) {
    report.passes = pass
    for (const c of SEALED_COLUMNS) {
      const totalRow = await db.selectFrom(c.table).select(sql<number | string>`count(*)`.as('n')).where(c.column, 'is not', null).where(notCurrent(c)).executeTakeFirstOrThrow()
      const total = Number(totalRow.n)
      let done = 0
      let cursor: string[] | undefined
      while (total > 0) {
        if (options.signal?.aborted) {
          report.interrupted = true
          report.remaining = await remaining()
          return report
        }
        let q = db
          .selectFrom(c.table)
          .select([...c.keyColumns, ...c.bindingColumns, c.column])
          .where(c.column, 'is not', null)
          .where(notCurrent(c))
        if (cursor) {
          const after = cursor
          q =
            c.keyColumns.length === 1
              ? q.where(c.keyColumns[0] as string, '>', after[0])
              : q.where((eb) => eb(eb.refTuple(c.keyColumns[0] as string, c.keyColumns[1] as string), '>', eb.tuple(after[0], after[1])))
        }
        for (const k of c.keyColumns) q = q.orderBy(k)
        const rows = (await q.limit(batchSize).execute()) as Record<string, string>[]
        if (rows.length === 0) break
        const last = rows[rows.length - 1] as Record<string, string>
        cursor = c.keyColumns.map((k) => last[k] as string)

        const writes: { where: Record<string, string>; old: string; sealed: string }[] = []
        for (const row of rows) {
          const old = row[c.column] as string
          const rowId = c.keyColumns.map((k) => row[k]).join('/')
          try {
            const binding = c.binding(row)
            writes.push({ where: Object.fromEntries(c.keyColumns.map((k) => [k, row[k] as string])), old, sealed: vault.seal(vault.open(old, binding), binding) })
          } catch (err) {
            const id = `${c.table}/${rowId}`
            if (!failedRows.has(id)) {
              failedRows.add(id)
              report.failed.push({ table: c.table, row: rowId, reason: (err as Error).message })
            }
          }
        }
        if (writes.length) {
          await options.beforeWrite?.({ pass, table: c.table, rows: writes.length })
          const updated = await db.transaction().execute(async (trx) => {
            let n = 0
            for (const w of writes) {
              let u = trx.updateTable(c.table).set({ [c.column]: w.sealed })
              for (const [k, v] of Object.entries(w.where)) u = u.where(k, '=', v)
              const r = await u.where(c.column, '=', w.old).executeTakeFirst()
              n += Number(r.numUpdatedRows)
            }
            return n
          })
          report.reencrypted += updated
          // Rows this process cached hold the values sealed with the old key.
          store.connections.cache?.clear()
          report.conflicts += writes.length - updated
        }
        done += rows.length
        options.onProgress?.({ pass, table: c.table, done: Math.min(done, total), total, reencrypted: report.reencrypted, tableDone: false })
        if (options.pauseMs) await new Promise((r) => setTimeout(r, options.pauseMs))
      }
      options.onProgress?.({ pass, table: c.table, done: Math.min(done, total), total, reencrypted: report.reencrypted, tableDone: true })
    }
    report.remaining = await remaining()
    // Done when all that is left are values that cannot be opened (a pass more would not help).
    if (report.remaining <= failedRows.size) break
  }
  return report
}
