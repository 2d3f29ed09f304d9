import { mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { connectionCacheContract } from './connection-cache-contract.js'
import { openStore } from './store.js'

// Two stores on one file stand for the hub and the CLI: SQLite's data_version tells the first of the second's commits.
connectionCacheContract(
  'SQLite',
  async () => join(await mkdtemp(join(tmpdir(), 'pb-cache-')), 'db.sqlite'),
  (file) => openStore(file),
)
