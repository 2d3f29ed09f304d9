import type { Command } from 'commander'
import { AUTHENTICATION_SCHEMAS, type AuthenticationSchema } from '@patchbay/core'
import { summarizeIntegration } from '../../catalog/catalog-summary.js'
import { loadCatalog } from '../../catalog/load-catalog.js'
import type { Integration } from '../../catalog/catalog.js'
import { loadConfig } from '../../config.js'

interface ListOptions {
  query?: string
  scheme?: string
  json?: boolean
}

/** The catalog a hub started here would serve: built-in, generated and PATCHBAY_CATALOG_DIR folders. */
async function catalogHere() {
  let problems = 0
  const catalog = await loadCatalog({ dirs: loadConfig().catalogDirs, onError: () => void problems++ })
  if (problems) process.stderr.write(`warn  ${problems} definition files were skipped (run patchbay catalog validate <dir>)\n`)
  return catalog
}

function matches(integration: Integration, query: string): boolean {
  const d = integration.definition
  const q = query.toLowerCase()
  return [d.id, d.name, d.description].some((t) => t.toLowerCase().includes(q))
}

function schemeOf(value: string): AuthenticationSchema {
  const s = value.toUpperCase()
  if (!(AUTHENTICATION_SCHEMAS as readonly string[]).includes(s)) {
    throw new Error(`--scheme must be one of ${AUTHENTICATION_SCHEMAS.join(', ')}; got ${value}`)
  }
  return s as AuthenticationSchema
}

interface PropertySchema {
  type?: unknown
  description?: string
}

/** The action inputs of a JSON Schema, one line each: `name (type, required) description`. */
function inputLines(input: Record<string, unknown>): string[] {
  const required = new Set((input['required'] ?? []) as string[])
  return Object.entries((input['properties'] ?? {}) as Record<string, PropertySchema>).map(([name, p]) => {
    const type = Array.isArray(p.type) ? p.type.join('|') : typeof p.type === 'string' ? p.type : 'any'
    return `      ${name} (${type}${required.has(name) ? ', required' : ''})${p.description ? `  ${p.description}` : ''}`
  })
}

function describeIntegration(integration: Integration): string {
  const d = integration.definition
  const s = summarizeIntegration(integration)
  const lines = [
    `${d.name} (${d.id}), ${s.origin}`,
    `  ${d.description}`,
    `  path ${integration.path}, wire id ${integration.modelId}`,
    `  base URL ${d.baseUrl}`,
    ...(d.docsUrl ? [`  docs ${d.docsUrl}`] : []),
    ...(d.verify ? [`  verify ${d.verify}`] : []),
    '',
    'Schemes:',
  ]
  for (const schema of s.schemes) {
    const scheme = d.auth[schema]
    lines.push(`  ${schema}`)
    for (const i of scheme?.inputs ?? []) {
      lines.push(`      ${i.name}${i.secret ? ' (secret)' : ''}${i.required === false ? ' (optional)' : ''}  ${i.description}`)
    }
    if (scheme?.oauth2) lines.push(`      authorize ${scheme.oauth2.authorizationUrl ?? '-'}  token ${scheme.oauth2.tokenUrl}`)
    if (scheme?.baseUrl)
      lines.push(
        `      base URL ${scheme.baseUrl}${scheme.oauth2?.fromTokenResponse ? ` (from the token response: ${Object.keys(scheme.oauth2.fromTokenResponse).join(', ')})` : ''}`,
      )
    if (scheme?.oauth1) lines.push(`      request ${scheme.oauth1.requestTokenUrl}  authorize ${scheme.oauth1.authorizationUrl}  access ${scheme.oauth1.accessTokenUrl}`)
  }
  lines.push('', `Actions (${d.actions.length}):`)
  for (const a of d.actions) {
    lines.push(`  ${a.code}  ${a.request.method} ${a.request.path}`, `      ${a.description}`, ...inputLines(a.input))
    if (a.docsUrl) lines.push(`      docs ${a.docsUrl}`)
  }
  return `${lines.join('\n')}\n`
}

/**
 * `patchbay integrations list [--query] [--scheme] [--json]` and `patchbay integrations show <id>`:
 * the catalog a hub started here would serve, read without a running hub.
 */
export function registerIntegrations(program: Command): void {
  const integrations = program.command('integrations').description('browse the integration catalog (no hub needed)')
  integrations
    .command('list')
    .description('list integrations: name, id, schemes, action count, curated or generated')
    .option('--query <text>', 'only integrations whose id, name or description contains this text')
    .option('--scheme <scheme>', `only integrations offering this scheme (${AUTHENTICATION_SCHEMAS.join(', ')})`)
    .option('--json', 'print JSON')
    .action(async (opts: ListOptions) => {
      const scheme = opts.scheme === undefined ? undefined : schemeOf(opts.scheme)
      const found = (await catalogHere())
        .list()
        .filter((i) => (opts.query === undefined || matches(i, opts.query)) && (scheme === undefined || i.definition.auth[scheme] !== undefined))
        .map(summarizeIntegration)
      if (opts.json) {
        process.stdout.write(`${JSON.stringify(found, null, 2)}\n`)
        return
      }
      const width = Math.max(2, ...found.map((s) => s.id.length))
      for (const s of found) process.stdout.write(`${s.id.padEnd(width)}  ${s.name}  [${s.schemes.join(', ')}]  ${s.actions} actions  ${s.origin}\n`)
      process.stdout.write(`${found.length} integrations\n`)
    })
  integrations
    .command('show')
    .description("show an integration's schemes with their inputs, and its actions with their inputs")
    .argument('<id>', 'integration id (e.g. github), marketplace path or wire id')
    .option('--json', 'print the definition as JSON')
    .action(async (id: string, opts: { json?: boolean }) => {
      const catalog = await catalogHere()
      const integration = catalog.get(id) ?? catalog.get(id.toLowerCase())
      if (!integration) {
        const near = catalog
          .list()
          .filter((i) => matches(i, id))
          .slice(0, 5)
          .map((i) => i.definition.id)
        throw new Error(`No integration "${id}"${near.length ? `; did you mean ${near.join(', ')}?` : ''} (patchbay integrations list --query <text>)`)
      }
      process.stdout.write(opts.json ? `${JSON.stringify(integration.definition, null, 2)}\n` : describeIntegration(integration))
    })
}
