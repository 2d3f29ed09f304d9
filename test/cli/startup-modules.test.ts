import { spawn } from 'node:child_process'
import { mkdtemp, readFile, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'

// What a default start loads (docs/performance.md, cold start): a SQLite hub that has served no
// request yet loads none of the packages below; each is loaded on its first use instead.
const MAIN = new URL('../../packages/hub/dist/cli/main.js', import.meta.url).pathname
const NOT_AT_START = [
  'undici', // first outbound call
  'prom-client', // only with PATCHBAY_METRICS_TOKEN
  '@opentelemetry/api',
  'ajv', // first validation or serialised response
  'ajv-formats',
  '@fastify/ajv-compiler',
  '@fastify/fast-json-stringify-compiler', // (Fastify's error serialiser uses only fast-json-stringify's runtime)
  '@fastify/swagger', // first /openapi.json or /docs request
  '@fastify/swagger-ui',
  '@fastify/static',
  'yaml', // built-in YAML is parsed at build time
  '@modelcontextprotocol/sdk', // first MCP use
  'zod',
  'pg', // only with a postgres:// URL
  'pg-boss',
  '@apidevtools/swagger-parser', // first OpenAPI import
]

let dir: string
let preload: string

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'pb-startup-modules-'))
  // ES modules are seen by a load hook (it runs on the loader's thread), CommonJS ones in require's cache at exit.
  const hooks = join(dir, 'hooks.mjs')
  await writeFile(
    hooks,
    "import { appendFileSync } from 'node:fs'\nexport async function load(url, context, next) {\n  appendFileSync(process.env.RECORD_MODULES, url + '\\n')\n  return next(url, context)\n}\n",
  )
  preload = join(dir, 'preload.mjs')
  await writeFile(
    preload,
    [
      "import { appendFileSync } from 'node:fs'",
      "import { createRequire, register } from 'node:module'",
      `register(${JSON.stringify(`file://${hooks}`)})`,
      'const cache = createRequire(import.meta.url).cache',
      "process.on('exit', () => appendFileSync(process.env.RECORD_MODULES, Object.keys(cache).join('\\n') + '\\n'))",
    ].join('\n'),
  )
})

/** Runs the CLI with `args`, stops it once `until` is printed (or lets it exit), and returns the packages it loaded. */
async function packagesLoaded(args: string[], until: RegExp | undefined, env: Record<string, string> = {}): Promise<Set<string>> {
  return (await modulesLoaded(args, until, env)).packages
}

/** Runs the CLI as {@link packagesLoaded} does and returns the packages and every module file it loaded. */
async function modulesLoaded(args: string[], until: RegExp | undefined, env: Record<string, string> = {}): Promise<{ packages: Set<string>; files: string[] }> {
  const record = join(dir, `modules-${Date.now()}-${Math.random()}.txt`)
  await writeFile(record, '')
  const child = spawn(process.execPath, ['--import', preload, MAIN, ...args], {
    env: { ...process.env, RECORD_MODULES: record, PATCHBAY_PORT: '0', PATCHBAY_HOST: '127.0.0.1', PATCHBAY_LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let out = ''
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve))
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no "${until}" within 30 s:\n${out}`)), 30_000)
    const onData = (d: Buffer) => {
      out += d.toString()
      if (until?.test(out)) {
        clearTimeout(timer)
        child.kill('SIGTERM')
        resolve()
      }
    }
    child.stdout.on('data', onData)
    child.stderr.on('data', onData)
    void exited.then((code) => {
      clearTimeout(timer)
      if (until && !until.test(out)) reject(new Error(`exited ${code} before "${until}":\n${out}`))
      else resolve()
    })
  })
  await exited
  const files = (await readFile(record, 'utf8')).split('\n').filter(Boolean)
  const packages = new Set<string>()
  for (const line of files) {
    const m = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(line)
    if (m) packages.add(m[1] as string)
  }
  return { packages, files }
}

describe('what a start loads', () => {
  it('patchbay serve on SQLite with the full catalog loads none of the packages used only later', async () => {
    const dataDir = await mkdtemp(join(dir, 'data-'))
    const { packages: loaded, files } = await modulesLoaded(['serve'], /Point clients at it/, { PATCHBAY_DATA_DIR: dataDir })
    // The recording works: what every start needs is there.
    expect(loaded).toContain('fastify')
    expect(loaded).toContain('kysely')
    expect(loaded).toContain('better-sqlite3')
    expect(NOT_AT_START.filter((p) => loaded.has(p))).toEqual([])
    // Kysely is loaded as CommonJS (store/kysely.ts): a value imported from 'kysely' in an ES
    // module would load its 263-file ES module build as well.
    expect(files.filter((f) => f.includes('/node_modules/kysely/dist/cjs/')).length).toBeGreaterThan(0)
    expect(files.filter((f) => f.includes('/node_modules/kysely/dist/esm/'))).toEqual([])
  })

  it('a command other than serve does not load the server', async () => {
    const loaded = await packagesLoaded(['integrations', 'list', '--query', 'github'], undefined)
    expect(loaded).toContain('commander')
    expect(loaded.has('fastify')).toBe(false)
    expect(loaded.has('undici')).toBe(false)
  })
})
