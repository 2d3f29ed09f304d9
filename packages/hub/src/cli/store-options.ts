import { resolve } from 'node:path'
import type { Command } from 'commander'

/** Commands (by their full name) that read or write the store; each gets `--data-dir` and `--database-url`. */
export const STORE_COMMANDS: ReadonlySet<string> = new Set([
  'serve',
  'migrate',
  'keys create',
  'keys list',
  'keys revoke',
  'keys rotate-master',
  'oauth-app set',
  'oauth-app list',
  'oauth-app remove',
  'connections list',
  'connections delete',
  'runs tail',
])

function fullName(cmd: Command): string {
  const names: string[] = []
  for (let c: Command | null = cmd; c?.parent; c = c.parent) names.unshift(c.name())
  return names.join(' ')
}

/** A database URL fit for a terminal: a PostgreSQL password is masked. */
export function describeDatabase(url: string): string {
  if (!/^postgres(ql)?:/i.test(url)) return `SQLite ${url}`
  try {
    const u = new URL(url)
    if (u.password) u.password = '***'
    return `PostgreSQL ${u.toString()}`
  } catch {
    return 'PostgreSQL (unparseable URL)'
  }
}

/** The database a command will use, resolved the same way as loadConfig. */
export function databaseOf(env: NodeJS.ProcessEnv = process.env): string {
  return env['PATCHBAY_DATABASE_URL'] || resolve(env['PATCHBAY_DATA_DIR'] || '.patchbay', 'patchbay.db')
}

/**
 * Adds `--data-dir` and `--database-url` to every command in {@link STORE_COMMANDS}, and a hook
 * that turns them into PATCHBAY_DATA_DIR / PATCHBAY_DATABASE_URL (flags win over the environment)
 * and says on stderr which database the command uses.
 */
export function addStoreOptions(program: Command): void {
  const visit = (cmd: Command) => {
    for (const sub of cmd.commands) {
      if (STORE_COMMANDS.has(fullName(sub))) {
        sub.option('--data-dir <dir>', 'folder of the SQLite file and master key (overrides PATCHBAY_DATA_DIR)')
        sub.option('--database-url <url>', 'postgres://… or a SQLite file path (overrides PATCHBAY_DATABASE_URL)')
      }
      visit(sub)
    }
  }
  visit(program)
  program.hook('preAction', (_root, action) => {
    if (!STORE_COMMANDS.has(fullName(action))) return
    const opts = action.opts<{ dataDir?: string; databaseUrl?: string }>()
    if (opts.dataDir !== undefined) process.env['PATCHBAY_DATA_DIR'] = resolve(opts.dataDir)
    if (opts.databaseUrl !== undefined) process.env['PATCHBAY_DATABASE_URL'] = opts.databaseUrl
    process.stderr.write(`patchbay: using database ${describeDatabase(databaseOf())}\n`)
  })
}
