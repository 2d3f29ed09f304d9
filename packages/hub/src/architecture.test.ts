/**
 * The shape of the hub, checked on every run: no import cycles, no import from a lower room back
 * up to a higher one, and no source file over 400 lines. docs/architecture.md explains the rooms.
 */
import { readdirSync, readFileSync } from 'node:fs'
import { dirname, join, normalize, relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import ts from 'typescript'
import { describe, expect, it } from 'vitest'

const SRC = dirname(fileURLToPath(import.meta.url))

/** Most lines a non-test source file may have. */
const MAX_LINES = 400

/**
 * The rooms of the hub, lowest first. A file may import files of its own layer or of a lower one,
 * never of a higher one. `@patchbay/core` sits below all of them (it is another package). The
 * three root files every room may need are the base layer: `ids.ts` (id generation), `config.ts`
 * (the environment, read once at the edge, and its types) and `logger.ts` (pino with redaction;
 * it needs config's LogLevel). `index.ts`, the package's public surface, sits on top with the CLI.
 */
const LAYERS: readonly (readonly string[])[] = [
  ['ids.ts', 'config.ts', 'logger.ts', 'base-url.ts', 'limits.ts'],
  ['store', 'vault', 'catalog', 'net', 'tenants', 'metrics'],
  ['auth', 'actions'],
  ['connections'],
  ['mcp', 'tools', 'agents', 'openapi', 'events'],
  ['http'],
  ['hub.ts', 'startup-checks.ts'],
  ['cli', 'index.ts'],
]

/**
 * Known violations on main while issue 10 is in flight. The rules above are not weakened for
 * them: each entry names one exact edge, cycle or file, and an entry that no longer matches a
 * violation fails the test, so the lead empties this list as the fixes merge (r-domain and after).
 */
const KNOWN_VIOLATIONS: ReadonlySet<string> = new Set<string>([])

/** The room of a file (its first folder, or the file itself at the root). */
function roomOf(file: string): string {
  return file.split('/')[0] as string
}

function layerOf(file: string): number {
  return LAYERS.findIndex((rooms) => rooms.includes(roomOf(file)))
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name)
    if (e.isDirectory()) return sourceFiles(path)
    return /\.ts$/.test(e.name) && !/\.d\.ts$/.test(e.name) && !/\.test\.ts$/.test(e.name) ? [relative(SRC, path).split('\\').join('/')] : []
  })
}

/** Relative imports of a file (static, type-only, re-exports and dynamic), as src-relative .ts paths. */
function importsOf(file: string, files: ReadonlySet<string>): string[] {
  const info = ts.preProcessFile(readFileSync(join(SRC, file), 'utf8'), true, true)
  const out = new Set<string>()
  for (const { fileName } of info.importedFiles) {
    if (!fileName.startsWith('.')) continue
    const base = normalize(join(dirname(file), fileName))
      .split('\\')
      .join('/')
    const candidates = [base.replace(/\.js$/, '.ts'), `${base}.ts`, `${base}/index.ts`]
    const hit = candidates.find((c) => files.has(c))
    if (hit) out.add(hit)
  }
  return [...out]
}

/** Strongly connected components with more than one file (or a file importing itself). Tarjan. */
function cycles(graph: ReadonlyMap<string, readonly string[]>): string[][] {
  let index = 0
  const stack: string[] = []
  const on = new Set<string>()
  const idx = new Map<string, number>()
  const low = new Map<string, number>()
  const found: string[][] = []
  const visit = (v: string): void => {
    idx.set(v, index)
    low.set(v, index++)
    stack.push(v)
    on.add(v)
    for (const w of graph.get(v) ?? []) {
      if (!idx.has(w)) {
        visit(w)
        low.set(v, Math.min(low.get(v)!, low.get(w)!))
      } else if (on.has(w)) low.set(v, Math.min(low.get(v)!, idx.get(w)!))
    }
    if (low.get(v) === idx.get(v)) {
      const scc: string[] = []
      let w: string
      do {
        w = stack.pop()!
        on.delete(w)
        scc.push(w)
      } while (w !== v)
      if (scc.length > 1 || (graph.get(v) ?? []).includes(v)) found.push(scc.sort())
    }
  }
  for (const v of [...graph.keys()].sort()) if (!idx.has(v)) visit(v)
  return found
}

