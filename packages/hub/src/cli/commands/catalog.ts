import { mkdir, writeFile } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import type { Command } from 'commander'
import { PatchbayError } from '@patchbay/core'
import { loadCatalogDir } from '../../catalog/load-catalog.js'
import { validateDefinition } from '../../catalog/validate-definition.js'
import { importOpenApi } from '../../openapi/import-openapi.js'

/** `patchbay catalog validate <dir>`: checks definition files without starting a hub. */
export function registerCatalog(program: Command): void {
  const catalog = program.command('catalog').description('work with integration definitions')
  catalog
    .command('validate')
    .description('validate every .yaml/.yml/.json definition in a folder; exits 1 if any is invalid')
    .argument('<dir>', 'folder of definition files')
    .action(async (dir: string) => {
      let result
      try {
        result = await loadCatalogDir(dir)
      } catch (err) {
        throw new Error(`Cannot read ${dir}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`)
      }
      for (const i of result.integrations) {
        process.stdout.write(`ok    ${i.source}  ${i.definition.name} (${i.definition.actions.length} actions, id ${i.modelId})\n`)
      }
      for (const e of result.errors) {
        for (const p of e.problems) process.stdout.write(`error ${e.file}  ${p.field} ${p.message}\n`)
      }
      process.stdout.write(`${result.integrations.length} valid, ${result.errors.length} invalid\n`)
      if (result.errors.length) process.exitCode = 1
    })

  catalog
    .command('import')
    .description('turn an OpenAPI 3.0/3.1 or Swagger 2.0 document into a definition file (validated before it is written)')
    .argument('<document>', 'an OpenAPI .yaml/.json file, or a file:// URL')
    .option('--out <dir>', 'folder to write <id>.yaml into (e.g. one listed in PATCHBAY_CATALOG_DIR)', '.')
    .option('--id <id>', 'definition id (lowercase letters, digits, dashes); default from info.title')
    .option('--name <name>', 'display name; default info.title')
    .option('--base-url <url>', 'base URL; default the first server of the document')
    .option('--json', 'write JSON instead of YAML')
    .action(async (document: string, opts: { out: string; id?: string; name?: string; baseUrl?: string; json?: boolean }) => {
      const started = performance.now()
      let result
      try {
        result = await importOpenApi(resolve(document.startsWith('file:') ? new URL(document).pathname : document), {
          ...(opts.id ? { id: opts.id } : {}),
          ...(opts.name ? { name: opts.name } : {}),
          ...(opts.baseUrl ? { baseUrl: opts.baseUrl } : {}),
        })
      } catch (err) {
        throw new Error(err instanceof PatchbayError ? err.message : `Cannot import ${document}: ${(err as Error).message}`)
      }
      const checked = validateDefinition(JSON.parse(JSON.stringify(result.definition)))
      if (!checked.ok) {
        for (const p of checked.problems.slice(0, 50)) process.stderr.write(`error ${p.field} ${p.message}\n`)
        throw new Error(`The imported definition is invalid (${checked.problems.length} problems); nothing was written`)
      }
      const def = result.definition
      await mkdir(opts.out, { recursive: true })
      const file = join(opts.out, `${def.id}.${opts.json ? 'json' : 'yaml'}`)
      // yaml is loaded here, not when the CLI starts: every command, `serve` included, would pay for it.
      const { stringify: toYaml } = await import('yaml')
      const text = opts.json
        ? `${JSON.stringify(def, null, 2)}\n`
        : `# Imported by \`patchbay catalog import\` from ${document} (OpenAPI ${result.specVersion}).\n${toYaml(def, { lineWidth: 0, aliasDuplicateObjects: false })}`
      await writeFile(file, text)
      for (const w of result.warnings.slice(0, 20)) process.stderr.write(`warn  ${w}\n`)
      if (result.warnings.length > 20) process.stderr.write(`warn  … and ${result.warnings.length - 20} more\n`)
      const schemes = Object.keys(def.auth).join(', ')
      process.stdout.write(
        `wrote ${file}: ${def.name} (id ${def.id}), ${def.actions.length} actions, schemes ${schemes}, ${result.warnings.length} warnings, ${Math.round(performance.now() - started)} ms\n`,
      )
    })
}
