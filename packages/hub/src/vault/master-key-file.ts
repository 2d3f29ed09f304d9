import { mkdir, open, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { generateMasterKey, parseMasterKey, type MasterKey } from './vault.js'

/** Name of the generated key file inside the data directory. */
export const MASTER_KEY_FILE = 'master.key'

/**
 * Returns the master key: from `configured` (PATCHBAY_MASTER_KEY) when given, else from
 * `<dataDir>/master.key`, creating that file (mode 0600, exclusive create so two processes
 * starting at once agree on one key) on first start.
 */
export async function resolveMasterKey(
  configured: string | undefined,
  dataDir: string,
): Promise<{ key: MasterKey; source: 'env' | 'file' | 'generated'; file?: string }> {
  if (configured !== undefined) {
    try {
      return { key: parseMasterKey(configured), source: 'env' }
    } catch (err) {
      throw new TypeError(`PATCHBAY_MASTER_KEY is invalid: ${(err as Error).message}`)
    }
  }
  const file = join(dataDir, MASTER_KEY_FILE)
  await mkdir(dataDir, { recursive: true, mode: 0o700 })
  try {
    const handle = await open(file, 'wx', 0o600)
    try {
      await handle.writeFile(`${generateMasterKey()}\n`)
      await handle.sync()
    } finally {
      await handle.close()
    }
    return { key: parseMasterKey((await readFile(file, 'utf8')).trim()), source: 'generated', file }
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err
  }
  try {
    return { key: parseMasterKey((await readFile(file, 'utf8')).trim()), source: 'file', file }
  } catch (err) {
    throw new TypeError(`The master key file ${file} is invalid: ${(err as Error).message}`)
  }
}
