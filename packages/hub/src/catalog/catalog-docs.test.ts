import { readFile } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { Catalog, toIntegration } from './catalog.js'
import { CATALOG_TABLE_END, CATALOG_TABLE_START, renderCatalogTable, replaceCatalogTable, summarizeIntegration } from './catalog-summary.js'
import { loadCatalog } from './load-catalog.js'

const DOC = fileURLToPath(new URL('../../../../docs/catalog.md', import.meta.url))

describe('the integration table of docs/catalog.md', () => {
  it('is exactly the table of the catalog (regenerate it with npm run catalog:docs)', async () => {
    const doc = await readFile(DOC, 'utf8')
    const table = renderCatalogTable(await loadCatalog())
    const start = doc.indexOf(CATALOG_TABLE_START)
    const end = doc.indexOf(CATALOG_TABLE_END)
    expect(start).toBeGreaterThan(0)
    expect(doc.slice(start, end + CATALOG_TABLE_END.length), 'docs/catalog.md is stale: run npm run catalog:docs').toBe(table)
  })

  it('lists name, id, schemes, action count and origin, curated first', () => {
    const def = (id: string, generatedFrom?: string) => ({
      id,
      name: id === 'b' ? 'B | pipe' : id.toUpperCase(),
      description: 'x',
      baseUrl: 'https://x.test',
      auth: { OAUTH2: { oauth2: { authorizationUrl: 'https://x.test/a', tokenUrl: 'https://x.test/t' } }, API_KEY: {} },
      actions: [],
      ...(generatedFrom ? { generatedFrom } : {}),
    })
    const catalog = new Catalog([toIntegration(def('a', 'grant'), 'x'), toIntegration(def('b'), 'x')])
    const table = renderCatalogTable(catalog)
    expect(table).toContain('2 integrations: 1 curated, 1 generated.')
    const rows = table.split('\n').filter((l) => l.startsWith('| ') && !l.startsWith('| Name'))
    expect(rows).toEqual(['| B \\| pipe | `b` | OAUTH2, API_KEY | 1 | curated |', '| A | `a` | OAUTH2, API_KEY | 1 | generated from grant |'])
    expect(summarizeIntegration(catalog.get('a') as never).actions).toBe(1) // REQUEST
    expect(() => replaceCatalogTable('no markers', table)).toThrow(TypeError)
    expect(replaceCatalogTable(`x\n${CATALOG_TABLE_START}\nold\n${CATALOG_TABLE_END}\ny`, 'NEW')).toBe('x\nNEW\ny')
  })
})
