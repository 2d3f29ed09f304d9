// Hub builds and the minimal forwarder side by side, in fine-grained turns: all the processes
// run at once, and each burst of action runs (c=10) goes to each of them in turn, the order
// rotating burst by burst, so a change in the machine's load hits every one alike. Reports CPU
// time per run of each (user + system, from /proc), summed over all bursts, and each build ÷ the
// forwarder. For comparing builds on a shared machine where `npm run bench`'s 3-second rounds
// swing with other work (docs/performance.md).
//
// Options: `npx tsx bench/compare.ts --help`. Read a --profile with bench/profile-summary.mjs.
import { spawnSync } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { Pool } from 'undici'
import { generateMasterKey } from '@patchbay/hub'
import { ECHO_API_KEY, writeEchoCatalog } from './catalog.js'
import { numberOption } from './options.js'
import { RUN_BODY, checkRun, connectEcho, isRunSuccess } from './context.js'
import { HUB_CLI, startForwarder, startHubProcess, startUpstream, type ChildHandle } from './processes.js'

const USAGE = `Usage: npx tsx bench/compare.ts [options]

Runs hub builds and the minimal forwarder side by side and reports CPU time per action run of
each, and each build ÷ the forwarder (docs/performance.md, "Toward 1.5× the minimal forwarder").

Options:
  --hub <main.js>     a hub build's CLI, e.g. packages/hub/dist/cli/main.js (repeat to compare
                      builds; 'main.js|--flag' runs it with node flags). Default: this checkout's
  --forwarder=<flags> also run a minimal forwarder with these node flags ('|'-separated, e.g.
                      --forwarder=--max-semi-space-size=32), to see what a flag buys it too
                      (repeatable; ratios stay against the forwarder without flags)
  --forwarder-frame   also run the forwarder's frame alone: its key check and parse, then a fixed
                      answer without calling the service (to set against a hub build's frame)
  --bursts <n>        bursts of action runs per target (default 40)
  --runs <n>          action runs per burst, at c=10 (default 250)
  --warmup <n>        action runs per target before measuring (default 3000)
  --profile <dir>     write a CPU profile of every process into <dir> (node --cpu-prof)
  --pin               load generator and service on core 0, the measured processes on core 1
                      (taskset), so they do not take each other's core
  -h, --help          show this help`

