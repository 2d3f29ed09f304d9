#!/usr/bin/env node
import { Command, CommanderError } from 'commander'
import { registerCatalog } from './commands/catalog.js'
import { registerIntegrations } from './commands/integrations.js'
import { registerKeys } from './commands/keys.js'
import { registerMigrate } from './commands/migrate.js'
import { registerOAuthApp } from './commands/oauth-app.js'
import { registerServe } from './commands/serve.js'
import { registerConnections } from './commands/connections.js'
import { registerRuns } from './commands/runs.js'
import { addStoreOptions } from './store-options.js'
import { registerWebhooks } from './commands/webhooks.js'

const program = new Command()
  .name('patchbay')
  .description("Patchbay: an open-source integration hub that speaks aiXplain's wire protocol")
  .version('0.1.0')
  .showHelpAfterError('(run with --help for usage)')
  .exitOverride()

registerServe(program)
registerKeys(program)
registerCatalog(program)
registerMigrate(program)
registerOAuthApp(program)
registerIntegrations(program)
registerConnections(program)
registerRuns(program)
addStoreOptions(program)
registerWebhooks(program)

try {
  await program.parseAsync(process.argv)
} catch (err) {
  if (err instanceof CommanderError) process.exit(err.exitCode)
  // Expected failures (bad config, unreadable folder) print one clear line, not a stack trace.
  process.stderr.write(`patchbay: ${(err as Error).message}\n`)
  process.exit(1)
}
