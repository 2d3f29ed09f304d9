import { join, resolve } from 'node:path'
import { parseArgs } from 'node:util'
import { HUB_CLI, REPO_ROOT } from './processes.js'
import { SCENARIOS } from './report.js'

/** How a benchmark run is configured (from the command line). */
export interface BenchOptions {
  quick: boolean
  /** Measured repetitions of each scenario; the table shows the median. */
  rounds: number
  /** Seconds of load per measurement. */
  durationS: number
  /** Seconds of unmeasured load before the rounds (JIT, connection pools, caches). */
  warmupS: number
  /** Scenario ids to run; the others are reported as not selected. */
  only: Set<string>
  /** Admin connection string of PostgreSQL; undefined with --no-postgres. */
  postgresUrl: string | undefined
  /** Folder of the JSON and Markdown results. */
  outDir: string
  /** Scale of scenario 5. */
  integrations: number
  connections: number
  tenants: number
  /** Write a CPU profile of every hub process (node --cpu-prof). */
  profile: boolean
  /** The hub CLI entry benchmarked (another build, to compare two versions). */
  hubCli: string
}

/** Admin URL of the PostgreSQL the benchmarks use when reachable (a temp database is made in it). */
export const DEFAULT_POSTGRES_URL = 'postgres://postgres@127.0.0.1:5432/test'

/** The `--help` text. */
export const HELP = `Usage: npm run bench [-- options]

Benchmarks the hub as a separate process against a stand-in service on 127.0.0.1 and prints a
table of medians with ratios to baselines measured in the same run; writes the results as JSON
to bench/results/<timestamp>.json and latest.json, and the table as Markdown to latest.md.
Targets are shown, not enforced: the exit code is 1 only when a scenario fails to run.
See docs/performance.md.

Options:
  --quick              small data and short runs (< 30 s); what the test suite runs
  --rounds <n>         measured repetitions per scenario (default 5, quick 1)
  --duration <s>       seconds of load per measurement (default 3, quick 0.4)
  --warmup <s>         seconds of unmeasured load first (default 2, quick 0.3)
  --only <ids>         comma-separated scenario ids to run, e.g. 1,4 (others print n/a)
  --postgres-url <url> admin URL of a local PostgreSQL (default $PATCHBAY_BENCH_POSTGRES_URL or
                       ${DEFAULT_POSTGRES_URL}); a database
                       patchbay_bench_<random> is created in it and dropped afterwards
  --no-postgres        skip the PostgreSQL measurements
  --integrations <n>   scenario 5 catalog size (default 1000, quick 50)
  --connections <n>    scenario 5 connections (default 100000, quick 2000)
  --tenants <n>        scenario 5 tenants (default 100, quick 10)
  --scale <n>          scenario 5 at n connections, 1,000 per tenant (e.g. --scale 1000000;
                       --connections and --tenants still win); seeding 1M takes about a minute
  --profile            run every hub with node --cpu-prof; profiles go next to the results
  --hub <main.js>      the hub CLI to benchmark (default packages/hub/dist/cli/main.js), e.g.
                       the build of another commit, to compare two versions
  --out <dir>          results folder (default bench/results)
  -h, --help           print this help

Scenarios: ${SCENARIOS.map((s) => `${s.id} ${s.title}`).join('; ')}.`

/**
 * The number given as option `--name` (its raw text `value`), or `fallback` when it was not given.
 *
 * @throws Error saying what was wrong when it is not a number above 0 (or 0 itself, with `zero`),
 *   or not a whole one when `integer`.
 */
export function numberOption(value: string | undefined, name: string, fallback: number, integer: boolean, zero = false): number {
  if (value === undefined) return fallback
  const n = Number(value)
  if (value.trim() === '' || !Number.isFinite(n) || n < 0 || (n === 0 && !zero) || (integer && !Number.isInteger(n))) {
    throw new Error(`--${name} must be a ${zero ? 'non-negative' : 'positive'} ${integer ? 'integer' : 'number'}; got "${value}"`)
  }
  return n
}

/** Parses the command line; undefined when --help was asked for. */
export function parseOptions(argv: string[], env: NodeJS.ProcessEnv = process.env): BenchOptions | undefined {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      quick: { type: 'boolean', default: false },
      rounds: { type: 'string' },
      duration: { type: 'string' },
      warmup: { type: 'string' },
      only: { type: 'string' },
      'postgres-url': { type: 'string' },
      'no-postgres': { type: 'boolean', default: false },
      integrations: { type: 'string' },
      connections: { type: 'string' },
      tenants: { type: 'string' },
      scale: { type: 'string' },
      profile: { type: 'boolean', default: false },
      hub: { type: 'string' },
      out: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  })
  if (values.help) return undefined
  const quick = values.quick === true
  const ids = new Set<string>(SCENARIOS.map((s) => s.id))
  const only = new Set(
    (values.only ?? [...ids].join(','))
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
  )
  for (const id of only) if (!ids.has(id)) throw new Error(`--only: unknown scenario "${id}" (known: ${[...ids].join(', ')})`)
  // --scale n: n connections at the default run's 1,000 per tenant, so only the table grows.
  const scale = values.scale === undefined ? undefined : numberOption(values.scale, 'scale', 0, true)
  const tenants = numberOption(values.tenants, 'tenants', scale !== undefined ? Math.max(1, Math.floor(scale / 1_000)) : quick ? 10 : 100, true)
  const connections = numberOption(values.connections, 'connections', scale ?? (quick ? 2_000 : 100_000), true)
  if (connections < tenants * 20) throw new Error('--connections must be at least 20 × --tenants (each tenant needs a full page of 20 to list)')
  return {
    quick,
    rounds: numberOption(values.rounds, 'rounds', quick ? 1 : 5, true),
    durationS: numberOption(values.duration, 'duration', quick ? 0.4 : 3, false),
    warmupS: numberOption(values.warmup, 'warmup', quick ? 0.3 : 2, false),
    only,
    postgresUrl: values['no-postgres'] ? undefined : (values['postgres-url'] ?? (env['PATCHBAY_BENCH_POSTGRES_URL'] || DEFAULT_POSTGRES_URL)),
    outDir: values.out !== undefined ? resolve(values.out) : join(REPO_ROOT, 'bench', 'results'),
    integrations: numberOption(values.integrations, 'integrations', quick ? 50 : 1_000, true),
    connections,
    tenants,
    profile: values.profile === true,
    hubCli: values.hub !== undefined ? resolve(values.hub) : HUB_CLI,
  }
}
