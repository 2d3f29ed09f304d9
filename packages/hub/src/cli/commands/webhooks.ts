import type { Command } from 'commander'
import { WebhookEndpoints } from '../../events/webhook-endpoints.js'
import { withTenantVault } from '../open-cli-store.js'

/** Runs `fn` with the webhook endpoints of a tenant (the store is closed afterwards). */
function withTenant(tenant: string, fn: (o: { endpoints: WebhookEndpoints; tenantId: string }) => Promise<void>): Promise<void> {
  return withTenantVault(tenant, ({ config, store, vault, tenantId }) =>
    fn({ endpoints: new WebhookEndpoints({ store, vault, allowPrivateNetwork: config.allowPrivateNetwork }), tenantId }),
  )
}

/** `patchbay webhooks set|list|remove`: the endpoints a tenant's events are sent to (docs/webhooks.md). */
export function registerWebhooks(program: Command): void {
  const cmd = program.command('webhooks').description("set where a tenant's events (connection.created, connection.expired, …) are sent, signed with Standard Webhooks")
  cmd
    .command('set')
    .description('add an endpoint (prints its signing secret once) or change the events of an existing one')
    .argument('<url>', 'the https URL to POST events to')
    .option('--events <types>', 'only these event types, separated by commas (default: all)')
    .option('-t, --tenant <tenant>', 'tenant the endpoint belongs to', 'default')
    .option('--json', 'print the answer as JSON')
    .action(async (url: string, opts: { events?: string; tenant: string; json?: boolean }) => {
      await withTenant(opts.tenant, async ({ endpoints, tenantId }) => {
        const events = opts.events
          ?.split(',')
          .map((s) => s.trim())
          .filter(Boolean)
        const { created, ...e } = await endpoints.set(tenantId, { url, ...(events ? { events } : {}) })
        if (opts.json) return void console.log(JSON.stringify(e, null, 2))
        console.log(`${created ? 'Added' : 'Updated'} webhook endpoint ${e.id} -> ${e.url} (${e.events ? e.events.join(', ') : 'all events'})`)
        if (e.secret) console.log(`Signing secret (shown once; verify signatures with it): ${e.secret}`)
      })
    })
  cmd
    .command('list')
    .description("list the tenant's endpoints (secrets are never shown again)")
    .option('-t, --tenant <tenant>', 'tenant', 'default')
    .option('--json', 'print JSON')
    .action(async (opts: { tenant: string; json?: boolean }) => {
      await withTenant(opts.tenant, async ({ endpoints, tenantId }) => {
        const items = await endpoints.list(tenantId)
        if (opts.json) return void console.log(JSON.stringify(items, null, 2))
        if (items.length === 0) return void console.log('No webhook endpoints; add one with `patchbay webhooks set <url>`')
        for (const e of items) console.log(`${e.id}  ${e.url}  ${e.events ? e.events.join(',') : 'all events'}`)
      })
    })
  cmd
    .command('remove')
    .description('remove an endpoint and its pending deliveries')
    .argument('<id>', 'the endpoint id (from `patchbay webhooks list`)')
    .option('-t, --tenant <tenant>', 'tenant', 'default')
    .action(async (id: string, opts: { tenant: string }) => {
      await withTenant(opts.tenant, async ({ endpoints, tenantId }) => {
        await endpoints.remove(tenantId, id)
        console.log(`Removed webhook endpoint ${id}`)
      })
    })
}
