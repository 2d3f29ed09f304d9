import { mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { openStore } from '../../store/store.js'
import { triggerStoreContract } from './trigger-store-contract.js'

triggerStoreContract('SQLite', async () => openStore(join(await mkdtemp(join(tmpdir(), 'pb-triggers-')), 'db.sqlite')))
