import pg from 'pg'
import { afterAll, describe } from 'vitest'
import { POSTGRES_ADMIN_URL, postgresAvailable } from '../../../../test/support/postgres.js'
import { newId } from '../ids.js'
import { storeContract } from './store-contract.js'
import { openStore } from './store.js'

/**
 * The store contract on a real PostgreSQL. Each open gets a database of its own, dropped at the
 * end. Under CI a missing server fails the run (see test/support/postgres.ts).
 */
const available = await postgresAvailable()
const created: string[] = []

async function createDatabase(): Promise<string> {
  const name = `patchbay_test_${newId()}`
  const client = new pg.Client({ connectionString: POSTGRES_ADMIN_URL })
  await client.connect()
  try {
    await client.query(`CREATE DATABASE ${name}`)
  } finally {
    await client.end()
  }
  created.push(name)
  const url = new URL(POSTGRES_ADMIN_URL)
  url.pathname = `/${name}`
  return url.toString()
}

afterAll(async () => {
  if (!created.length) return
  const client = new pg.Client({ connectionString: POSTGRES_ADMIN_URL })
  await client.connect()
  try {
    for (const name of created) await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)
  } finally {
    await client.end()
  }
})

describe.skipIf(!available)('PostgreSQL', () => {
  storeContract('PostgreSQL', async () => openStore(await createDatabase(), { poolSize: 4 }))
})
