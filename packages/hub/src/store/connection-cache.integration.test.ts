import { afterAll, describe } from 'vitest'
import { createTestDatabase, dropTestDatabases, postgresAvailable } from '../../../../test/support/postgres.js'
import { connectionCacheContract } from './connection-cache-contract.js'
import { openStore } from './store.js'

/** The connection cache on a real PostgreSQL: two stores on one database stand for two hub processes. */
const available = await postgresAvailable()

afterAll(dropTestDatabases)

describe.skipIf(!available)('PostgreSQL', () => {
  connectionCacheContract('PostgreSQL', createTestDatabase, (url) => openStore(url, { poolSize: 4 }))
})
