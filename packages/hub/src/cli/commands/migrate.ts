import type { Command } from 'commander'
import { loadConfig } from '../../config.js'
import { openStore } from '../../store/store.js'

/** `patchbay migrate`: brings the database schema up to date (the hub also does this at start). */
export function registerMigrate(program: Command): void {
  program
    .command('migrate')
    .description('apply database migrations to PATCHBAY_DATABASE_URL (done automatically at start)')
    .action(async () => {
      const config = loadConfig()
      const store = openStore(config.databaseUrl)
      try {
        await store.migrate()
        process.stdout.write(`Database is up to date (${store.dialect}).\n`)
      } finally {
        await store.close()
      }
    })
}
