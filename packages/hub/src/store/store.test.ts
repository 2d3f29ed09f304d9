import { mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { storeContract } from './store-contract.js'
import { openStore } from './store.js'

storeContract('SQLite', async () => openStore(join(await mkdtemp(join(tmpdir(), 'pb-store-')), 'db.sqlite')))
