/**
 * Guards on what the Connect helper package is: no runtime dependencies, nothing imported but its
 * own files, no Node-only API (it runs in browsers), and TSDoc on everything it exports.
 */
import { readdirSync, readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import ts from 'typescript'
import { describe, expect, it } from 'vitest'

const dir = fileURLToPath(new URL('..', import.meta.url))

describe('@patchbay/connect packaging', () => {
  it('has no runtime dependency and imports only its own files, with no Node-only globals', () => {
    const pkg = JSON.parse(readFileSync(`${dir}/package.json`, 'utf8')) as Record<string, unknown>
    expect(pkg['dependencies']).toBeUndefined()
    expect(pkg['peerDependencies']).toBeUndefined()
    const files = readdirSync(`${dir}/src`).filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'))
    expect(files.length).toBeGreaterThanOrEqual(3)
    for (const file of files) {
      const code = readFileSync(`${dir}/src/${file}`, 'utf8').replace(/\/\*[\s\S]*?\*\/|\/\/.*$/gm, '')
      for (const m of code.matchAll(/^\s*(?:import|export)\b[^'"]*?from\s+['"]([^'"]+)['"]/gm)) expect(m[1]?.startsWith('./'), `${file} imports ${m[1]}`).toBe(true)
      expect(code, `${file} uses a Node-only API`).not.toMatch(/\b(?:require\(|Buffer\b|__dirname|process\.)/)
    }
  })

  it('documents every export', () => {
    const program = ts.createProgram([`${dir}/src/index.ts`], {
      module: ts.ModuleKind.NodeNext,
      moduleResolution: ts.ModuleResolutionKind.NodeNext,
      target: ts.ScriptTarget.ES2022,
      strict: true,
    })
    const checker = program.getTypeChecker()
    const moduleSymbol = checker.getSymbolAtLocation(program.getSourceFile(`${dir}/src/index.ts`)!)!
    const exported = checker.getExportsOfModule(moduleSymbol)
    expect(exported.length).toBeGreaterThan(10)
    const undocumented = exported
      .map((alias) => (alias.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(alias) : alias))
      .filter((symbol) => ts.displayPartsToString(symbol.getDocumentationComment(checker)).trim() === '')
      .map((s) => s.name)
    expect(undocumented).toEqual([])
  })
})