/** Lines of a file as `wc -l` counts them (a final newline ends the last line, it opens none). */
function lineCount(file: string): number {
  const text = readFileSync(join(SRC, file), 'utf8')
  return text.split('\n').length - (text.endsWith('\n') ? 1 : 0)
}

const files = sourceFiles(SRC).sort()
const fileSet = new Set(files)
const graph = new Map(files.map((f) => [f, importsOf(f, fileSet)] as const))

/** Every violation of the three rules in a graph of src-relative files with their line counts. */
function violationsOf(graph: ReadonlyMap<string, readonly string[]>, lines: (file: string) => number): string[] {
  const out: string[] = []
  for (const f of graph.keys()) if (layerOf(f) < 0) out.push(`room: ${f} is in no layer; add its room to LAYERS`)
  for (const [from, tos] of graph) {
    for (const to of tos) {
      if (layerOf(to) > layerOf(from)) out.push(`layer: ${from} -> ${to}`)
    }
  }
  for (const scc of cycles(graph)) out.push(`cycle: ${scc.join(' <-> ')}`)
  for (const f of graph.keys()) if (lines(f) > MAX_LINES) out.push(`size: ${f}`)
  return out
}

describe('the shape of packages/hub/src', () => {
  const found = violationsOf(graph, lineCount)

  it('reads a real import graph', () => {
    expect(files.length).toBeGreaterThan(40)
    expect(graph.get('hub.ts')).toContain('http/server.ts')
    expect(graph.get('http/server.ts')).toContain('http/server-deps.ts')
  })

  it('has no import cycle, no import up a layer and no file over 400 lines, beyond the known list', () => {
    expect(found.filter((v) => !KNOWN_VIOLATIONS.has(v))).toEqual([])
  })

  it('lists only known violations that still exist (empty the list as they are fixed)', () => {
    expect([...KNOWN_VIOLATIONS].filter((v) => !found.includes(v))).toEqual([])
  })
})

describe('the guard itself', () => {
  it('finds a cycle and ignores an acyclic graph', () => {
    expect(
      cycles(
        new Map([
          ['a', ['b']],
          ['b', ['c']],
          ['c', ['a']],
          ['d', ['a']],
        ]),
      ),
    ).toEqual([['a', 'b', 'c']])
    expect(
      cycles(
        new Map([
          ['a', ['b']],
          ['b', []],
          ['c', ['a', 'b']],
        ]),
      ),
    ).toEqual([])
    expect(cycles(new Map([['a', ['a']]]))).toEqual([['a']])
  })

  it('ranks rooms along the chain', () => {
    expect(layerOf('store/store.ts')).toBeLessThan(layerOf('auth/oauth.ts'))
    expect(layerOf('connections/connect.ts')).toBeLessThan(layerOf('mcp/mcp-integration.ts'))
    expect(layerOf('http/server.ts')).toBeLessThan(layerOf('hub.ts'))
    expect(layerOf('ids.ts')).toBe(0)
    expect(layerOf('nowhere/x.ts')).toBe(-1)
  })

  it('reports an import up a layer, a cycle, an unknown room and a long file', () => {
    const g = new Map<string, string[]>([
      ['store/a.ts', ['http/b.ts']],
      ['http/b.ts', ['store/a.ts']],
      ['connections/c.ts', ['auth/d.ts', 'ids.ts']],
      ['auth/d.ts', []],
      ['ids.ts', []],
      ['attic/e.ts', []],
    ])
    expect(violationsOf(g, (f) => (f === 'auth/d.ts' ? 401 : 400))).toEqual([
      'room: attic/e.ts is in no layer; add its room to LAYERS',
      'layer: store/a.ts -> http/b.ts',
      'cycle: http/b.ts <-> store/a.ts',
      'size: auth/d.ts',
    ])
  })
})
