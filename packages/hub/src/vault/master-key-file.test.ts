import { mkdtemp, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { ConfigError, loadConfig } from '../config.js'
import { parseMasterKeyList, resolveMasterKeys } from './master-key-file.js'
import { generateMasterKey, parseMasterKey } from './vault.js'

describe('master key rings', () => {
  const k1 = generateMasterKey()
  const k2 = generateMasterKey()
  const id = (k: string) => parseMasterKey(k).id

  it('PATCHBAY_MASTER_KEYS lists keys in order, the first one sealing; blanks and repeats are ignored', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'pb-mk-'))
    const r = await resolveMasterKeys({ masterKeys: ` ${k2} , ${k1},,${k2}`, dataDir: dir })
    expect(r.keys.map((k) => k.id)).toEqual([id(k2), id(k1)])
    expect(r).toMatchObject({ source: 'env', variable: 'PATCHBAY_MASTER_KEYS' })
  })

  it('a keys file holds one key per line, with comments', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'pb-mk-'))
    const file = join(dir, 'keys')
    await writeFile(file, `# new, seals\n${k2}\n\n${k1}   # old, until rotation is done\n`)
    const r = await resolveMasterKeys({ masterKeyFile: file, dataDir: dir })
    expect(r.keys.map((k) => k.id)).toEqual([id(k2), id(k1)])
    expect(r).toMatchObject({ source: 'file', file })
    // The default <dataDir>/master.key may hold several keys too.
    await writeFile(join(dir, 'master.key'), `${k1}\n${k2}\n`)
    expect((await resolveMasterKeys({ dataDir: dir })).keys.map((k) => k.id)).toEqual([id(k1), id(k2)])
  })

  it('names the bad entry without echoing any key', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'pb-mk-'))
    const bad = 'c2VjcmV0LWJ1dC10b28tc2hvcnQ='
    const err = await resolveMasterKeys({ masterKeys: `${k1},${bad}`, dataDir: dir }).catch((e: Error) => e)
    expect((err as Error).message).toMatch(/PATCHBAY_MASTER_KEYS is invalid \(key 2 of 2\): .*32 random bytes/)
    expect((err as Error).message).not.toContain(bad)
    expect((err as Error).message).not.toContain(k1)
    expect(() => parseMasterKeyList(' , ', 'PATCHBAY_MASTER_KEYS')).toThrow(/holds no key/)
  })

  it('refuses two sources at once, in the config and in the resolver', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'pb-mk-'))
    expect(() => loadConfig({ PATCHBAY_MASTER_KEY: k1, PATCHBAY_MASTER_KEYS: k2 })).toThrow(ConfigError)
    expect(() => loadConfig({ PATCHBAY_MASTER_KEYS: k1, PATCHBAY_MASTER_KEY_FILE: '/x' })).toThrow(/Set only one of PATCHBAY_MASTER_KEYS and PATCHBAY_MASTER_KEY_FILE/)
    await expect(resolveMasterKeys({ masterKey: k1, masterKeys: k2, dataDir: dir })).rejects.toThrow(/Set only one/)
  })

  it('does not invent a key when asked not to (the rotate command), and says where keys come from', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'pb-mk-'))
    await expect(resolveMasterKeys({ dataDir: dir }, { create: false })).rejects.toThrow(/No master key: .*master\.key does not exist. Set PATCHBAY_MASTER_KEYS/)
    await expect(resolveMasterKeys({ masterKeyFile: join(dir, 'missing'), dataDir: dir })).rejects.toThrow(/does not exist/)
  })
})
