import type { Command } from 'commander'
import { loadConfig } from '../../config.js'
import { createLogger } from '../../logger.js'

/** `patchbay serve`: starts the hub from environment configuration. */
export function registerServe(program: Command): void {
  program
    .command('serve')
    .description('start the hub (configured by PATCHBAY_* environment variables; see the README)')
    .option('-p, --port <port>', 'port to listen on (overrides PATCHBAY_PORT)')
    .option('--host <host>', 'interface to listen on (overrides PATCHBAY_HOST)')
    .action(async (opts: { port?: string; host?: string }) => {
      const config = loadConfig({
        ...process.env,
        ...(opts.port !== undefined ? { PATCHBAY_PORT: opts.port } : {}),
        ...(opts.host !== undefined ? { PATCHBAY_HOST: opts.host } : {}),
      })
      const logger = createLogger(config.logLevel)
      // The server (Fastify, every route) is loaded only by this command, not by the others.
      const { startHub } = await import('../../hub.js')
      const hub = await startHub(config, logger)
      const out = process.stdout
      out.write(`\nPatchbay hub listening on ${hub.url}\n`)
      out.write(`  database:   ${config.databaseUrl.startsWith('postgres') ? 'PostgreSQL' : config.databaseUrl}\n`)
      const [sealing, ...reading] = hub.masterKeyIds
      const keyIds = reading.length ? ` (sealing with ${sealing}; also opens ${reading.join(', ')})` : ` (id ${sealing})`
      out.write(
        `  master key: ${hub.masterKeySource === 'env' ? hub.masterKeyVariable : `${hub.masterKeyFile}${hub.masterKeySource === 'generated' ? ' (generated now: back it up)' : ''}`}${keyIds}\n`,
      )
      out.write(`  catalog:    ${hub.catalog.size} integrations${hub.catalogErrors ? `, ${hub.catalogErrors} definition file(s) skipped (see warnings above)` : ''}\n`)
      if (!hub.hasApiKeys) {
        out.write(`\nNo API key yet. Create one (shown once) in another terminal:\n  npx patchbay keys create --name me\n`)
      } else {
        out.write(`\nCreate another API key with: npx patchbay keys create --name <name>\n`)
      }
      out.write(`Point clients at it: BACKEND_URL=${hub.url} MODELS_RUN_URL=${hub.url}/api/v1/execute TEAM_API_KEY=<key>\n\n`)
      let stopping = false
      const stop = (signal: string) => {
        if (stopping) return
        stopping = true
        logger.info({ signal }, 'shutting down')
        hub.close().then(
          () => process.exit(0),
          (err: unknown) => {
            logger.error({ err }, 'shutdown failed')
            process.exit(1)
          },
        )
      }
      process.on('SIGINT', () => stop('SIGINT'))
      process.on('SIGTERM', () => stop('SIGTERM'))
    })
}
