import { statSync } from 'node:fs'
import type { KyselyPlugin, PluginTransformQueryArgs, PluginTransformResultArgs, QueryResult, RootOperationNode, UnknownRow } from 'kysely'
import { PatchbayError } from '@patchbay/core'

/** True when `node` (a Kysely operation node tree) holds a string with a NUL character. */
function holdsNul(node: unknown, depth = 0): boolean {
  if (typeof node === 'string') return node.includes('\u0000')
  if (typeof node !== 'object' || node === null || depth > 64) return false
  if (Array.isArray(node)) return node.some((n) => holdsNul(n, depth + 1))
  for (const v of Object.values(node)) if (holdsNul(v, depth + 1)) return true
  return false
}

/**
 * Refuses any query whose values contain a NUL character, with the same 400 on both databases:
 * PostgreSQL rejects NUL in `text` (a driver error, so a 500), while SQLite stores it and
 * truncates it in some functions. Every store query passes through here, so one check covers
 * connection names, search text, ids from the URL, OAuth client ids and integration names.
 *
 * @example
 * ```ts
 * new Kysely<Database>({ dialect, plugins: [new TextGuardPlugin()] })
 * ```
 */
export class TextGuardPlugin implements KyselyPlugin {
  /** @throws {PatchbayError} VALIDATION when a value holds a NUL character. */
  transformQuery(args: PluginTransformQueryArgs): RootOperationNode {
    if (holdsNul(args.node)) {
      throw new PatchbayError('VALIDATION', 'A text value you sent contains a NUL character (\\u0000), which the hub does not store; remove it and retry')
    }
    return args.node
  }

  /** Results pass unchanged. */
  async transformResult(args: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
    return args.result
  }
}

/**
 * Checks that a SQLite file's folder exists and is a folder: it is never created (a mistyped
 * path must not become a tree of folders, as root possibly at `/`).
 *
 * @throws {Error} naming `PATCHBAY_DATABASE_URL` and what to change.
 */
export function checkSqliteParent(folder: string): void {
  let isDir: boolean
  try {
    isDir = statSync(folder).isDirectory()
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code
    if (code === 'ENOENT') {
      throw new Error(`The folder ${folder} of the SQLite database does not exist; create it, or set PATCHBAY_DATABASE_URL (or PATCHBAY_DATA_DIR) to a path in an existing folder`)
    }
    if (code === 'EACCES')
      throw new Error(`The folder ${folder} of the SQLite database cannot be read by this user; fix its permissions, or set PATCHBAY_DATABASE_URL to another path`)
    isDir = false
  }
  if (!isDir) throw new Error(`${folder} is not a folder, so the SQLite database cannot be created in it; set PATCHBAY_DATABASE_URL (or PATCHBAY_DATA_DIR) to a path in a folder`)
}
