/**
 * The packages as a user gets them: `npm pack` core and sdk, install the tarballs into a fresh
 * folder outside the repository (offline: neither has a registry dependency), then type-check and
 * run the SDK README's TypeScript example against a real hub. The hub's tarball is checked for
 * what `npx @patchbay/hub serve` needs and for what must not ship.
 *
 * Packs with `--ignore-scripts`: `npm test` has just built dist/, and a `prepack` rebuild here
 * would rewrite dist/ under the other test files that run in parallel.
 */
import { execFile } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { call, startTestHub, type TestHub } from '../support/test-hub.js'
import { startUpstream, type Upstream } from '../support/upstream.js'

const execFileAsync = promisify(execFile)

/** execFile that puts the command's output into the error, so a failing tsc or npm says why. */
async function run(file: string, args: string[], options: Parameters<typeof execFileAsync>[2] = {}): Promise<{ stdout: string }> {
  try {
    const { stdout } = await execFileAsync(file, args, { ...options, encoding: 'utf8' })
    return { stdout: String(stdout) }
  } catch (err) {
    const e = err as { stdout?: string; stderr?: string; message: string }
    throw new Error(`${e.message}\n${e.stdout ?? ''}\n${e.stderr ?? ''}`)
  }
}
const repo = fileURLToPath(new URL('../..', import.meta.url))
const tsc = join(repo, 'node_modules/typescript/bin/tsc')
const tsx = join(repo, 'node_modules/tsx/dist/cli.mjs')

interface PackedFile {
  path: string
}
interface Packed {
  name: string
  filename: string
  files: PackedFile[]
}

let work: string
let app: string
let packed: Packed[]
let hub: TestHub
let upstream: Upstream

function tarball(name: string): Packed {
  const p = packed.find((x) => x.name === name)
  if (!p) throw new Error(`npm pack made no tarball for ${name}`)
  return p
}

/** The first ```ts block of a README. */
async function firstTsBlock(readme: string): Promise<string> {
  const text = await readFile(readme, 'utf8')
  const m = /```ts\n([\s\S]*?)```/.exec(text)
  if (!m?.[1]) throw new Error(`${readme} has no \`\`\`ts example`)
  return m[1]
}

beforeAll(async () => {
  for (const p of ['core', 'sdk', 'connect', 'hub']) {
    if (!existsSync(join(repo, `packages/${p}/dist/index.js`))) throw new Error(`packages/${p}/dist is missing: run npm run build first`)
  }
  work = await mkdtemp(join(tmpdir(), 'patchbay-pack-'))
  const { stdout } = await run(
    'npm',
    ['pack', '-w', '@patchbay/core', '-w', '@patchbay/sdk', '-w', '@patchbay/connect', '-w', '@patchbay/hub', '--ignore-scripts', '--json', '--pack-destination', work],
    {
      cwd: repo,
      maxBuffer: 16 * 1024 * 1024,
    },
  )
  packed = JSON.parse(stdout) as Packed[]
  app = join(work, 'app')
  await mkdir(app)
  await writeFile(join(app, 'package.json'), JSON.stringify({ name: 'app', private: true, type: 'module' }))
  // --offline: the install must need nothing but the two tarballs.
  await run(
    'npm',
    ['install', '--offline', '--no-audit', '--no-fund', '--no-package-lock', join(work, tarball('@patchbay/core').filename), join(work, tarball('@patchbay/sdk').filename)],
    { cwd: app },
  )
  upstream = await startUpstream((req) => (req.path === '/get' ? { body: { url: req.url } } : undefined))
  hub = await startTestHub()
}, 60_000)

afterAll(async () => {
  await hub?.close()
  await upstream?.close()
  if (work) await rm(work, { recursive: true, force: true })
})

