import { randomBytes } from 'node:crypto'
import pg from 'pg'

/** A database created for one benchmark run, dropped afterwards. */
export interface TempDatabase {
  url: string
  name: string
  drop(): Promise<void>
}

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|localhost|\[::1\]|::1)$/i

/**
 * Checks that PostgreSQL answers at `adminUrl`. Returns undefined when it does, else why not
 * (printed as the n/a reason). Only loopback addresses are accepted: benchmarks never leave the machine.
 */
export async function probePostgres(adminUrl: string): Promise<string | undefined> {
  let host: string
  try {
    host = new URL(adminUrl).hostname
  } catch {
    return `invalid PostgreSQL URL`
  }
  if (!LOOPBACK.test(host)) return `PostgreSQL URL must point at 127.0.0.1/localhost (got ${host})`
  const client = new pg.Client({ connectionString: adminUrl, connectionTimeoutMillis: 2_000 })
  client.on('error', () => {})
  try {
    await client.connect()
    await client.query('select 1')
    return undefined
  } catch (err) {
    return `PostgreSQL not reachable at ${host}:${new URL(adminUrl).port || 5432} (${(err as Error).message})`
  } finally {
    await client.end().catch(() => {})
  }
}

/** Creates `patchbay_bench_<random>` through `adminUrl` and returns its URL (same server and user). */
export async function createTempDatabase(adminUrl: string): Promise<TempDatabase> {
  const name = `patchbay_bench_${randomBytes(6).toString('hex')}`
  const admin = async <T>(fn: (c: pg.Client) => Promise<T>): Promise<T> => {
    const client = new pg.Client({ connectionString: adminUrl, connectionTimeoutMillis: 5_000 })
    client.on('error', () => {})
    await client.connect()
    try {
      return await fn(client)
    } finally {
      await client.end().catch(() => {})
    }
  }
  await admin((c) => c.query(`CREATE DATABASE ${name}`))
  const url = new URL(adminUrl)
  url.pathname = `/${name}`
  return {
    url: url.toString(),
    name,
    drop: () =>
      admin(async (c) => {
        try {
          await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)
        } catch {
          // PostgreSQL before 13 has no FORCE.
          await c.query(`DROP DATABASE IF EXISTS ${name}`)
        }
      }),
  }
}
