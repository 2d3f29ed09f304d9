import { mkdir, open, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { generateMasterKey, parseMasterKey, type MasterKey } from './vault.js'

/** Name of the generated key file inside the data directory. */
export const MASTER_KEY_FILE = 'master.key'

/** Where the master keys may come from (the `PATCHBAY_MASTER_KEY*` settings). */
export interface MasterKeySources {
  /** One base64 key (`PATCHBAY_MASTER_KEY`). */
  masterKey?: string | undefined
  /** Comma-separated base64 keys, the first one seals (`PATCHBAY_MASTER_KEYS`). */
  masterKeys?: string | undefined
  /** A keys file, one base64 key per line, the first one seals (`PATCHBAY_MASTER_KEY_FILE`). */
  masterKeyFile?: string | undefined
  /** Folder of the default key file `<dataDir>/master.key`. */
  dataDir: string
}

/** The key ring a hub runs with: `keys[0]` seals, every key opens. */
export interface ResolvedMasterKeys {
  keys: MasterKey[]
  /** `env`: a variable; `file`: an existing key file; `generated`: the default file, created now. */
  source: 'env' | 'file' | 'generated'
  /** The variable the keys came from, when `source` is `env`. */
  variable?: string
  /** The key file, when `source` is `file` or `generated`. */
  file?: string
}

/**
 * Parses a list of base64 master keys (comma- or newline-separated; blank lines and `#` comments
 * are ignored). Order is kept and duplicates dropped; the first key is the one that seals.
 *
 * @param what names the source in error messages, e.g. `PATCHBAY_MASTER_KEYS`.
 * @throws {TypeError} naming the entry that is wrong, never echoing it.
 * @example
 * ```ts
 * const [primary, ...others] = parseMasterKeyList(process.env.PATCHBAY_MASTER_KEYS!, 'PATCHBAY_MASTER_KEYS')
 * ```
 */
export function parseMasterKeyList(text: string, what: string): MasterKey[] {
  const entries = text
    .split('\n')
    .flatMap((line) => line.replace(/#.*$/, '').split(','))
    .map((e) => e.trim())
    .filter(Boolean)
  if (entries.length === 0) {
    throw new TypeError(`${what} holds no key; put base64 of 32 random bytes in it (\`openssl rand -base64 32\`)`)
  }
  const keys: MasterKey[] = []
  entries.forEach((entry, i) => {
    let key: MasterKey
    try {
      key = parseMasterKey(entry)
    } catch (err) {
      throw new TypeError(`${what} is invalid${entries.length > 1 ? ` (key ${i + 1} of ${entries.length})` : ''}: ${(err as Error).message}`)
    }
    if (!keys.some((k) => k.id === key.id)) keys.push(key)
  })
  return keys
}

/**
 * Returns the hub's master keys, from exactly one place: `PATCHBAY_MASTER_KEYS`,
 * `PATCHBAY_MASTER_KEY`, `PATCHBAY_MASTER_KEY_FILE`, or else `<dataDir>/master.key`. The default
 * file is created (mode 0600, exclusive create so two processes starting at once agree on one
 * key) on first start unless `options.create` is false.
 *
 * @throws {TypeError} when two sources are set at once, a key is malformed, or (with
 *   `create: false`) no key is configured.
 */
export async function resolveMasterKeys(sources: MasterKeySources, options: { create?: boolean } = {}): Promise<ResolvedMasterKeys> {
  const set = (
    [
      ['PATCHBAY_MASTER_KEYS', sources.masterKeys],
      ['PATCHBAY_MASTER_KEY', sources.masterKey],
      ['PATCHBAY_MASTER_KEY_FILE', sources.masterKeyFile],
    ] as const
  ).filter(([, v]) => v !== undefined && v !== '')
  if (set.length > 1) {
    throw new TypeError(`Set only one of ${set.map(([n]) => n).join(' and ')}: they would disagree on which key seals`)
  }
  if (sources.masterKeys) return { keys: parseMasterKeyList(sources.masterKeys, 'PATCHBAY_MASTER_KEYS'), source: 'env', variable: 'PATCHBAY_MASTER_KEYS' }
  if (sources.masterKey) {
    try {
      return { keys: [parseMasterKey(sources.masterKey)], source: 'env', variable: 'PATCHBAY_MASTER_KEY' }
    } catch (err) {
      throw new TypeError(`PATCHBAY_MASTER_KEY is invalid: ${(err as Error).message}`)
    }
  }
  if (sources.masterKeyFile) return { keys: await readKeyFile(sources.masterKeyFile), source: 'file', file: sources.masterKeyFile }

  const file = join(sources.dataDir, MASTER_KEY_FILE)
  if (options.create !== false) {
    await mkdir(sources.dataDir, { recursive: true, mode: 0o700 })
    try {
      const handle = await open(file, 'wx', 0o600)
      try {
        await handle.writeFile(`${generateMasterKey()}\n`)
        await handle.sync()
      } finally {
        await handle.close()
      }
      return { keys: await readKeyFile(file), source: 'generated', file }
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err
    }
  }
  return { keys: await readKeyFile(file, options.create === false), source: 'file', file }
}

async function readKeyFile(file: string, explainMissing = true): Promise<MasterKey[]> {
  let text: string
  try {
    text = await readFile(file, 'utf8')
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code
    if (code === 'ENOENT' && explainMissing) {
      throw new TypeError(`No master key: ${file} does not exist. Set PATCHBAY_MASTER_KEYS, PATCHBAY_MASTER_KEY or PATCHBAY_MASTER_KEY_FILE to the key(s) your hubs use`)
    }
    throw new TypeError(`The master key file ${file} cannot be read (${code ?? String(err)})`)
  }
  return parseMasterKeyList(text, `The master key file ${file}`)
}

/**
 * Returns the hub's sealing master key: from `configured` (PATCHBAY_MASTER_KEY) when given, else
 * from `<dataDir>/master.key`, creating that file on first start. Kept for callers that need one
 * key; {@link resolveMasterKeys} returns the whole key ring.
 */
export async function resolveMasterKey(configured: string | undefined, dataDir: string): Promise<{ key: MasterKey; source: 'env' | 'file' | 'generated'; file?: string }> {
  const r = await resolveMasterKeys({ masterKey: configured, dataDir })
  return { key: r.keys[0] as MasterKey, source: r.source, ...(r.file !== undefined ? { file: r.file } : {}) }
}
