import pg from 'pg'
import { afterAll } from 'vitest'
import { newId } from '../ids.js'
import { storeContract } from './store-contract.js'
import { openStore } from './store.js'

/**
 * The store contract on a real PostgreSQL. Each open gets a database of its own, dropped at the
 * end. PATCHBAY_TEST_POSTGRES_URL points at a server whose user may create databases (default:
 * the local one). CI requires PostgreSQL, so this never skips: no server means a failing test.
 */
const admin = process.env['PATCHBAY_TEST_POSTGRES_URL'] ?? 'postgres://postgres@127.0.0.1:5432/postgres'
const created: string[] = []

async function createDatabase(): Promise<string> {
  const name = `patchbay_test_${newId()}`
  const client = new pg.Client({ connectionString: admin })
  await client.connect()
  try {
    await client.query(`CREATE DATABASE ${name}`)
  } finally {
    await client.end()
  }
  created.push(name)
  const url = new URL(admin)
  url.pathname = `/${name}`
  return url.toString()
}

afterAll(async () => {
  const client = new pg.Client({ connectionString: admin })
  await client.connect()
  try {
    for (const name of created) await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)
  } finally {
    await client.end()
  }
})

storeContract('PostgreSQL', async () => openStore(await createDatabase(), { poolSize: 4 }))
