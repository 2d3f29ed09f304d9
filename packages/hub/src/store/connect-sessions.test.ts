import { mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { connectSessionContract } from './connect-session-contract.js'
import { openStore } from './store.js'

connectSessionContract('SQLite', async () => openStore(join(await mkdtemp(join(tmpdir(), 'pb-connect-')), 'db.sqlite')))
