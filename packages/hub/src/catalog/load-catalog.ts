import { readdir, readFile } from 'node:fs/promises'
import { extname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { IntegrationDefinition } from '@patchbay/core'
import { Catalog, toIntegration, type Integration } from './catalog.js'
import { grantDefinitions, readGrantData } from './grant-providers.js'
import { parseYaml } from './parsed-yaml.js'
import { validateDefinition, type DefinitionProblem, type ValidateDefinitionOptions } from './validate-definition.js'

/** Folder of the built-in definitions shipped with the hub. */
export const BUILT_IN_CATALOG_DIR = fileURLToPath(new URL('../../catalog/', import.meta.url))

const EXTENSIONS = new Set(['.yaml', '.yml', '.json'])

/** A definition file that was skipped, with every problem found in it. */
export interface CatalogFileError {
  file: string
  problems: DefinitionProblem[]
}

/** What {@link loadCatalogDir} found in one folder. */
export interface CatalogDirResult {
  integrations: Integration[]
  errors: CatalogFileError[]
}

/**
 * Parses and validates one definition file. Never throws for a bad file: problems are returned.
 *
 * @example
 * ```ts
 * const r = await loadDefinitionFile('catalog/github.yaml')
 * if ('problems' in r) console.error(r.problems)
 * ```
 */
export async function loadDefinitionFile(file: string, options: ValidateDefinitionOptions = {}): Promise<Integration | CatalogFileError> {
  let text: string
  try {
    text = await readFile(file, 'utf8')
  } catch (err) {
    return { file, problems: [{ field: '/', message: `cannot be read: ${(err as NodeJS.ErrnoException).code ?? String(err)}` }] }
  }
  let parsed: unknown
  try {
    if (extname(file) === '.json') parsed = JSON.parse(text)
    else {
      const read = await parseYaml.read(text)
      // This exact text passed the full check at build time (parsed-yaml.ts): same code, same answer.
      if (read.validated) return toIntegration(read.value as IntegrationDefinition, file)
      parsed = read.value
    }
  } catch (err) {
    return { file, problems: [{ field: '/', message: `is not valid ${extname(file) === '.json' ? 'JSON' : 'YAML'}: ${(err as Error).message.split('\n')[0]}` }] }
  }
  const result = validateDefinition(parsed, options)
  if (!result.ok) return { file, problems: result.problems }
  return toIntegration(result.definition, file)
}

/**
 * Loads every `.yaml`, `.yml` and `.json` file of a folder (not recursive). Invalid files are
 * reported and skipped; duplicate ids keep the first file (in name order) and report the others.
 */
export async function loadCatalogDir(dir: string, options: ValidateDefinitionOptions = {}): Promise<CatalogDirResult> {
  const entries = (await readdir(dir, { withFileTypes: true }))
    .filter((e) => e.isFile() && EXTENSIONS.has(extname(e.name)))
    .map((e) => join(resolve(dir), e.name))
    .sort()
  const results = await Promise.all(entries.map((file) => loadDefinitionFile(file, options)))
  const integrations: Integration[] = []
  const errors: CatalogFileError[] = []
  const seen = new Map<string, string>()
  for (const r of results) {
    if ('problems' in r) {
      errors.push(r)
      continue
    }
    const first = seen.get(r.definition.id) ?? seen.get(r.modelId)
    if (first !== undefined) {
      errors.push({ file: r.source, problems: [{ field: '/id', message: `"${r.definition.id}" is already defined by ${first}` }] })
      continue
    }
    seen.set(r.definition.id, r.source)
    seen.set(r.modelId, r.source)
    integrations.push(r)
  }
  return { integrations, errors }
}

/** Options of {@link loadCatalog}. */
export interface LoadCatalogOptions {
  /** Load the built-in definitions (default true). */
  builtIn?: boolean
  /** Extra folders of user definitions (`PATCHBAY_CATALOG_DIR`). User definitions override built-ins with the same id. */
  dirs?: readonly string[]
  /** Called once per skipped file. */
  onError?: (error: CatalogFileError) => void
  /** Load one integration per provider of the `grant` package (grant-providers.ts); default: as `builtIn`. Any file with the same id replaces it. */
  generated?: boolean
}

/** Source of the integrations generated from the `grant` package. */
export const GRANT_SOURCE = 'generated:grant'

/** Loads the built-in catalog plus user folders into a {@link Catalog}. */
export async function loadCatalog(options: LoadCatalogOptions = {}): Promise<Catalog> {
  const dirs = [...(options.builtIn === false ? [] : [BUILT_IN_CATALOG_DIR]), ...(options.dirs ?? [])]
  const byId = new Map<string, Integration>()
  if (options.generated ?? options.builtIn !== false) {
    // Not validated one by one at start (a test validates every one of them against the pinned data).
    for (const def of grantDefinitions(await readGrantData()).definitions) byId.set(def.id, toIntegration(def, GRANT_SOURCE))
  }
  for (const dir of dirs) {
    let result: CatalogDirResult
    try {
      // The built-in files' action schemas are compiled by a test (catalog.test.ts), not at each start.
      result = await loadCatalogDir(dir, { compileInputs: dir !== BUILT_IN_CATALOG_DIR })
    } catch (err) {
      options.onError?.({ file: dir, problems: [{ field: '/', message: `folder cannot be read: ${(err as NodeJS.ErrnoException).code ?? String(err)}` }] })
      continue
    }
    for (const e of result.errors) options.onError?.(e)
    for (const integration of result.integrations) byId.set(integration.definition.id, integration)
  }
  return new Catalog(byId.values())
}
