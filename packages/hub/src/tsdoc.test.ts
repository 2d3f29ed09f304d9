/**
 * Every public export of @patchbay/core and @patchbay/hub carries TSDoc (the SDK has its own,
 * stricter guard in packages/sdk/src/package.test.ts).
 */
import { fileURLToPath } from 'node:url'
import ts from 'typescript'
import { describe, expect, it } from 'vitest'

const packagesDir = fileURLToPath(new URL('../../', import.meta.url))

function undocumentedExports(pkg: 'core' | 'hub'): { count: number; missing: string[] } {
  const entry = `${packagesDir}${pkg}/src/index.ts`
  const program = ts.createProgram([entry], {
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    target: ts.ScriptTarget.ES2022,
    strict: true,
    skipLibCheck: true,
    paths: { '@patchbay/core': [`${packagesDir}core/src/index.ts`] },
  })
  const checker = program.getTypeChecker()
  const moduleSymbol = checker.getSymbolAtLocation(program.getSourceFile(entry)!)!
  const exported = checker.getExportsOfModule(moduleSymbol)
  const missing: string[] = []
  for (const alias of exported) {
    const symbol = alias.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(alias) : alias
    if (ts.displayPartsToString(symbol.getDocumentationComment(checker)).trim() === '') missing.push(alias.name)
  }
  return { count: exported.length, missing }
}

describe('TSDoc on public exports', () => {
  it.each(['core', 'hub'] as const)('@patchbay/%s documents every export', (pkg) => {
    const { count, missing } = undocumentedExports(pkg)
    expect(count).toBeGreaterThan(20)
    expect(missing).toEqual([])
  })
})
