import { randomBytes } from 'node:crypto'
import { existsSync, rmSync } from 'node:fs'
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises'
import { cpus, platform, tmpdir, totalmem } from 'node:os'
import { join, relative } from 'node:path'
import { performance } from 'node:perf_hooks'
import { generateMasterKey } from '@patchbay/hub'
import { writeEchoCatalog } from './catalog.js'
import type { BenchContext } from './context.js'
import { HELP, parseOptions, type BenchOptions } from './options.js'
import { HUB_CLI, REPO_ROOT, startUpstream } from './processes.js'
import { SCENARIOS, formatMarkdown, formatTable, type BenchResults, type ScenarioResult } from './report.js'
import { SCENARIO_MODULES } from './scenarios/index.js'

/** Where the hub, the stand-in service and the load generator run: one machine, shared cores. */
const PLACEMENT =
  'hub, stand-in service and load generator (autocannon, in the benchmark process) are separate processes on ' +
  'the same machine, talking over 127.0.0.1 with keep-alive; they share its cores'

function stamp(d: Date): string {
  return d.toISOString().replace(/[:.]/g, '-')
}

async function runScenarios(options: BenchOptions, log: (line: string) => void): Promise<BenchResults> {
  const startedAt = new Date()
  const started = performance.now()
  const tmpDir = await mkdtemp(join(tmpdir(), 'patchbay-bench-'))
  // Whatever way this process ends, its temp folder goes (children are killed in processes.ts).
  const cleanup = () => rmSync(tmpDir, { recursive: true, force: true })
  process.once('exit', cleanup)
  const upstream = await startUpstream()
  const scenarios: ScenarioResult[] = []
  try {
    const echoCatalogDir = join(tmpDir, 'catalog-echo')
    await writeEchoCatalog(echoCatalogDir, upstream.url)
    const profileDir = options.profile ? join(options.outDir, 'profiles', stamp(startedAt)) : undefined
    let current = ''
    const ctx: BenchContext = {
      options,
      upstream,
      tmpDir,
      echoCatalogDir,
      masterKey: generateMasterKey(),
      apiKey: `pb_bench_${randomBytes(24).toString('hex')}`,
      profileDir,
      progress: (message) => log(`${current}: ${message}`),
    }
    for (const s of SCENARIOS) {
      const module = SCENARIO_MODULES[s.key]
      if (!module) throw new Error(`scenario ${s.key} has no module in bench/scenarios/index.ts`)
      const base = { id: s.id, key: s.key, title: s.title, measures: module.measures }
      if (!options.only.has(s.id)) {
        scenarios.push({ ...base, status: 'n/a', error: 'not selected (--only)', durationMs: 0, metrics: [] })
        continue
      }
      current = `${s.id}. ${s.title}`
      log(`${current}: started`)
      const t0 = performance.now()
      try {
        const out = await module.run(ctx)
        const failed = out.metrics.some((m) => m.status === 'failed')
        const allNa = out.metrics.every((m) => m.status === 'n/a')
        scenarios.push({ ...base, status: failed ? 'failed' : allNa ? 'n/a' : 'ok', durationMs: Math.round(performance.now() - t0), metrics: out.metrics, details: out.details })
      } catch (err) {
        const message = (err as Error).message ?? String(err)
        log(`${current}: FAILED: ${message}`)
        scenarios.push({
          ...base,
          status: 'failed',
          error: message.split('\n')[0] ?? message,
          durationMs: Math.round(performance.now() - t0),
          metrics: [],
          details: { error: message },
        })
      }
      log(`${current}: done in ${((performance.now() - t0) / 1000).toFixed(1)} s`)
    }
  } finally {
    await upstream.stop()
    cleanup()
    process.removeListener('exit', cleanup)
  }
  const cpu = cpus()
  return {
    schema: 'patchbay-bench/1',
    mode: options.quick ? 'quick' : 'full',
    startedAt: startedAt.toISOString(),
    durationMs: Math.round(performance.now() - started),
    machine: {
      cpus: cpu.length,
      cpuModel: cpu[0]?.model ?? 'unknown',
      node: process.version,
      platform: `${platform()} ${process.arch}`,
      memoryMB: Math.round(totalmem() / 2 ** 20),
    },
    settings: {
      rounds: options.rounds,
      durationS: options.durationS,
      warmupS: options.warmupS,
      only: [...options.only],
      postgres: options.postgresUrl !== undefined,
      integrations: options.integrations,
      connections: options.connections,
      tenants: options.tenants,
      profile: options.profile,
      hub: relative(REPO_ROOT, options.hubCli),
    },
    placement: PLACEMENT,
    scenarios,
  }
}

