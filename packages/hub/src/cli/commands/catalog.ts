import type { Command } from 'commander'
import { loadCatalogDir } from '../../catalog/load-catalog.js'

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
}
