import { median, round } from './stats.js'

/** A target a metric is held to: a bound on its median, or on its ratio to the baseline. */
export interface Target {
  /** As printed, e.g. `≤ 0.5 ms`, `≥ 50% of direct`. */
  text: string
  of: 'value' | 'ratio'
  min?: number
  max?: number
}

/** A measured quantity: the median of one sample per round. */
export interface Measured {
  median: number
  samples: number[]
}

/** One row of the results table. */
export interface Metric {
  name: string
  unit: string
  /** `n/a`: not measurable yet (e.g. needs OAuth 2) or not here (no PostgreSQL); `failed`: it broke. */
  status: 'ok' | 'n/a' | 'failed'
  reason?: string
  value?: Measured
  baseline?: Measured & { label: string }
  /** Median over rounds of value ÷ baseline, each pair measured in the same round. */
  ratio?: number
  target?: Target & { met: boolean | null }
  note?: string
}

/** What one scenario produced. */
export interface ScenarioResult {
  id: string
  key: string
  title: string
  /** What it measures, in a sentence (also shown in docs/performance.md). */
  measures: string
  status: 'ok' | 'n/a' | 'failed'
  error?: string
  durationMs: number
  metrics: Metric[]
  /** Scenario-specific facts (sizes, per-round raw figures). */
  details?: Record<string, unknown>
}

/** The JSON written to bench/results/<timestamp>.json. */
export interface BenchResults {
  schema: 'patchbay-bench/1'
  mode: 'quick' | 'full'
  startedAt: string
  durationMs: number
  machine: { cpus: number; cpuModel: string; node: string; platform: string; memoryMB: number }
  settings: Record<string, unknown>
  placement: string
  scenarios: ScenarioResult[]
}

/** Scenario ids and keys, in order; every run's JSON has exactly these. */
export const SCENARIOS = [
  { id: '1', key: 'action-overhead', title: 'Action run overhead' },
  { id: '2', key: 'connects', title: 'Connects per second' },
  { id: '3', key: 'cold-start', title: 'Cold start' },
  { id: '4', key: 'memory', title: 'Memory' },
  { id: '5', key: 'data-scale', title: 'Scale of data' },
  { id: '6', key: 'refresh-storm', title: 'Refresh storm' },
  { id: '7', key: 'scale-out', title: 'Scale-out' },
  { id: '8', key: 'catalog-start', title: 'Full-catalog start' },
  { id: '9', key: 'triggers', title: 'Triggers' },
  { id: '10', key: 'inbound-webhooks', title: 'Inbound webhooks' },
  { id: '11', key: 'run-log', title: 'Run log cost (scenario 1, log on vs off)' },
] as const

/** Builds a measured metric from per-round samples, with its ratio to a paired baseline and its target. */
export function measured(options: { name: string; unit: string; samples: number[]; baseline?: { label: string; samples: number[] }; target?: Target; note?: string }): Metric {
  const value = { median: median(options.samples), samples: options.samples.map((s) => round(s, 4)) }
  const m: Metric = { name: options.name, unit: options.unit, status: 'ok', value }
  if (options.baseline) {
    const b = options.baseline
    m.baseline = { label: b.label, median: median(b.samples), samples: b.samples.map((s) => round(s, 4)) }
    const paired = b.samples.length === options.samples.length
    m.ratio = paired ? median(options.samples.map((s, i) => s / (b.samples[i] as number))) : value.median / m.baseline.median
  }
  if (options.target) {
    const t = options.target
    const x = t.of === 'ratio' ? m.ratio : value.median
    const met = x === undefined || Number.isNaN(x) ? null : (t.min === undefined || x >= t.min) && (t.max === undefined || x <= t.max)
    m.target = { ...t, met }
  }
  if (options.note) m.note = options.note
  return m
}

/**
 * A {@link measured} metric against a bare Node process started the same way (the baseline of
 * the start and memory scenarios), with `max` as the bound on its median.
 */
export function vsBareNode(name: string, unit: string, samples: number[], bare: number[], max: number): Metric {
  return measured({ name, unit, samples, baseline: { label: 'bare node', samples: bare }, target: { text: `≤ ${max.toLocaleString('en-US')} ${unit}`, of: 'value', max } })
}

/** A metric that cannot be measured in this run, with the reason printed in its place. */
export function notAvailable(name: string, unit: string, reason: string, target?: Target): Metric {
  return { name, unit, status: 'n/a', reason, ...(target ? { target: { ...target, met: null } } : {}) }
}

function formatValue(v: number | undefined, unit: string): string {
  if (v === undefined || Number.isNaN(v)) return '—'
  if (unit === 'req/s' || unit === 'conn/s') return `${Math.round(v).toLocaleString('en-US')} ${unit}`
  if (unit === 'MB') return `${v.toFixed(1)} MB`
  if (unit === 'ms') return `${Math.abs(v) >= 100 ? Math.round(v) : round(v, 3)} ms`
  return `${round(v, 3)} ${unit}`.trim()
}

function formatRatio(r: number | undefined): string {
  return r === undefined || Number.isNaN(r) ? '—' : `${r.toFixed(2)}×`
}

/** The table rows: scenario, metric, median, baseline, ratio, target, met?. */
export function tableRows(results: readonly ScenarioResult[]): string[][] {
  const rows: string[][] = []
  for (const s of results) {
    if (s.status === 'failed' && s.metrics.length === 0) {
      rows.push([`${s.id}. ${s.title}`, '—', `FAILED: ${s.error ?? 'unknown error'}`, '—', '—', '—', '✗'])
      continue
    }
    s.metrics.forEach((m, i) => {
      const scenario = i === 0 ? `${s.id}. ${s.title}` : ''
      if (m.status !== 'ok') {
        const why = m.status === 'n/a' ? `n/a (${m.reason ?? ''})` : `FAILED: ${m.reason ?? ''}`
        rows.push([scenario, m.name, why, '—', '—', m.target?.text ?? '—', m.status === 'failed' ? '✗' : '—'])
        return
      }
      const baseline = m.baseline ? `${formatValue(m.baseline.median, m.unit)} (${m.baseline.label})` : '—'
      const met = m.target ? (m.target.met === null ? '?' : m.target.met ? 'yes' : 'NO') : '—'
      rows.push([scenario, m.name, formatValue(m.value?.median, m.unit), baseline, formatRatio(m.ratio), m.target?.text ?? '—', met])
    })
  }
  return rows
}

const HEADER = ['scenario', 'metric', 'median', 'baseline (same run)', 'ratio', 'target', 'met?']

/** A fixed-width text table for the terminal. */
export function formatTable(results: readonly ScenarioResult[]): string {
  const rows = [HEADER, ...tableRows(results)]
  const widths = HEADER.map((_, c) => Math.max(...rows.map((r) => (r[c] ?? '').length)))
  const line = (r: string[]) =>
    r
      .map((cell, c) => cell.padEnd(widths[c] as number))
      .join('  ')
      .trimEnd()
  const rule = widths.map((w) => '-'.repeat(w)).join('  ')
  return [line(HEADER), rule, ...rows.slice(1).map(line)].join('\n')
}

/** The same table in Markdown, for docs/performance.md. */
export function formatMarkdown(results: readonly ScenarioResult[]): string {
  const esc = (s: string) => s.replace(/\|/g, '\\|')
  const rows = tableRows(results)
  return [`| ${HEADER.join(' | ')} |`, `|${HEADER.map(() => '---').join('|')}|`, ...rows.map((r) => `| ${r.map(esc).join(' | ')} |`)].join('\n')
}
