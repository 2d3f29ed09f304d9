import { readdirSync, readFileSync } from 'node:fs'
import { extname, join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { parse as parseYaml } from 'yaml'
import type { IntegrationDefinition } from '@patchbay/core'
import { placeholderNames } from './template.js'
import { BUILT_IN_CATALOG_DIR } from './load-catalog.js'
import { validateDefinition } from './validate-definition.js'

// The hand-written (curated) definitions shipped in packages/hub/catalog/, read as files.
const files = readdirSync(BUILT_IN_CATALOG_DIR).filter((f) => ['.yaml', '.yml', '.json'].includes(extname(f)))
const definitions = files.map((f) => parseYaml(readFileSync(join(BUILT_IN_CATALOG_DIR, f), 'utf8')) as IntegrationDefinition)

/** Integrations whose URL comes from the connection: no fixed https base URL, no verify call. */
const CONNECTION_URL = new Set(['http-api', 'mcp-server'])
const HTTPS = /^https:\/\/[^\s/]+(\/\S*)?$/

const services = definitions.filter((d) => !CONNECTION_URL.has(d.id))

describe('curated catalog', () => {
  it('has at least 40 integrations with unique ids, each one a valid definition', () => {
    expect(definitions.length).toBeGreaterThanOrEqual(40)
    const ids = definitions.map((d) => d.id)
    expect(new Set(ids).size).toBe(ids.length)
    for (const d of definitions) {
      const v = validateDefinition(d)
      expect(v.ok ? [] : v.problems, d.id).toEqual([])
    }
  })

  it('uses https for every base URL, docs link and OAuth endpoint', () => {
    for (const d of services) {
      const o2 = d.auth.OAUTH2?.oauth2
      const o1 = d.auth.OAUTH1?.oauth1
      const urls = [
        d.baseUrl.replace(/\{[^}]+\}/g, 'x'),
        d.docsUrl,
        ...d.actions.map((a) => a.docsUrl),
        o2?.authorizationUrl,
        o2?.tokenUrl,
        o2?.revocationUrl,
        o1?.requestTokenUrl,
        o1?.authorizationUrl,
        o1?.accessTokenUrl,
      ]
      for (const url of urls.filter((u) => u !== undefined)) expect(url, d.id).toMatch(HTTPS)
    }
  })

  it('declares every path parameter of every action as a required input (or a connection input)', () => {
    for (const d of definitions) {
      const connection = new Set(Object.values(d.auth).flatMap((s) => (s?.inputs ?? []).filter((i) => !i.secret).map((i) => i.name)))
      for (const a of d.actions) {
        const properties = Object.keys((a.input['properties'] ?? {}) as object)
        const required = (a.input['required'] ?? []) as string[]
        for (const name of placeholderNames(a.request.path)) {
          if (connection.has(name) && !properties.includes(name)) continue
          expect(properties, `${a.code} path {${name}}`).toContain(name)
          expect(required, `${a.code} path {${name}} must be required`).toContain(name)
        }
      }
    }
  })

  it('gives every service at least 3 actions and a verify action that needs no input', () => {
    for (const d of services) {
      expect(d.actions.length, d.id).toBeGreaterThanOrEqual(3)
      expect(d.verify, `${d.id} verify`).toBeDefined()
      const verify = d.actions.find((a) => a.code === d.verify)
      expect(verify?.request.method, `${d.id} verify reads`).toMatch(/^(GET|POST)$/)
      expect((verify?.input['required'] ?? []) as string[], d.id).toEqual([])
    }
  })

  it('links every action to its page of the provider reference', () => {
    for (const d of services) for (const a of d.actions) expect(a.docsUrl, `${d.id} ${a.code}`).toMatch(HTTPS)
  })

  it('describes every action and every top-level input property, for the model that picks and fills it', () => {
    for (const d of services) {
      for (const a of d.actions) {
        expect(a.description ?? '', `${a.code} description`).not.toBe('')
        const properties = (a.input['properties'] ?? {}) as Record<string, { description?: string }>
        for (const [name, schema] of Object.entries(properties)) expect(schema.description ?? '', `${a.code}.${name} description`).not.toBe('')
      }
    }
  })
})