describe('@patchbay/core and @patchbay/sdk installed from their tarballs', () => {
  it('install outside the repository and resolve there, not to the workspace', async () => {
    expect(relative(repo, app).startsWith('..')).toBe(true)
    const { stdout } = await run('node', ['--input-type=module', '-e', "console.log(import.meta.resolve('@patchbay/sdk'))"], { cwd: app })
    expect(fileURLToPath(stdout.trim()).startsWith(join(app, 'node_modules/@patchbay/sdk/'))).toBe(true)
    for (const name of ['@patchbay/core', '@patchbay/sdk']) {
      const pkg = JSON.parse(await readFile(join(app, 'node_modules', name, 'package.json'), 'utf8')) as Record<string, any>
      expect(existsSync(join(app, 'node_modules', name, pkg['exports']['.']['types']))).toBe(true)
      expect(existsSync(join(app, 'node_modules', name, pkg['exports']['.']['default']))).toBe(true)
      expect(existsSync(join(app, 'node_modules', name, 'LICENSE'))).toBe(true)
      expect(existsSync(join(app, 'node_modules', name, 'README.md'))).toBe(true)
    }
  })

  it("type-checks and runs the SDK README's TypeScript example against a hub", async () => {
    const example = await firstTsBlock(join(repo, 'packages/sdk/README.md'))
    expect(example).toContain("'https://httpbin.org'")
    // The example's service, swapped for a stand-in on 127.0.0.1 (tests reach nothing else).
    await writeFile(join(app, 'example.mts'), example.replace("'https://httpbin.org'", `'${upstream.url}'`))
    // Types come from the installed tarballs' declarations only.
    await run('node', [tsc, '--noEmit', '--strict', '--target', 'es2022', '--module', 'nodenext', '--moduleResolution', 'nodenext', '--lib', 'es2023,dom', 'example.mts'], {
      cwd: app,
    })

    const env: NodeJS.ProcessEnv = { PATH: process.env['PATH'], HOME: process.env['HOME'], TEAM_API_KEY: hub.key, BACKEND_URL: hub.url }
    const { stdout } = await run('node', [tsx, 'example.mts'], { cwd: app, env, timeout: 30_000 })
    const lines = stdout.trim().split('\n')
    expect(lines[0]).toMatch(/^Integration: HTTP API by Patchbay \(id=[0-9a-f]{24}\)$/)
    expect(lines[1]).toBe("[ 'REQUEST' ]")
    expect(lines[2]).toBe('SUCCESS 200')
    expect(upstream.received.map((r) => `${r.method} ${r.path}`)).toEqual(['GET /get'])
    // The example ends with tool.delete(): the hub has no connection left.
    const left = await call(hub, 'POST', '/sdk/models/paginate', { functions: ['connection'] })
    expect(left.status).toBe(200)
    expect(left.body.total).toBe(0)
  }, 60_000)
})

describe('@patchbay/connect tarball', () => {
  it('carries its build, LICENSE and README, and has no runtime dependency', async () => {
    const files = tarball('@patchbay/connect').files.map((f) => f.path)
    for (const f of ['dist/index.js', 'dist/index.d.ts', 'dist/open-connect.js', 'dist/messages.js', 'LICENSE', 'README.md', 'package.json']) expect(files, f).toContain(f)
    const pkg = JSON.parse(await readFile(join(repo, 'packages/connect/package.json'), 'utf8')) as Record<string, unknown>
    expect(pkg['dependencies']).toBeUndefined()
    expect(pkg['peerDependencies']).toBeUndefined()
  })
})

describe('@patchbay/hub tarball', () => {
  it('carries the CLI, the built-in catalog and its parsed form, LICENSE and README', () => {
    const files = tarball('@patchbay/hub').files.map((f) => f.path)
    for (const f of [
      'dist/cli/main.js',
      'bin/patchbay.js',
      'dist/index.js',
      'dist/index.d.ts',
      'dist/catalog/built-in-parsed.json',
      'catalog/github.yaml',
      'catalog/http-api.yaml',
      'LICENSE',
      'README.md',
      'package.json',
    ]) {
      expect(files, f).toContain(f)
    }
  })

  it('ships no tests, no sources and no build info, and no output of a deleted source', () => {
    for (const p of ['core', 'sdk', 'connect', 'hub']) {
      const files = tarball(`@patchbay/${p}`).files.map((f) => f.path)
      const bad = files.filter((f) => /\.test\.|-contract\.|\.tsbuildinfo$|^src\/|^test\//.test(f))
      expect(bad, `@patchbay/${p}`).toEqual([])
      // Every compiled file has its source: a renamed or deleted file's stale output would ship.
      const stale = files
        .filter((f) => f.startsWith('dist/') && f.endsWith('.js'))
        .filter((f) => !existsSync(join(repo, `packages/${p}/src`, f.slice('dist/'.length).replace(/\.js$/, '.ts'))))
      expect(stale, `@patchbay/${p}: run rm -rf packages/${p}/dist && npm run build`).toEqual([])
    }
  })

  it('names its bin so `npx @patchbay/hub` runs it, and builds before packing', async () => {
    const pkg = JSON.parse(await readFile(join(repo, 'packages/hub/package.json'), 'utf8')) as Record<string, any>
    // npx runs a package's only bin whatever its name.
    expect(Object.keys(pkg['bin'])).toEqual(['patchbay'])
    expect(pkg['scripts']['prepack']).toContain('parse-built-in-catalog')
    for (const p of ['core', 'sdk', 'connect', 'hub']) {
      const meta = JSON.parse(await readFile(join(repo, `packages/${p}/package.json`), 'utf8')) as Record<string, any>
      expect(meta['publishConfig'], p).toEqual({ access: 'public' })
      expect(meta['engines'], p).toEqual({ node: '>=20.18.1' })
      expect(meta['scripts']['prepack'], p).toMatch(/^tsc -b/)
      expect(meta['repository']['directory'], p).toBe(`packages/${p}`)
    }
  })
})
