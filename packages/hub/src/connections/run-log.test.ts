import { openStore } from '../store/store.js'
import { runLogContract } from './run-log-contract.js'

runLogContract('SQLite', async () => openStore(':memory:'))
