import { open, readFile } from 'node:fs/promises'
import { resolve } from 'node:path'
import type { Command } from 'commander'
import { loadConfig } from '../../config.js'
import { openStore } from '../../store/store.js'
import { resolveMasterKeys } from '../../vault/master-key-file.js'
import { countSealedValues, rotateMasterKey, type RotationProgress } from '../../vault/rotation.js'
import { generateMasterKey, parseMasterKey, Vault, type MasterKey } from '../../vault/vault.js'

/**
 * Reads the new master key from where `--new-key` points: `env:NAME` (a variable holding the
 * base64 key) or a file path. Never from the command line itself, where `ps` would show it.
 */
async function readNewKey(source: string): Promise<MasterKey> {
  if (source.startsWith('env:')) {
    const name = source.slice(4)
    const value = process.env[name]
    if (!value) throw new Error(`--new-key ${source}: the variable ${name} is not set (or empty)`)
    try {
      return parseMasterKey(value)
    } catch (err) {
      throw new Error(`--new-key ${source}: ${(err as Error).message}`)
    }
  }
  let text: string
  try {
    text = await readFile(resolve(source), 'utf8')
  } catch (err) {
    throw new Error(
      `--new-key ${source}: cannot read the file (${(err as NodeJS.ErrnoException).code ?? String(err)}); give a key file (made with \`patchbay keys generate-master --out <file>\`) or env:<VARIABLE>`,
    )
  }
  const lines = text
    .split('\n')
    .map((l) => l.replace(/#.*$/, '').trim())
    .filter(Boolean)
  if (lines.length !== 1) throw new Error(`--new-key ${source}: the file must hold exactly one base64 key; it holds ${lines.length}`)
  try {
    return parseMasterKey(lines[0] as string)
  } catch (err) {
    throw new Error(`--new-key ${source}: ${(err as Error).message}`)
  }
}

function positiveInt(name: string, raw: string, min: number, max: number): number {
  const n = Number(raw)
  if (!Number.isInteger(n) || n < min || n > max) throw new Error(`${name} must be an integer from ${min} to ${max}; got "${raw}"`)
  return n
}

/**
 * `patchbay keys generate-master` and `patchbay keys rotate-master`: make a master key, and
 * re-encrypt every stored secret with a new one while hubs keep serving (docs/deployment.md).
 */
export function registerMasterKey(keys: Command): void {
  keys
    .command('generate-master')
    .description('generate a new master key (base64 of 32 random bytes) and print its id')
    .option('-o, --out <file>', 'write the key to this new file (mode 0600) instead of stdout')
    .action(async (opts: { out?: string }) => {
      const key = generateMasterKey()
      const id = parseMasterKey(key).id
      if (opts.out === undefined) {
        process.stdout.write(`${key}\n`)
        process.stderr.write(`Master key ${id} generated. Store it where your hubs read keys from; it is not saved anywhere else.\n`)
        return
      }
      let handle
      try {
        handle = await open(resolve(opts.out), 'wx', 0o600)
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code
        throw new Error(`Cannot create ${opts.out}: ${code === 'EEXIST' ? 'the file exists (a key is never overwritten); choose another name' : (code ?? String(err))}`)
      }
      try {
        await handle.writeFile(`${key}\n`)
        await handle.sync()
      } finally {
        await handle.close()
      }
      process.stdout.write(`Master key ${id} written to ${opts.out} (mode 0600).\n`)
    })

  keys
    .command('rotate-master')
    .description('re-encrypt every stored secret with a new master key, online, in batches; interruptible and resumable')
    .requiredOption('--new-key <file|env:NAME>', 'the new master key: a file holding it, or env:NAME for a variable holding it')
    .option('--batch-size <n>', 'rows per batch (one short transaction each)', '200')
    .option('--pause <ms>', 'pause between batches, to spare a busy database', '0')
    .option('--dry-run', 'only count stored secrets by master key id; change nothing')
    .addHelpText(
      'after',
      `
The keys the secrets are sealed with now come from the usual settings (PATCHBAY_MASTER_KEYS,
PATCHBAY_MASTER_KEY, PATCHBAY_MASTER_KEY_FILE or <data dir>/master.key). Before rotating, restart
every hub with the new key first in PATCHBAY_MASTER_KEYS (new,old), so hubs read both and seal
with the new one. Interrupting (Ctrl-C) stops after the current batch; run the command again to
resume. It exits 0 only once nothing is sealed with any key but the new one. See docs/deployment.md.`,
    )
    .action(async (opts: { newKey: string; batchSize: string; pause: string; dryRun?: boolean }) => {
      const batchSize = positiveInt('--batch-size', opts.batchSize, 1, 10_000)
      const pauseMs = positiveInt('--pause', opts.pause, 0, 60_000)
      const config = loadConfig()
      const newKey = await readNewKey(opts.newKey)
      const current = await resolveMasterKeys(config, { create: false })
      const ring = [newKey, ...current.keys.filter((k) => k.id !== newKey.id)]
      const vault = new Vault(ring)
      const store = openStore(config.databaseUrl, { poolSize: 2 })
      const err = process.stderr
      try {
        await store.migrate()
        const counts = await countSealedValues(store)
        const summary = counts
          .map(
            (c) =>
              `${c.table} ${c.total}${
                c.total
                  ? ` (${Object.entries(c.byKey)
                      .map(([k, n]) => `${n} with ${k}`)
                      .join(', ')})`
                  : ''
              }`,
          )
          .join('; ')
        const todo = counts.reduce((n, c) => n + c.total - (c.byKey[newKey.id] ?? 0), 0)
        process.stdout.write(`Stored secrets: ${summary}.\n`)
        if (opts.dryRun) {
          process.stdout.write(`${todo} value(s) would be re-encrypted with ${newKey.id}.\n`)
          return
        }
        const others = ring.slice(1).map((k) => k.id)
        process.stdout.write(`Re-encrypting ${todo} value(s) with master key ${newKey.id}${others.length ? ` (opening with ${others.join(', ')})` : ''}, ${batchSize} per batch.\n`)

        const controller = new AbortController()
        let signals = 0
        const onSignal = () => {
          if (++signals > 1) process.exit(130)
          err.write('\nStopping after the current batch (again to quit at once; nothing is lost either way)…\n')
          controller.abort()
        }
        process.on('SIGINT', onSignal)
        process.on('SIGTERM', onSignal)
        let lastPrint = 0
        let lastTable = ''
        const progress = (p: RotationProgress) => {
          const now = Date.now()
          // The first batch, then at most once a second, and each table's end.
          if (p.table === lastTable && !p.tableDone && now - lastPrint < 1_000) return
          if (p.tableDone && p.total === 0) return
          lastTable = p.table
          lastPrint = now
          const pct = p.tableDone ? 100 : Math.floor((100 * p.done) / p.total)
          err.write(`pass ${p.pass} ${p.table}: ${p.done}/${p.total} (${pct}%)${p.tableDone ? ' done' : ''}, ${p.reencrypted} re-encrypted so far\n`)
        }
        let report
        try {
          report = await rotateMasterKey(store, vault, { batchSize, pauseMs, signal: controller.signal, onProgress: progress })
        } finally {
          process.off('SIGINT', onSignal)
          process.off('SIGTERM', onSignal)
        }
        const left = Object.entries(report.remainingByKey)
          .map(([k, n]) => `${n} with ${k}`)
          .join(', ')
        if (report.interrupted) {
          process.stdout.write(`Interrupted: ${report.reencrypted} re-encrypted, ${report.remaining} left (${left || 'none'}). Run the same command again to resume.\n`)
          process.exitCode = 130
          return
        }
        for (const f of report.failed.slice(0, 20)) process.stdout.write(`cannot re-encrypt ${f.table} ${f.row}: ${f.reason}\n`)
        if (report.failed.length > 20) process.stdout.write(`… and ${report.failed.length - 20} more\n`)
        if (report.remaining > 0) {
          const why = report.failed.length
            ? 'some values cannot be opened with the keys given (add the missing key to PATCHBAY_MASTER_KEYS and run again)'
            : 'a hub is still sealing with an old key: restart every hub with the new key first in PATCHBAY_MASTER_KEYS, then run again'
          process.stdout.write(`Not complete: ${report.remaining} value(s) are still sealed with another key (${left}); ${why}.\n`)
          process.exitCode = 1
          return
        }
        process.stdout.write(
          `Done: ${report.reencrypted} re-encrypted in ${report.passes} pass(es)${report.conflicts ? `, ${report.conflicts} left to concurrent writers` : ''}. ` +
            `Verified: every stored secret is sealed with ${newKey.id}${others.length ? `; nothing needs ${others.join(', ')} any more` : ''}.\n`,
        )
        if (others.length) {
          process.stdout.write(
            `Next: restart the hubs with only the new key (PATCHBAY_MASTER_KEYS=<new>), then retire ${others.join(', ')} once no backup you may restore still needs it.\n`,
          )
        }
      } finally {
        await store.close()
      }
    })
}
