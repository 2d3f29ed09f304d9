import type { Command } from 'commander'
import { withExistingStore } from '../open-cli-store.js'
import type { Store } from '../../store/store.js'

async function tenantIdOf(store: Store, name: string): Promise<string> {
  const t = await store.findTenantByName(name)
  if (!t) throw new Error(`No tenant "${name}"; tenants are created with their first API key`)
  return t.id
}

/** `patchbay connections list|delete`: a tenant's connections, straight from the store. */
export function registerConnections(program: Command): void {
  const connections = program.command('connections').description('list or delete connections (reads the database; no hub needed)')
  connections
    .command('list')
    .description("list a tenant's connections (never their secrets)")
    .option('-t, --tenant <tenant>', 'tenant', 'default')
    .option('--end-user <id>', "only this end user's connections (the endUser.id of their Connect session)")
    .option('--json', 'print one JSON array')
    .action(async (opts: { tenant: string; endUser?: string; json?: boolean }) => {
      await withExistingStore(async (store) => {
        const tenantId = await tenantIdOf(store, opts.tenant)
        const rows = (await store.connections.listConnections(tenantId, { offset: 0, limit: 10_000, ...(opts.endUser !== undefined ? { endUserId: opts.endUser } : {}) })).rows
        const items = rows.map((c) => ({
          id: c.id,
          name: c.name,
          integration: c.integration_id,
          authScheme: c.auth_scheme,
          status: c.status,
          endUser: c.end_user_id ?? null,
          tags: c.tags ? (JSON.parse(c.tags) as Record<string, string>) : null,
          createdAt: c.created_at,
          updatedAt: c.updated_at,
        }))
        if (opts.json) return void process.stdout.write(`${JSON.stringify(items)}\n`)
        if (items.length === 0) return void process.stderr.write(`No connections for tenant "${opts.tenant}"\n`)
        for (const c of items) process.stdout.write(`${c.id}  ${c.status.padEnd(8)}  ${c.integration.padEnd(20)}  ${c.createdAt}  ${c.name}\n`)
      })
    })
  connections
    .command('delete <id>')
    .description('delete a connection and its stored credentials')
    .option('-t, --tenant <tenant>', 'tenant', 'default')
    .action(async (id: string, opts: { tenant: string }) => {
      await withExistingStore(async (store) => {
        const tenantId = await tenantIdOf(store, opts.tenant)
        if (!(await store.connections.deleteConnection(tenantId, id)))
          throw new Error(`No connection ${id} in tenant "${opts.tenant}"; list them with \`patchbay connections list\``)
        process.stderr.write(`Connection ${id} deleted.\n`)
      })
    })
}
