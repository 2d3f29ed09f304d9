import { createRequire } from 'node:module'
import type { Ajv, Options } from 'ajv'
import type * as AjvModule from 'ajv'
import type * as AjvFormats from 'ajv-formats'

const require = createRequire(import.meta.url)

/**
 * A new Ajv instance with ajv-formats' formats (email, uri, date-time…), as every validator of the
 * hub uses. Ajv is loaded on the first call, not when a module that validates is imported: a hub
 * compiles no JSON Schema at start (built-in definitions are validated at build time, action
 * input schemas on an action's first run, Fastify's route schemas on a route's first request), so
 * a start does not load Ajv's ~60 files (docs/performance.md, cold start). Both packages are
 * CommonJS; `require` keeps the callers synchronous.
 *
 * @example
 * ```ts
 * const validate = createAjv({ allErrors: true, strict: false }).compile({ type: 'string', format: 'email' })
 * ```
 */
export function createAjv(options: Options): Ajv {
  const { Ajv } = require('ajv') as typeof AjvModule
  const addFormats = require('ajv-formats') as typeof AjvFormats
  return addFormats.default(new Ajv(options))
}
