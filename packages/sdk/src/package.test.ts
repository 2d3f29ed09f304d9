/**
 * Guards on what the SDK package is: no runtime dependencies but our own core, no Node-only API
 * (it must run in browsers), and TSDoc on everything it exports.
 */
import { readdirSync, readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import ts from 'typescript'
import { describe, expect, it } from 'vitest'

const sdkDir = fileURLToPath(new URL('..', import.meta.url))
const coreDir = fileURLToPath(new URL('../../core', import.meta.url))

function readJson(path: string): Record<string, unknown> {
  return JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>
}

function sources(dir: string): string[] {
  return readdirSync(`${dir}/src`)
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'))
    .map((f) => `${dir}/src/${f}`)
}

describe('@patchbay/sdk packaging', () => {
  it('has no runtime dependency but @patchbay/core, which has none', () => {
    const sdk = readJson(`${sdkDir}/package.json`)
    expect(sdk['dependencies']).toEqual({ '@patchbay/core': '0.1.0' })
    expect(sdk['peerDependencies']).toBeUndefined()
    const core = readJson(`${coreDir}/package.json`)
    expect(core['dependencies']).toBeUndefined()
    expect(core['peerDependencies']).toBeUndefined()
  })

  it('imports nothing but its own files and @patchbay/core, and uses no Node-only globals', () => {
    const files = [...sources(sdkDir), ...sources(coreDir)]
    expect(files.length).toBeGreaterThan(10)
    for (const file of files) {
      // Comments hold usage examples (`import … from '@patchbay/sdk'`): only code counts.
      const code = readFileSync(file, 'utf8').replace(/\/\*[\s\S]*?\*\/|\/\/.*$/gm, '')
      const specifiers = [...code.matchAll(/^\s*(?:import|export)\b[^'"]*?from\s+['"]([^'"]+)['"]/gm)].map((m) => m[1])
      for (const specifier of specifiers) {
        expect(specifier === '@patchbay/core' || specifier?.startsWith('./'), `${file} imports ${specifier}`).toBe(true)
      }
      expect(code, `${file} uses a Node-only API`).not.toMatch(/\b(?:require\(|Buffer\b|__dirname|process\.)/)
    }
  })
})

describe('@patchbay/sdk TSDoc', () => {
  it('documents every export, and every public member of the exported classes', () => {
    const program = ts.createProgram([`${sdkDir}/src/index.ts`], {
      module: ts.ModuleKind.NodeNext,
      moduleResolution: ts.ModuleResolutionKind.NodeNext,
      target: ts.ScriptTarget.ES2022,
      strict: true,
      paths: { '@patchbay/core': [`${coreDir}/src/index.ts`] },
    })
    const checker = program.getTypeChecker()
    const index = program.getSourceFile(`${sdkDir}/src/index.ts`)
    expect(index).toBeDefined()
    const moduleSymbol = checker.getSymbolAtLocation(index!)!
    const exported = checker.getExportsOfModule(moduleSymbol)
    expect(exported.length).toBeGreaterThan(40)
    const undocumented: string[] = []
    const documented = (symbol: ts.Symbol) => ts.displayPartsToString(symbol.getDocumentationComment(checker)).trim() !== ''
    for (const alias of exported) {
      const symbol = alias.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(alias) : alias
      if (!documented(symbol)) undocumented.push(alias.name)
      if (symbol.flags & ts.SymbolFlags.Class) {
        for (const [name, member] of symbol.members ?? new Map<ts.__String, ts.Symbol>()) {
          const declaration = member.declarations?.[0]
          if (declaration === undefined || name === '__constructor' || member.flags & ts.SymbolFlags.TypeParameter) continue
          const modifiers = ts.getCombinedModifierFlags(declaration)
          if (modifiers & (ts.ModifierFlags.Private | ts.ModifierFlags.Protected)) continue
          if (!documented(member)) undocumented.push(`${alias.name}.${String(name)}`)
        }
      }
    }
    expect(undocumented).toEqual([])
  })
})
