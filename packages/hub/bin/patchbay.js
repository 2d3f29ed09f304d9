#!/usr/bin/env node
// Committed shim so `npx patchbay` exists right after `npm ci`, before the TypeScript build.
import { existsSync } from 'node:fs'
const main = new URL('../dist/cli/main.js', import.meta.url)
if (!existsSync(main)) {
  process.stderr.write('patchbay: the hub is not built yet; run `npm run build` (npm start and npm test build it for you)\n')
  process.exit(1)
}
await import(main.href)
