import type { Command } from 'commander'
import { loadConfig } from '../../config.js'
import { withAdvisoryLock } from '../../store/advisory-lock.js'
import { openStore } from '../../store/store.js'
import { createApiKey } from '../../tenants/api-keys.js'
import { registerMasterKey } from './master-key.js'

/** `patchbay keys create`: issues an API key (shown once, stored hashed). */
export function registerKeys(program: Command): void {
  const keys = program.command('keys').description('manage API keys')
  keys
    .command('create')
    .description('create an API key; it is printed once and only its hash is stored')
    .requiredOption('-n, --name <name>', 'a label for the key, e.g. the person or app using it')
    .option('-t, --tenant <tenant>', 'tenant the key belongs to (created if new); tenants never see each other\'s connections', 'default')
    .option('--json', 'print {key, keyId, tenantId, tenant} as JSON')
    .action(async (opts: { name: string; tenant: string; json?: boolean }) => {
      if (!opts.name.trim()) throw new Error('--name must not be empty')
      const config = loadConfig()
      const store = openStore(config.databaseUrl)
      try {
        await store.migrate()
        // The same lock as hub start: a tenant is created once even when several run at once.
        const created = await withAdvisoryLock(store, 'startup', () =>
          createApiKey(store, { name: opts.name.trim(), tenantName: opts.tenant.trim() || 'default' }),
        )
        if (opts.json) {
          process.stdout.write(`${JSON.stringify({ key: created.key, keyId: created.keyId, tenantId: created.tenantId, tenant: created.tenantName })}\n`)
        } else {
          process.stdout.write(`${created.key}\n`)
          process.stderr.write(`API key "${opts.name}" for tenant "${created.tenantName}" created. It is shown only this once: store it now.\n`)
        }
      } finally {
        await store.close()
      }
    })
  registerMasterKey(keys)
}
