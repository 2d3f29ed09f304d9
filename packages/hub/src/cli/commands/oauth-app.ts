import type { Command } from 'commander'
import { OAuthApps } from '../../auth/oauth-apps.js'
import { loadCatalog } from '../../catalog/load-catalog.js'
import type { Integration } from '../../catalog/catalog.js'
import type { HubConfig } from '../../config.js'
import { publicBaseUrl } from '../../base-url.js'
import { withTenantVault } from '../open-cli-store.js'

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = []
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks).toString('utf8').trim()
}

/** What an oauth-app command works with, besides the store: the tenant's apps and the catalog lookup. */
interface OAuthAppCommand {
  config: HubConfig
  apps: OAuthApps
  find: (id: string) => Integration
  tenantId: string
}

/** Runs `fn` with the tenant's OAuth apps and the catalog (withTenantVault opens and closes the rest). */
function withOAuthApps(tenantName: string, fn: (o: OAuthAppCommand) => Promise<void>, overrides: Record<string, string> = {}): Promise<void> {
  return withTenantVault(
    tenantName,
    async ({ config, store, vault, tenantId }) => {
      const catalog = await loadCatalog({ dirs: config.catalogDirs })
      const find = (id: string) => {
        const integration = catalog.get(id)
        if (!integration) throw new Error(`No integration "${id}" in the catalog; use its id, e.g. slack, github, trello`)
        if (!integration.definition.auth.OAUTH2 && !integration.definition.auth.OAUTH1) {
          throw new Error(`${integration.definition.name} has no OAUTH1 or OAUTH2 scheme; it needs no OAuth app`)
        }
        return integration
      }
      await fn({ config, apps: new OAuthApps(store, vault), find, tenantId })
    },
    { ...process.env, ...overrides },
  )
}

/** `patchbay oauth-app set|list|remove`: a tenant's OAuth client credentials per integration. */
export function registerOAuthApp(program: Command): void {
  const cmd = program.command('oauth-app').description('set the OAuth app (client id and secret, or OAuth 1.0a consumer key and secret) a tenant connects an integration with')
  cmd
    .command('set')
    .description('create or replace the OAuth app of an integration; the secret is stored encrypted')
    .argument('<integration>', 'integration id, e.g. slack, github, trello')
    .requiredOption('--client-id <id>', 'client id (OAuth 2) or consumer key (OAuth 1.0a) the provider gave your app')
    .option('--client-secret <secret>', 'client or consumer secret; "-" reads it from standard input (keeps it out of shell history)')
    .option('--client-secret-env <variable>', 'read the secret from this environment variable instead')
    .option('--scopes <scopes>', "scopes to ask for instead of the definition's defaults, separated by spaces or commas")
    .option('-t, --tenant <tenant>', 'tenant the app belongs to', 'default')
    .option('-p, --port <port>', 'the port `patchbay serve` listens on, for the redirect URL (overrides PATCHBAY_PORT)')
    .option('--host <host>', 'the interface `patchbay serve` listens on, for the redirect URL (overrides PATCHBAY_HOST)')
    .action(
      async (integrationId: string, opts: { clientId: string; clientSecret?: string; clientSecretEnv?: string; scopes?: string; tenant: string; port?: string; host?: string }) => {
        let secret = opts.clientSecret
        if (opts.clientSecretEnv) secret = process.env[opts.clientSecretEnv]
        else if (secret === '-') secret = await readStdin()
        if (!secret) throw new Error('The client secret is required: --client-secret <secret>, --client-secret - (stdin) or --client-secret-env <VAR>')
        const overrides = {
          ...(opts.port !== undefined ? { PATCHBAY_PORT: opts.port } : {}),
          ...(opts.host !== undefined ? { PATCHBAY_HOST: opts.host } : {}),
        }
        await withOAuthApps(
          opts.tenant,
          async ({ config, apps, find, tenantId }) => {
            const integration = find(integrationId)
            const saved = await apps.set(tenantId, integration.modelId, { clientId: opts.clientId, clientSecret: secret, ...(opts.scopes ? { scopes: opts.scopes } : {}) })
            const base = publicBaseUrl(config)
            const from =
              base.source === 'PATCHBAY_PUBLIC_URL'
                ? 'PATCHBAY_PUBLIC_URL'
                : `PATCHBAY_HOST and PATCHBAY_PORT, as \`patchbay serve\` uses them; set PATCHBAY_PUBLIC_URL to the address browsers reach the hub at${config.port === 0 ? ' (port 0 picks a free port at each start)' : ''}`
            process.stdout.write(
              `OAuth app for ${integration.definition.name} set for tenant "${opts.tenant}" (client id ${saved.clientId}${saved.scopes ? `, scopes ${saved.scopes.join(' ')}` : ''}).\n` +
                `Register this redirect URL at the provider: ${base.url}/oauth/callback (from ${from})\n`,
            )
          },
          overrides,
        )
      },
    )
  cmd
    .command('list')
    .description("list a tenant's OAuth apps (never their secrets)")
    .option('-t, --tenant <tenant>', 'tenant', 'default')
    .action(async (opts: { tenant: string }) => {
      await withOAuthApps(opts.tenant, async ({ apps, tenantId }) => {
        const list = await apps.list(tenantId)
        if (list.length === 0) process.stdout.write(`No OAuth apps for tenant "${opts.tenant}".\n`)
        for (const a of list) process.stdout.write(`${a.integrationId}  client id ${a.clientId}  scopes ${a.scopes ? a.scopes.join(' ') : '(defaults)'}  updated ${a.updatedAt}\n`)
      })
    })
  cmd
    .command('remove')
    .description('remove the OAuth app of an integration (existing connections stop refreshing)')
    .argument('<integration>', 'integration id')
    .option('-t, --tenant <tenant>', 'tenant', 'default')
    .action(async (integrationId: string, opts: { tenant: string }) => {
      await withOAuthApps(opts.tenant, async ({ apps, find, tenantId }) => {
        const integration = find(integrationId)
        if (!(await apps.delete(tenantId, integration.modelId))) throw new Error(`No OAuth app for ${integration.definition.name} in tenant "${opts.tenant}"`)
        process.stdout.write(`OAuth app for ${integration.definition.name} removed.\n`)
      })
    })
}
