import { createRequire } from 'node:module'
import type * as KyselyModule from 'kysely'

/**
 * The values the hub uses from Kysely, from its CommonJS build. Kysely ships both builds; its ES
 * module build is 263 files, and Node 20 loads those noticeably slower than the same code as
 * CommonJS (about 40 ms more CPU and 7 MB more resident at start, measured in a fresh process;
 * docs/performance.md, cold start). Types still come from `import type … from 'kysely'`. Kysely
 * recognises its objects by shape (an expression is anything with `toOperationNode`, a database
 * anything with `getExecutor`), so a `sql` fragment made with the ES module build, as some tests
 * do, works with a store built from this one.
 */
const kysely = createRequire(import.meta.url)('kysely') as typeof KyselyModule

/** Kysely's `Kysely` class (CommonJS build). */
export const Kysely = kysely.Kysely
/** A Kysely database handle. */
export type Kysely<DB> = KyselyModule.Kysely<DB>
/** Kysely's `sql` template tag. */
export const sql = kysely.sql
/** Kysely's `CompiledQuery` (`CompiledQuery.raw`). */
export const CompiledQuery = kysely.CompiledQuery
/** A compiled query. */
export type CompiledQuery<O = unknown> = KyselyModule.CompiledQuery<O>
/** Kysely's migration runner. */
export const Migrator = kysely.Migrator
/** Kysely's SQLite dialect. */
export const SqliteDialect = kysely.SqliteDialect
/** Kysely's PostgreSQL dialect. */
export const PostgresDialect = kysely.PostgresDialect
/** Kysely's PostgreSQL adapter (advisory locks of migrations). */
export const PostgresAdapter = kysely.PostgresAdapter
