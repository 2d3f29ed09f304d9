import { randomBytes } from 'node:crypto'
import pg from 'pg'

/** Admin URL of the test PostgreSQL (may create databases). */
export const POSTGRES_ADMIN_URL = process.env['PATCHBAY_TEST_POSTGRES_URL'] ?? 'postgres://postgres@127.0.0.1:5432/postgres'

/**
 * Whether PostgreSQL tests should run. On a laptop without PostgreSQL they are skipped with a
 * message; under CI (`CI=true`) a missing server is an error, so they can never be skipped there.
 */
export async function postgresAvailable(): Promise<boolean> {
  const client = new pg.Client({ connectionString: POSTGRES_ADMIN_URL, connectionTimeoutMillis: 3_000 })
  try {
    await client.connect()
    await client.query('select 1')
    return true
  } catch (err) {
    if (process.env['CI']) {
      throw new Error(`PostgreSQL is required in CI at ${new URL(POSTGRES_ADMIN_URL).host}: ${(err as Error).message}`)
    }
    console.warn(`PostgreSQL not reachable at ${new URL(POSTGRES_ADMIN_URL).host}: skipping PostgreSQL tests (they always run in CI)`)
    return false
  } finally {
    await client.end().catch(() => {})
  }
}

const createdDatabases = new Set<string>()

/**
 * Creates a fresh, empty database `patchbay_test_<random>` on the test server and returns its
 * URL. Drop it (and every other one this process created) with {@link dropTestDatabases}.
 */
export async function createTestDatabase(): Promise<string> {
  const name = `patchbay_test_${randomBytes(8).toString('hex')}`
  const client = new pg.Client({ connectionString: POSTGRES_ADMIN_URL })
  await client.connect()
  try {
    await client.query(`CREATE DATABASE ${name}`)
  } finally {
    await client.end()
  }
  createdDatabases.add(name)
  const url = new URL(POSTGRES_ADMIN_URL)
  url.pathname = `/${name}`
  return url.toString()
}

/** Drops every database {@link createTestDatabase} made in this process (closing their sessions). */
export async function dropTestDatabases(): Promise<void> {
  if (createdDatabases.size === 0) return
  const client = new pg.Client({ connectionString: POSTGRES_ADMIN_URL })
  await client.connect()
  try {
    for (const name of createdDatabases) await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)
    createdDatabases.clear()
  } finally {
    await client.end()
  }
}
