/**
 * Checks `patchbay serve` makes before serving, each failing with a message that names the
 * setting to change rather than a raw errno (docs/deployment.md, docs/security.md).
 */
import { existsSync } from 'node:fs'
import { mkdir, stat } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import type { Logger } from 'pino'
import type { HubConfig } from './config.js'
import { ConfigError } from './config.js'
import type { Store } from './store/store.js'
import { hasSealedValues, verifyMasterKey } from './vault/master-key-check.js'
import { MASTER_KEY_FILE, type ResolvedMasterKeys } from './vault/master-key-file.js'
import { Vault } from './vault/vault.js'

const usesDefaultKeyFile = (c: HubConfig) => !c.masterKey && !c.masterKeys && !c.masterKeyFile
const usesDefaultDatabase = (c: HubConfig) => resolve(c.databaseUrl) === resolve(c.dataDir, 'patchbay.db')

/**
 * Creates the data folder (mode 0700; its parent must exist) when the hub keeps anything in it,
 * and warns when an existing one is open to other users.
 *
 * @throws {ConfigError} naming PATCHBAY_DATA_DIR and what is wrong with it.
 */
export async function prepareDataDir(config: HubConfig, logger: Logger): Promise<void> {
  if (!usesDefaultKeyFile(config) && !usesDefaultDatabase(config)) return
  const dir = config.dataDir
  try {
    await mkdir(dir, { mode: 0o700 })
    return
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code
    if (code === 'ENOENT')
      throw new ConfigError(
        `PATCHBAY_DATA_DIR: ${dir} cannot be created because its parent folder does not exist; create the parent, or set PATCHBAY_DATA_DIR to a folder that exists`,
      )
    if (code === 'ENOTDIR') throw new ConfigError(`PATCHBAY_DATA_DIR: part of the path ${dir} is a file, not a folder; set PATCHBAY_DATA_DIR to a folder`)
    if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS') {
      throw new ConfigError(`PATCHBAY_DATA_DIR: this user may not create ${dir}; set PATCHBAY_DATA_DIR to a folder it may write, or fix the permissions`)
    }
    if (code !== 'EEXIST') throw err
  }
  const s = await stat(dir)
  if (!s.isDirectory()) throw new ConfigError(`PATCHBAY_DATA_DIR: ${dir} is a file, not a folder; set PATCHBAY_DATA_DIR to a folder`)
  if ((s.mode & 0o077) !== 0) {
    logger.warn(
      { dataDir: dir, mode: (s.mode & 0o777).toString(8) },
      `the data folder ${dir} (PATCHBAY_DATA_DIR) is readable by other users (mode ${(s.mode & 0o777).toString(8)}); it holds the master key and database: chmod 700 ${dir}`,
    )
  }
}

/**
 * Resolves the master keys with `resolveKeys`, refusing to start when the default key file is
 * missing next to a database that holds sealed values (a new key would make them unreadable),
 * and when the keys do not open the database's check value (see vault/master-key-check.ts).
 *
 * @throws {Error} saying what to restore.
 */
export async function guardMasterKey(store: Store, config: HubConfig, resolveKeys: () => Promise<ResolvedMasterKeys>): Promise<ResolvedMasterKeys> {
  if (usesDefaultKeyFile(config)) {
    const file = join(config.dataDir, MASTER_KEY_FILE)
    if (!existsSync(file) && (await hasSealedValues(store))) {
      throw new Error(
        `${file} is missing, but the database holds credentials sealed with it: restore master.key from your backup into ${config.dataDir} (or set PATCHBAY_MASTER_KEY to it). The hub does not generate a new key, which would make every stored credential unreadable; if you really mean to start over, delete the database too`,
      )
    }
  }
  const mk = await resolveKeys()
  const source = mk.source === 'env' ? (mk.variable ?? 'the environment') : (mk.file ?? 'the key file')
  await verifyMasterKey(store, new Vault(mk.keys), source)
  return mk
}

/**
 * A listen failure as a message naming the setting to change, or `err` itself when it is not
 * one of the known causes.
 */
export function explainListenError(err: unknown, host: string, port: number): unknown {
  const code = (err as NodeJS.ErrnoException).code
  if (code === 'EADDRINUSE') return new ConfigError(`Port ${port} on ${host} is already in use (another hub?): stop that process, or set PATCHBAY_PORT (or --port) to a free port`)
  if (code === 'EACCES')
    return new ConfigError(`This user may not listen on port ${port} of ${host} (ports below 1024 need privileges): set PATCHBAY_PORT (or --port) to 1024 or above`)
  if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND')
    return new ConfigError(`${host} is not an address of this machine: set PATCHBAY_HOST (or --host) to one of its addresses, e.g. 127.0.0.1`)
  return err
}