/** The Markdown report: the machine, the table, and what each scenario measures. */
export function markdownReport(results: BenchResults): string {
  const m = results.machine
  return [
    `Run of ${results.startedAt} (${results.mode} mode, ${Math.round(results.durationMs / 1000)} s): ${m.cpus} × ${m.cpuModel}, ` +
      `${Math.round(m.memoryMB / 1024)} GB, Node ${m.node}, ${m.platform}. Medians of ${String(results.settings['rounds'])} rounds of ` +
      `${String(results.settings['durationS'])} s each; ratios are to the baseline measured in the same run.`,
    '',
    formatMarkdown(results.scenarios),
    '',
    ...results.scenarios.map((s) => `- **${s.id}. ${s.title}**: ${s.measures}`),
    '',
  ].join('\n')
}

/**
 * Runs the benchmarks with command-line `argv` and returns the exit code: 0 when every selected
 * scenario ran (targets missed included: they are shown, not enforced), 1 when one failed, 2 for
 * bad options.
 */
export async function main(argv: string[]): Promise<number> {
  let options: BenchOptions | undefined
  try {
    options = parseOptions(argv)
  } catch (err) {
    process.stderr.write(`bench: ${(err as Error).message}\n(run with --help for usage)\n`)
    return 2
  }
  if (!options) {
    process.stdout.write(`${HELP}\n`)
    return 0
  }
  if (!existsSync(options.hubCli)) {
    process.stderr.write(
      options.hubCli === HUB_CLI
        ? `bench: the hub is not built (${relative(REPO_ROOT, HUB_CLI)} is missing); run \`npm run build\`, or use \`npm run bench\`, which builds first\n`
        : `bench: --hub ${options.hubCli} does not exist\n`,
    )
    return 2
  }
  // Ctrl-C: exit through process.exit so the exit handlers stop the children and remove temp files.
  process.once('SIGINT', () => process.exit(130))
  process.once('SIGTERM', () => process.exit(143))

  const t0 = performance.now()
  const log = (line: string) => process.stderr.write(`[bench +${((performance.now() - t0) / 1000).toFixed(1)}s] ${line}\n`)
  log(`${options.quick ? 'quick' : 'full'} mode: ${options.rounds} round(s) of ${options.durationS} s after ${options.warmupS} s of warm-up`)
  const results = await runScenarios(options, log)

  await mkdir(options.outDir, { recursive: true })
  const json = `${JSON.stringify(results, null, 2)}\n`
  const file = join(options.outDir, `${stamp(new Date(results.startedAt))}${results.mode === 'quick' ? '-quick' : ''}.json`)
  await writeFile(file, json)
  await writeFile(join(options.outDir, 'latest.json'), json)
  await writeFile(join(options.outDir, 'latest.md'), markdownReport(results))

  const m = results.machine
  process.stdout.write(
    `\nPatchbay benchmarks, ${results.mode} mode, ${(results.durationMs / 1000).toFixed(1)} s — ${m.cpus} × ${m.cpuModel}, Node ${m.node}\n` +
      `(${PLACEMENT})\n\n${formatTable(results.scenarios)}\n\n` +
      `Results: ${relative(process.cwd(), file) || file} (also latest.json, latest.md)\n`,
  )
  const failed = results.scenarios.filter((s) => s.status === 'failed')
  if (failed.length) process.stderr.write(`bench: ${failed.length} scenario(s) failed: ${failed.map((s) => s.id).join(', ')}\n`)
  return failed.length ? 1 : 0
}
