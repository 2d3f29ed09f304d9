import { afterAll, describe } from 'vitest'
import { createTestDatabase, dropTestDatabases, postgresAvailable } from '../../../../test/support/postgres.js'
import { openStore } from '../store/store.js'
import { runLogContract } from './run-log-contract.js'

const available = await postgresAvailable()

afterAll(dropTestDatabases)

describe.skipIf(!available)('PostgreSQL', () => {
  runLogContract('PostgreSQL', async () => openStore(await createTestDatabase(), { poolSize: 4 }))
})
