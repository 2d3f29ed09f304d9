import { mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { openStore } from '../store/store.js'
import { rotationContract } from './rotation-contract.js'

rotationContract('SQLite', async () => openStore(join(await mkdtemp(join(tmpdir(), 'pb-rot-')), 'db.sqlite')))
