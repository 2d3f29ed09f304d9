import { existsSync, mkdirSync } from 'node:fs'
import { dirname, resolve } from 'node:path'
import type { Command } from 'commander'
import { withExistingStore } from '../open-cli-store.js'
import { loadConfig } from '../../config.js'
import { withAdvisoryLock } from '../../store/advisory-lock.js'
import { openStore } from '../../store/store.js'
import { createApiKey } from '../../tenants/api-keys.js'
import { isKeyScope, KEY_SCOPES, parseScopes, type KeyScope } from '../../tenants/key-scopes.js'
import { registerMasterKey } from './master-key.js'

function collectScope(value: string, previous: KeyScope[]): KeyScope[] {
  if (!isKeyScope(value)) throw new Error(`--scope must be one of ${KEY_SCOPES.join(', ')}; got "${value}"`)
  return [...previous, value]
}

/**
 * Refuses to create a brand-new SQLite database in the current folder by accident: a key made
 * from the wrong folder would be silently unknown to the running hub.
 */
function guardNewDatabase(databaseUrl: string, init: boolean | undefined): void {
  if (init || databaseUrl.startsWith('postgres') || existsSync(databaseUrl)) return
  if (process.env['PATCHBAY_DATA_DIR'] || process.env['PATCHBAY_DATABASE_URL']) return
  throw new Error(
    `No database at ${databaseUrl} (the default under ${resolve('.')}); a key made here would be unknown to a hub started elsewhere. ` +
      "Run this from the hub's folder, pass --data-dir <dir> or --database-url <url>, or pass --init to create a new database here",
  )
}

/** `patchbay keys create|list|revoke`: API keys (shown once, stored hashed), with scopes. */
export function registerKeys(program: Command): void {
  const keys = program.command('keys').description('manage API keys')
  keys
    .command('create')
    .description('create an API key; it is printed once and only its hash is stored')
    .requiredOption('-n, --name <name>', 'a label for the key, e.g. the person or app using it')
    .option('-t, --tenant <tenant>', "tenant the key belongs to (created if new); tenants never see each other's connections", 'default')
    .option('-s, --scope <scope>', `what the key may do, repeatable: ${KEY_SCOPES.join(', ')} (default admin)`, collectScope, [] as KeyScope[])
    .option('--init', 'create a new database if there is none yet (otherwise refused, see docs/operate.md)')
    .option('--json', 'print {key, keyId, tenantId, tenant, scopes} as JSON')
    .action(async (opts: { name: string; tenant: string; scope: KeyScope[]; init?: boolean; json?: boolean }) => {
      if (!opts.name.trim()) throw new Error('--name must not be empty')
      const { databaseUrl } = loadConfig()
      guardNewDatabase(databaseUrl, opts.init)
      if (opts.init && !databaseUrl.startsWith('postgres')) mkdirSync(dirname(databaseUrl), { recursive: true, mode: 0o700 })
      const store = openStore(databaseUrl)
      try {
        await store.migrate()
        // The same lock as hub start: a tenant is created once even when several run at once.
        const created = await withAdvisoryLock(store, 'startup', () =>
          createApiKey(store, { name: opts.name.trim(), tenantName: opts.tenant.trim() || 'default', scopes: opts.scope }),
        )
        if (opts.json) {
          process.stdout.write(`${JSON.stringify({ key: created.key, keyId: created.keyId, tenantId: created.tenantId, tenant: created.tenantName, scopes: created.scopes })}\n`)
        } else {
          process.stdout.write(`${created.key}\n`)
          process.stderr.write(`API key "${opts.name}" (${created.scopes.join(', ')}) for tenant "${created.tenantName}" created. It is shown only this once: store it now.\n`)
        }
      } finally {
        await store.close()
      }
    })
  keys
    .command('list')
    .description('list API keys (id, fingerprint, scopes; never the key)')
    .option('-t, --tenant <tenant>', "only this tenant's keys")
    .option('--json', 'print one JSON array')
    .action(async (opts: { tenant?: string; json?: boolean }) => {
      await withExistingStore(async (store) => {
        const tenants = await store.db.selectFrom('tenants').select(['id', 'name']).execute()
        const names = new Map(tenants.map((t) => [t.id, t.name]))
        const rows = (await store.tenants.listAllApiKeys()).filter((k) => opts.tenant === undefined || names.get(k.tenant_id) === opts.tenant)
        const items = rows.map((k) => ({
          id: k.id,
          name: k.name,
          tenant: names.get(k.tenant_id) ?? k.tenant_id,
          fingerprint: k.prefix,
          scopes: parseScopes(k.scopes),
          createdAt: k.created_at,
        }))
        if (opts.json) return void process.stdout.write(`${JSON.stringify(items)}\n`)
        if (items.length === 0) return void process.stderr.write('No API keys; create one with `patchbay keys create --name <name>`\n')
        for (const k of items) process.stdout.write(`${k.id}  ${k.fingerprint}  ${k.tenant.padEnd(12)}  ${k.scopes.join(',').padEnd(14)}  ${k.createdAt}  ${k.name}\n`)
      })
    })
  keys
    .command('revoke <id>')
    .description('revoke an API key: every hub process refuses it on its next request')
    .action(async (id: string) => {
      await withExistingStore(async (store) => {
        if (!(await store.tenants.revokeApiKey(undefined, id))) throw new Error(`No API key ${id}; list them with \`patchbay keys list\``)
        process.stderr.write(`API key ${id} revoked.\n`)
      })
    })
  registerMasterKey(keys)
}
