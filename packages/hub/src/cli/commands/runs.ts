import type { Command } from 'commander'
import type { RunLogRow } from '../../store/store.js'
import { withExistingStore } from '../open-cli-store.js'

function line(r: RunLogRow): string {
  const http = r.http_status === null ? '   ' : String(r.http_status)
  const err = r.error_code ? `  ${r.error_code}: ${r.error_message ?? ''}` : ''
  return `${r.created_at}  ${r.status.padEnd(7)}  ${http}  ${String(r.duration_ms).padStart(6)} ms  ${r.connection_id}  ${r.action}${err}\n`
}

/** `patchbay runs tail [--follow]`: the newest rows of the run log, straight from the database. */
export function registerRuns(program: Command): void {
  const runs = program.command('runs').description('the log of every action run (reads the database; no hub needed)')
  runs
    .command('tail')
    .description('print the newest runs, oldest first; --follow keeps printing new ones')
    .option('-t, --tenant <tenant>', "only this tenant's runs (default: every tenant)")
    .option('-n, --lines <n>', 'how many recent runs to print first', '20')
    .option('--connection <id>', 'only this connection')
    .option('--action <code>', 'only this action')
    .option('--status <status>', 'only SUCCESS or FAILED')
    .option('-f, --follow', 'keep printing new runs (every second) until interrupted')
    .option('--json', 'one JSON object per line')
    .action(async (opts: { tenant?: string; lines: string; connection?: string; action?: string; status?: string; follow?: boolean; json?: boolean }) => {
      const n = Number(opts.lines)
      if (!Number.isInteger(n) || n < 0 || n > 10_000) throw new Error(`--lines must be an integer from 0 to 10000; got "${opts.lines}"`)
      const status = opts.status?.toUpperCase()
      if (status !== undefined && status !== 'SUCCESS' && status !== 'FAILED') throw new Error('--status must be SUCCESS or FAILED')
      const print = (r: RunLogRow) => process.stdout.write(opts.json ? `${JSON.stringify(r)}\n` : line(r))
      await withExistingStore(async (store) => {
        let tenantId: string | undefined
        if (opts.tenant !== undefined) {
          const t = await store.findTenantByName(opts.tenant)
          if (!t) throw new Error(`No tenant "${opts.tenant}"`)
          tenantId = t.id
        }
        const filter = { ...(opts.connection ? { connection: opts.connection } : {}), ...(opts.action ? { action: opts.action } : {}), ...(status ? { status } : {}) }
        const first = (await store.runLog.listRunLog(tenantId, { ...filter, limit: n })).reverse()
        for (const r of first) print(r)
        if (!opts.follow) return
        // Rows are flushed up to ~100 ms late and ids come from several processes: re-read a
        // short window behind the newest id and skip rows already printed.
        const seen = new Set(first.map((r) => r.id))
        let stop = false
        process.once('SIGINT', () => void (stop = true))
        process.once('SIGTERM', () => void (stop = true))
        while (!stop) {
          await new Promise((res) => setTimeout(res, 1_000))
          const since = (Date.now() - 10_000).toString(36).padStart(9, '0')
          for (const r of await store.runLog.listRunLog(tenantId, { ...filter, newerThan: since, limit: 1_000 })) {
            if (seen.has(r.id)) continue
            seen.add(r.id)
            print(r)
          }
          if (seen.size > 50_000) seen.clear()
        }
      })
    })
}
