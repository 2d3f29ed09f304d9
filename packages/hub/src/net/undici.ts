import { createRequire } from 'node:module'
import type * as Undici from 'undici'

let loaded: typeof Undici | undefined

/**
 * The `undici` module, loaded on first use. It is about a hundred CommonJS files and 15 MB of
 * resident code, and a hub needs it only for its first outbound call, so a start does not load
 * it (docs/performance.md, cold start). `require` keeps the load synchronous, so callers that
 * build a dispatcher on demand stay synchronous; undici has no separate ES module build, so this
 * is the same module instance an `import` would give.
 *
 * @example
 * ```ts
 * const agent = new (undici().Agent)({ keepAliveTimeout: 10_000 })
 * ```
 */
export function undici(): typeof Undici {
  loaded ??= createRequire(import.meta.url)('undici') as typeof Undici
  return loaded
}
