import { afterAll, describe } from 'vitest'
import { createTestDatabase, dropTestDatabases, postgresAvailable } from '../../../../test/support/postgres.js'
import { storeContract } from './store-contract.js'
import { openStore } from './store.js'

/**
 * The store contract on a real PostgreSQL. Each open gets a database of its own, dropped at the
 * end. Under CI a missing server fails the run (see test/support/postgres.ts).
 */
const available = await postgresAvailable()

afterAll(dropTestDatabases)

describe.skipIf(!available)('PostgreSQL', () => {
  storeContract('PostgreSQL', async () => openStore(await createTestDatabase(), { poolSize: 4 }))
})
