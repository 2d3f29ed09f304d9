import { afterAll, describe } from 'vitest'
import { createTestDatabase, dropTestDatabases, postgresAvailable } from '../../../../test/support/postgres.js'
import { connectSessionContract } from './connect-session-contract.js'
import { openStore } from './store.js'

const available = await postgresAvailable()

afterAll(dropTestDatabases)

describe.skipIf(!available)('PostgreSQL', () => {
  connectSessionContract('PostgreSQL', async () => openStore(await createTestDatabase(), { poolSize: 4 }))
})
