import { describe, expect, it } from 'vitest'
import { Catalog, toIntegration } from './catalog.js'
import { integrationLookup } from './find-integration.js'

const def = (id: string) => ({ id, name: id, description: 'd', baseUrl: 'https://x', auth: { NO_AUTH: {} }, actions: [] })

describe('integrationLookup', () => {
  it('looks in the catalog first, then the tenant registry, scoped by tenant', async () => {
    const built = toIntegration(def('built'), 'catalog')
    const own = toIntegration(def('own'), 'tenant')
    const find = integrationLookup(new Catalog([built]), { get: async (tenant, id) => (tenant === 't1' && id === 'own' ? own : undefined) })
    expect(await find('t1', 'built')).toBe(built)
    expect(await find('t1', 'own')).toBe(own)
    expect(await find('t2', 'own')).toBeUndefined()
    expect(await integrationLookup(new Catalog([]))('t1', 'own')).toBeUndefined()
  })
})
