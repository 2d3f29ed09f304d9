import { existsSync } from 'node:fs'
import { loadConfig } from '../config.js'
import { openStore, type Store } from '../store/store.js'

/**
 * Opens the configured store for a command that only reads or changes what exists, runs `fn`
 * and closes it. A SQLite file that does not exist is refused (naming the path), never created
 * empty: the wrong folder must not look like an empty hub.
 *
 * @throws {Error} when the SQLite file does not exist.
 */
export async function withExistingStore<T>(fn: (store: Store) => Promise<T>): Promise<T> {
  const url = loadConfig().databaseUrl
  if (!/^postgres(ql)?:/i.test(url) && url !== ':memory:' && !existsSync(url)) {
    throw new Error(`No database at ${url}; run this from the hub's folder, or pass --data-dir <dir> or --database-url <url>`)
  }
  const store = openStore(url)
  try {
    await store.migrate()
    return await fn(store)
  } finally {
    await store.close()
  }
}
