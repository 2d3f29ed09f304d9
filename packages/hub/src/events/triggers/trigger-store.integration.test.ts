import { afterAll, describe } from 'vitest'
import { createTestDatabase, dropTestDatabases, postgresAvailable } from '../../../../../test/support/postgres.js'
import { openStore } from '../../store/store.js'
import { triggerStoreContract } from './trigger-store-contract.js'

const available = await postgresAvailable()

afterAll(dropTestDatabases)

describe.skipIf(!available)('PostgreSQL', () => {
  triggerStoreContract('PostgreSQL', async () => openStore(await createTestDatabase(), { poolSize: 4 }))
})
