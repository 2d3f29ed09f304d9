import { fileURLToPath } from 'node:url'
import { defineConfig } from 'vitest/config'

const src = (pkg: string) => fileURLToPath(new URL(`./packages/${pkg}/src/index.ts`, import.meta.url))

export default defineConfig({
  resolve: {
    // Tests run against the TypeScript sources, not a stale dist/.
    alias: { '@patchbay/core': src('core'), '@patchbay/sdk': src('sdk'), '@patchbay/connect': src('connect'), '@patchbay/hub': src('hub') },
  },
  test: {
    include: ['packages/*/src/**/*.test.ts', 'test/**/*.test.ts', 'bench/**/*.test.ts'],
    // Multi-process PostgreSQL tests start several hubs; on a busy 2-core machine one can take ~30 s.
    testTimeout: 90_000,
    hookTimeout: 60_000,
    pool: 'forks',
    setupFiles: ['test/support/block-network.ts'],
  },
})
