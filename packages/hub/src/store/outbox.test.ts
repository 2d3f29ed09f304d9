import { mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { outboxContract } from './outbox-contract.js'
import { openStore } from './store.js'

outboxContract('SQLite', async () => openStore(join(await mkdtemp(join(tmpdir(), 'pb-outbox-')), 'db.sqlite')))
