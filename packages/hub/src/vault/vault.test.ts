import { mkdtemp, readFile, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { PatchbayError } from '@patchbay/core'
import { resolveMasterKey } from './master-key-file.js'
import { Vault, generateMasterKey, parseMasterKey } from './vault.js'

const binding = { tenantId: 't1', connectionId: 'c1' }

describe('Vault', () => {
  const vault = new Vault([parseMasterKey(generateMasterKey())])

  it('round-trips a value and never writes the plaintext', () => {
    const sealed = vault.seal({ token: 'super-secret-token' }, binding)
    expect(sealed).toMatch(/^pb1\.[0-9a-f]{8}\.[A-Za-z0-9_-]+$/)
    expect(sealed).not.toContain('super-secret-token')
    expect(Buffer.from(sealed.split('.')[2] as string, 'base64url').toString('latin1')).not.toContain('super-secret')
    expect(vault.open(sealed, binding)).toEqual({ token: 'super-secret-token' })
  })

  it('uses a fresh nonce per write', () => {
    expect(vault.seal({ a: 1 }, binding)).not.toBe(vault.seal({ a: 1 }, binding))
  })

  it('refuses a ciphertext moved to another connection or tenant', () => {
    const sealed = vault.seal({ token: 'x' }, binding)
    expect(() => vault.open(sealed, { tenantId: 't1', connectionId: 'c2' })).toThrow(/failed authentication/)
    expect(() => vault.open(sealed, { tenantId: 't2', connectionId: 'c1' })).toThrow(PatchbayError)
    // Length-prefixed associated data: shifting characters between fields does not collide.
    const s2 = vault.seal({ token: 'x' }, { tenantId: 'ab', connectionId: 'c' })
    expect(() => vault.open(s2, { tenantId: 'a', connectionId: 'bc' })).toThrow(/failed authentication/)
  })

  it('refuses a tampered ciphertext', () => {
    const sealed = vault.seal({ token: 'x' }, binding)
    const raw = Buffer.from(sealed.split('.')[2] as string, 'base64url')
    raw[raw.length - 20] = (raw[raw.length - 20] as number) ^ 1
    const tampered = `${sealed.split('.').slice(0, 2).join('.')}.${raw.toString('base64url')}`
    expect(() => vault.open(tampered, binding)).toThrow(/failed authentication/)
  })

  it('decrypts with any loaded key and encrypts with the first (rotation)', () => {
    const oldKey = parseMasterKey(generateMasterKey())
    const newKey = parseMasterKey(generateMasterKey())
    const old = new Vault([oldKey])
    const sealedOld = old.seal({ v: 1 }, binding)
    const both = new Vault([newKey, oldKey])
    expect(both.open(sealedOld, binding)).toEqual({ v: 1 })
    expect(both.seal({ v: 2 }, binding).split('.')[1]).toBe(newKey.id)
    expect(() => new Vault([newKey]).open(sealedOld, binding)).toThrow(new RegExp(`master key ${oldKey.id}`))
  })

  it('rejects a malformed master key without echoing it', () => {
    for (const bad of ['short', Buffer.alloc(31).toString('base64'), 'not base64 at all!!!!!!!!!!!!!!!!!!!!!!!!!']) {
      try {
        parseMasterKey(bad)
        expect.unreachable()
      } catch (err) {
        expect((err as Error).message).toContain('32 random bytes')
        expect((err as Error).message).not.toContain(bad)
      }
    }
  })
})

describe('resolveMasterKey', () => {
  it('generates a 0600 key file once and reuses it', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'pb-mk-'))
    const first = await resolveMasterKey(undefined, dir)
    expect(first.source).toBe('generated')
    expect((await stat(join(dir, 'master.key'))).mode & 0o777).toBe(0o600)
    const again = await resolveMasterKey(undefined, dir)
    expect(again.source).toBe('file')
    expect(again.key.id).toBe(first.key.id)
  })

  it('prefers the configured key and explains a bad one', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'pb-mk-'))
    const key = generateMasterKey()
    expect((await resolveMasterKey(key, dir)).key.id).toBe(parseMasterKey(key).id)
    await expect(resolveMasterKey('nope', dir)).rejects.toThrow(/PATCHBAY_MASTER_KEY is invalid/)
    await writeFile(join(dir, 'master.key'), 'garbage')
    await expect(resolveMasterKey(undefined, dir)).rejects.toThrow(/master key file .* is invalid/)
    expect(await readFile(join(dir, 'master.key'), 'utf8')).toBe('garbage')
  })
})
