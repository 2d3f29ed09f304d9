import { afterAll, describe } from 'vitest'
import { createTestDatabase, dropTestDatabases, postgresAvailable } from '../../../../test/support/postgres.js'
import { openStore } from '../store/store.js'
import { rotationContract } from './rotation-contract.js'

/** Master key rotation on a real PostgreSQL, a fresh database per test. */
const available = await postgresAvailable()
afterAll(dropTestDatabases)

describe.skipIf(!available)('PostgreSQL', () => {
  rotationContract('PostgreSQL', async () => openStore(await createTestDatabase(), { poolSize: 4 }))
})
