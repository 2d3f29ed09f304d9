// Summarises a CPU profile written by `npm run bench -- --profile` (node --cpu-prof): where the
// busy time went by area (socket writes, undici, Fastify, SQLite, ajv, the hub's code…), then the
// functions with the most self time. Plain JavaScript, like upstream-server.mjs: no loader needed.
//
// Usage: node bench/profile-summary.mjs <file.cpuprofile> [top functions, default 25]
import { readFileSync } from 'node:fs'

const [file, topArg] = process.argv.slice(2)
if (!file) {
  process.stderr.write('usage: node bench/profile-summary.mjs <file.cpuprofile> [top functions]\n')
  process.exit(2)
}
const profile = JSON.parse(readFileSync(file, 'utf8'))
const byId = new Map(profile.nodes.map((n) => [n.id, n]))
const parent = new Map()
for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id)

// Each sample goes to the first area found walking from the leaf frame up its stack.
const AREAS = [
  ['socket writes (system calls)', (f) => !f.url && /^(writev|writeLatin1String|writeUtf8String|writeBuffer|writeAsciiString)$/.test(f.functionName)],
  ['SQLite (better-sqlite3, Kysely)', (f) => /better-sqlite3|kysely/.test(f.url)],
  ['PostgreSQL client (pg)', (f) => /node_modules\/pg/.test(f.url)],
  ['ajv (JSON Schema)', (f) => /node_modules\/ajv/.test(f.url)],
  ['undici (outbound HTTP)', (f) => /node_modules\/undici/.test(f.url)],
  ['Fastify and node:http (inbound HTTP)', (f) => /fastify|find-my-way|secure-json-parse|fast-json-stringify|node:_http|avvio|pino/.test(f.url)],
  ['yaml', (f) => /node_modules\/yaml/.test(f.url)],
  ['module loading', (f) => /node:internal\/modules/.test(f.url)],
  ["the hub's own code", (f) => /packages\/hub\//.test(f.url)],
]
const SPECIAL = new Set(['(idle)', '(garbage collector)', '(program)'])

const areas = new Map()
const self = new Map()
let total = 0
profile.samples.forEach((id, i) => {
  const dt = profile.timeDeltas[i] ?? 0
  total += dt
  const leaf = byId.get(id).callFrame
  const name = `${leaf.functionName || '(anonymous)'} ${leaf.url.replace(/.*node_modules\//, '').replace(/.*packages\//, '')}:${leaf.lineNumber + 1}`
  self.set(name, (self.get(name) ?? 0) + dt)
  let area = SPECIAL.has(leaf.functionName) ? leaf.functionName : undefined
  for (let cur = id; area === undefined && cur !== undefined; cur = parent.get(cur)) {
    const f = byId.get(cur).callFrame
    area = AREAS.find(([, test]) => test(f))?.[0]
  }
  area ??= 'other (Node internals, event loop)'
  areas.set(area, (areas.get(area) ?? 0) + dt)
})

const idle = areas.get('(idle)') ?? 0
const busy = total - idle
const pct = (v) => `${((100 * v) / busy).toFixed(1).padStart(5)} %`
process.stdout.write(`${file}\n${(total / 1e6).toFixed(1)} s profiled, ${(busy / 1e6).toFixed(1)} s busy (shares below are of busy time)\n\nBy area:\n`)
for (const [k, v] of [...areas].filter(([k]) => k !== '(idle)').sort((a, b) => b[1] - a[1])) process.stdout.write(`${pct(v)}  ${k}\n`)
process.stdout.write(`\nTop functions by self time:\n`)
for (const [k, v] of [...self]
  .filter(([k]) => !k.startsWith('(idle)'))
  .sort((a, b) => b[1] - a[1])
  .slice(0, Number(topArg ?? 25))) {
  process.stdout.write(`${pct(v)}  ${k}\n`)
}
