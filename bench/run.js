#!/usr/bin/env node
// Entry point of `npm run bench` (see bench/main.ts and docs/performance.md). The benchmarks are
// TypeScript run through tsx, a devDependency, so they need no build step of their own; the hub
// they measure runs from packages/hub/dist, which `npm run bench` builds first.
import { tsImport } from 'tsx/esm/api'

const { main } = await tsImport('./main.ts', import.meta.url)
// Exit explicitly: idle keep-alive sockets of the load generator must not hold the process open.
process.exit(await main(process.argv.slice(2)))
