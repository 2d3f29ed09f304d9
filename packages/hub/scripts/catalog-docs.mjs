// `npm run catalog:docs` (after a build): rewrites the generated table of every integration in
// docs/catalog.md, between its catalog-table markers. `--check` only compares, exiting 1 when the
// table is stale (the same comparison is a test: packages/hub/src/catalog/catalog-docs.test.ts).
import { readFile, writeFile } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'
import { renderCatalogTable, replaceCatalogTable } from '../dist/catalog/catalog-summary.js'
import { loadCatalog } from '../dist/catalog/load-catalog.js'

const file = fileURLToPath(new URL('../../../docs/catalog.md', import.meta.url))
const doc = await readFile(file, 'utf8')
const next = replaceCatalogTable(doc, renderCatalogTable(await loadCatalog()))
if (process.argv.includes('--check')) {
  if (next !== doc) {
    process.stderr.write('docs/catalog.md: the integration table is stale; run npm run catalog:docs\n')
    process.exit(1)
  }
} else if (next !== doc) {
  await writeFile(file, next)
  process.stdout.write('docs/catalog.md: integration table rewritten\n')
} else {
  process.stdout.write('docs/catalog.md: integration table already up to date\n')
}