function parseCommandLine() {
  const { values } = parseArgs({
    options: {
      hub: { type: 'string', multiple: true },
      forwarder: { type: 'string', multiple: true },
      'forwarder-frame': { type: 'boolean', default: false },
      bursts: { type: 'string' },
      runs: { type: 'string' },
      warmup: { type: 'string' },
      profile: { type: 'string' },
      pin: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  })
  return {
    ...values,
    bursts: numberOption(values.bursts, 'bursts', 40, true),
    runs: numberOption(values.runs, 'runs', 250, true),
    warmup: numberOption(values.warmup, 'warmup', 3000, true, true),
  }
}
let values: ReturnType<typeof parseCommandLine>
try {
  values = parseCommandLine()
} catch (err) {
  console.error(`compare: ${(err as Error).message}\n\n${USAGE}`)
  process.exit(2)
}
if (values.help) {
  console.log(USAGE)
  process.exit(0)
}
const clis = values.hub?.length ? values.hub : [HUB_CLI]
const bursts = values.bursts
const runsPerBurst = values.runs
const warmup = values.warmup
const nodeArgs = values.profile ? ['--cpu-prof', `--cpu-prof-dir=${values.profile}`] : []

interface Target {
  label: string
  child: ChildHandle
  pool: Pool
  connectionId: string
  cpuMs: number
  runs: number
}

/** Sends `n` action runs at concurrency 10 and checks every answer. */
async function burst(t: Target, apiKey: string, n: number): Promise<void> {
  let left = n
  const worker = async () => {
    while (left-- > 0) {
      const res = await t.pool.request({
        method: 'POST',
        path: `/api/v2/execute/${t.connectionId}`,
        headers: { 'x-api-key': apiKey, 'content-type': 'application/json' },
        body: RUN_BODY,
      })
      const text = await res.body.text()
      if (res.statusCode !== 200 || !isRunSuccess(text)) throw new Error(`${t.label}: run answered HTTP ${res.statusCode}: ${text.slice(0, 300)}`)
    }
  }
  await Promise.all(Array.from({ length: 10 }, worker))
}

const dir = await mkdtemp(join(tmpdir(), 'patchbay-compare-'))
const upstream = await startUpstream()
const targets: Target[] = []
try {
  const catalogDir = join(dir, 'catalog')
  await writeEchoCatalog(catalogDir, upstream.url)
  const masterKey = generateMasterKey()
  const apiKey = `pb_bench_${Date.now()}`
  const fwdId = '0'.repeat(24)
  // The forwarder without flags first: every ratio is against it.
  for (const flags of ['', ...(values.forwarder ?? [])]) {
    const child = await startForwarder({ upstreamUrl: upstream.url, apiKey, credentials: { [fwdId]: ECHO_API_KEY }, nodeArgs: [...nodeArgs, ...(flags ? flags.split('|') : [])] })
    const label = flags ? `minimal forwarder (${flags})` : 'minimal forwarder'
    targets.push({ label, child, pool: new Pool(child.url, { connections: 10 }), connectionId: fwdId, cpuMs: 0, runs: 0 })
  }
  if (values['forwarder-frame']) {
    const child = await startForwarder({ upstreamUrl: upstream.url, apiKey, credentials: { [fwdId]: ECHO_API_KEY }, nodeArgs, frameOnly: true })
    targets.push({ label: 'minimal forwarder, frame only', child, pool: new Pool(child.url, { connections: 10 }), connectionId: fwdId, cpuMs: 0, runs: 0 })
  }
  for (const [i, cli] of clis.entries()) {
    const dataDir = await mkdtemp(join(dir, 'hub-'))
    // `--hub 'main.js|--max-semi-space-size=8'`: that build with those node flags.
    const [path, ...flags] = cli.split('|') as [string, ...string[]]
    const child = await startHubProcess({
      name: `hub ${i + 1}`,
      dataDir,
      masterKey,
      apiKey,
      catalogDirs: [catalogDir],
      cli: path,
      timeoutMs: 180_000,
      nodeArgs: [...nodeArgs, ...flags],
    })
    const connectionId = await connectEcho(child.url, apiKey, 'bench-compare')
    targets.push({ label: `hub ${i + 1} (${cli})`, child, pool: new Pool(child.url, { connections: 10 }), connectionId, cpuMs: 0, runs: 0 })
  }
  if (values.pin) {
    // The measured processes on the second core, this driver and the stand-in service on the first:
    // a measured process then never shares its core's caches with the load it is measured under.
    const pin = (core: string, pid: number) => spawnSync('taskset', ['-a', '-p', '-c', core, String(pid)], { stdio: 'ignore' })
    pin('0', process.pid)
    pin('0', upstream.pid)
    for (const t of targets) pin('1', t.child.pid)
  }
  if (process.env.COMPARE_PIDS) process.stderr.write(`pids: ${targets.map((t) => `${t.label}=${t.child.pid}`).join(' ')}\n`)
  for (const t of targets) {
    await checkRun(t.child.url, apiKey, t.connectionId)
    await burst(t, apiKey, warmup)
  }
  for (let b = 0; b < bursts; b++) {
    for (let i = 0; i < targets.length; i++) {
      const t = targets[(b + i) % targets.length] as Target
      const before = await t.child.cpuMs()
      await burst(t, apiKey, runsPerBurst)
      const after = await t.child.cpuMs()
      if (before === undefined || after === undefined) throw new Error('CPU time needs /proc')
      t.cpuMs += after - before
      t.runs += runsPerBurst
    }
  }
  const fwdUs = ((targets[0] as Target).cpuMs * 1000) / (targets[0] as Target).runs
  for (const t of targets) {
    const us = (t.cpuMs * 1000) / t.runs
    process.stdout.write(`${t.label}\t${us.toFixed(1)} µs CPU per run over ${t.runs} runs\t${(us / fwdUs).toFixed(2)}× the forwarder\n`)
  }
} finally {
  for (const t of targets) {
    await t.pool.close()
    await t.child.stop()
  }
  await upstream.stop()
  await rm(dir, { recursive: true, force: true })
}
process.exit(0)
