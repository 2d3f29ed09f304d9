import { describe, expect, it } from 'vitest'
import { openConnectionSecrets, sealConnectionSecrets } from './connection-secrets.js'
import { generateMasterKey, parseMasterKey, Vault } from './vault.js'

const vault = new Vault([parseMasterKey(generateMasterKey())])

describe('connection secrets', () => {
  it('seals bound to tenant and connection, and opens only there', () => {
    const sealed = sealConnectionSecrets(vault, 't1', 'c1', { token: 'x' }) as string
    expect(sealed).not.toContain('x"')
    expect(openConnectionSecrets(vault, { secrets: sealed, tenant_id: 't1', id: 'c1' })).toEqual({ token: 'x' })
    expect(() => openConnectionSecrets(vault, { secrets: sealed, tenant_id: 't2', id: 'c1' })).toThrow()
  })
  it('stores no secrets as null and opens null as {}', () => {
    expect(sealConnectionSecrets(vault, 't', 'c', {})).toBeNull()
    expect(sealConnectionSecrets(vault, 't', 'c', undefined)).toBeNull()
    expect(openConnectionSecrets(vault, { secrets: null, tenant_id: 't', id: 'c' })).toEqual({})
  })
})
