/**
 * A process that runs a PgBossJobEngine over a {@link PgScheduleTable} whose runs hang forever:
 * started by pg-boss-job-engine.integration.test.ts and SIGKILLed mid-run.
 * Usage: node --import tsx test/support/job-engine-child.ts <database-url> <expire-seconds>
 */
import { Kysely, PostgresDialect } from 'kysely'
import pg from 'pg'
import { PgBossJobEngine } from '../../packages/hub/src/events/triggers/pg-boss-job-engine.js'
import { PgScheduleTable } from './pg-schedule-table.js'

const [url, expire] = process.argv.slice(2)
const db = new Kysely<any>({ dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: url, max: 4 }) }) })
const work = new PgScheduleTable(db, 'child')
work.hold = new Promise(() => {})
const engine = new PgBossJobEngine({ db, work, pollingIntervalSeconds: 0.5, expireInSeconds: Number(expire), maintenanceIntervalSeconds: 1 })
await engine.start()
process.stdout.write('ready\n')
