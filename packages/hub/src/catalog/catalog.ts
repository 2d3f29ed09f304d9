import { createHash } from 'node:crypto'
import type { IntegrationDefinition } from '@patchbay/core'
import { withProxyAction } from './proxy-action.js'

/** An integration as the hub serves it: its validated definition plus derived wire facts. */
export interface Integration {
  /** The 24-hex wire id (`modelId` from the file, else derived from the definition id). */
  readonly modelId: string
  /** Marketplace path, e.g. `patchbay/github`. */
  readonly path: string
  /** Supplier display name, e.g. `Patchbay`. */
  readonly supplier: string
  /** Where the definition came from (a file path, or `admin` for runtime registrations). */
  readonly source: string
  readonly definition: IntegrationDefinition
}

/**
 * Derives the stable 24-hex wire id of a definition id. aiXplain ids are Mongo ObjectIds, and
 * some clients assume that shape, so slugs are mapped to one deterministically.
 *
 * @example
 * ```ts
 * deriveModelId('github') // always the same 24 hex characters
 * ```
 */
export function deriveModelId(definitionId: string): string {
  return createHash('sha256').update(`patchbay:integration:${definitionId}`).digest('hex').slice(0, 24)
}

/** Lower-case code of a supplier name: `Patchbay` → `patchbay`. */
export function supplierCode(name: string): string {
  return (
    name
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-|-$/g, '') || 'patchbay'
  )
}

/** Builds the served {@link Integration} of a validated definition (with the shared `REQUEST` action added, see proxy-action.ts). */
export function toIntegration(validated: IntegrationDefinition, source: string): Integration {
  const definition = withProxyAction(validated)
  const supplier = definition.supplier ?? 'Patchbay'
  return Object.freeze({
    modelId: definition.modelId ?? deriveModelId(definition.id),
    path: `${supplierCode(supplier)}/${definition.id}`,
    supplier,
    source,
    definition,
  })
}

/**
 * The set of integrations the hub serves, looked up by wire id, marketplace path or definition id.
 * Built once at start from validated definitions; immutable afterwards.
 */
export class Catalog {
  readonly #byKey = new Map<string, Integration>()
  readonly #all: Integration[] = []

  constructor(integrations: Iterable<Integration>) {
    for (const integration of integrations) {
      this.#all.push(integration)
      for (const key of [integration.modelId, integration.path, integration.definition.id]) {
        if (!this.#byKey.has(key)) this.#byKey.set(key, integration)
      }
    }
    this.#all.sort((a, b) => a.definition.name.localeCompare(b.definition.name))
  }

  /** Every integration, sorted by name. */
  list(): readonly Integration[] {
    return this.#all
  }

  /** Finds an integration by 24-hex id, path (`patchbay/github`, URL-decoded) or definition id. */
  get(idOrPath: string): Integration | undefined {
    return this.#byKey.get(idOrPath)
  }

  /** Number of integrations. */
  get size(): number {
    return this.#all.length
  }
}
