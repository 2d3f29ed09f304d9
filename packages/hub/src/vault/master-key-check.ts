/**
 * The check value that tells, at start, whether the configured master key is the one the
 * database's values were sealed with (`vault_check`, migration 0004): without it a wrong or
 * regenerated key went unnoticed until the first run answered 500, and a deleted `master.key`
 * was silently replaced by a new one, leaving every stored credential unreadable.
 */
import type { Kysely } from 'kysely'
import type { Store } from '../store/store.js'
import { SEALED_COLUMNS } from './sealed-columns.js'
import { sealedKeyId, type SecretBinding, type Vault } from './vault.js'

/** The binding of the check value: no tenant, a name of its own. */
export const VAULT_CHECK_BINDING: SecretBinding = Object.freeze({ tenantId: '-', connectionId: 'vault-check:master' })
const CHECK_ID = 'master'
const CHECK_VALUE = 'patchbay-master-key-check'

/**
 * Whether the database holds anything sealed by a master key (credentials, OAuth apps or
 * authorizations in flight, or the check value itself: all of SEALED_COLUMNS).
 *
 * @example
 * ```ts
 * if (await hasSealedValues(store)) console.log('this database needs its master key')
 * ```
 */
export async function hasSealedValues(store: Store): Promise<boolean> {
  // The sealed columns are listed as data (SEALED_COLUMNS), so these queries are untyped.
  const db = store.db as unknown as Kysely<Record<string, Record<string, string | null>>>
  for (const c of SEALED_COLUMNS) {
    const row = await db.selectFrom(c.table).select(c.column).where(c.column, 'is not', null).limit(1).executeTakeFirst()
    if (row) return true
  }
  return false
}

/**
 * Checks that `vault` opens this database's values: the check value when there is one, else
 * one stored secret; then seals the check value if it is missing. Safe when several processes
 * start at once (the first insert wins; every process verifies what was stored).
 *
 * @param source names where the keys came from, for the message (e.g. `PATCHBAY_MASTER_KEY`).
 * @throws {Error} saying which key the database needs and what to restore.
 */
export async function verifyMasterKey(store: Store, vault: Vault, source: string): Promise<void> {
  const db = store.db as unknown as Kysely<Record<string, Record<string, string | null>>>
  const check = await db.selectFrom('vault_check').select('secret').where('id', '=', CHECK_ID).executeTakeFirst()
  const wrongKey = (sealed: string) =>
    new Error(
      `The master key from ${source} (id ${vault.keyIds.join(', ')}) does not open this database's stored credentials, which were sealed with key ${sealedKeyId(sealed) ?? 'unknown'}: restore the master key that was in use (from your backup of master.key or of the variable) and start again`,
    )
  if (check?.secret) {
    let opened: unknown
    try {
      opened = vault.open(check.secret, VAULT_CHECK_BINDING)
    } catch {
      throw wrongKey(check.secret)
    }
    if (opened !== CHECK_VALUE) throw wrongKey(check.secret)
    return
  }
  // A database from before the check value: judge the key by one stored secret.
  for (const c of SEALED_COLUMNS.filter((s) => s.table !== 'vault_check')) {
    const row = await db.selectFrom(c.table).selectAll().where(c.column, 'is not', null).limit(1).executeTakeFirst()
    const sealed = row?.[c.column]
    if (!row || !sealed) continue
    try {
      vault.open(sealed, c.binding(row as Record<string, string>))
    } catch {
      throw wrongKey(sealed)
    }
    break
  }
  await db
    .insertInto('vault_check')
    .values({ id: CHECK_ID, secret: vault.seal(CHECK_VALUE, VAULT_CHECK_BINDING), created_at: new Date().toISOString() })
    .onConflict((oc) => oc.column('id').doNothing())
    .execute()
  const stored = await db.selectFrom('vault_check').select('secret').where('id', '=', CHECK_ID).executeTakeFirstOrThrow()
  try {
    if (vault.open(stored.secret as string, VAULT_CHECK_BINDING) === CHECK_VALUE) return
  } catch {
    // another process sealed it with another key
  }
  throw wrongKey(stored.secret as string)
}
