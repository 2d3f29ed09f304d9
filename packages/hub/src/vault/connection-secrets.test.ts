import { describe, expect, it } from 'vitest'
import { openConnectionSecrets, sealConnectionSecrets } from './connection-secrets.js'
import { oauthStateBinding } from './sealed-columns.js'
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
  it("keeps an OAuth state's flow secrets and the connection's secrets apart (issue 11 item 12)", () => {
    const state = vault.seal({ verifier: 'v', redirectUri: 'r' }, oauthStateBinding('t1', 'c1', 'hash1'))
    const secrets = sealConnectionSecrets(vault, 't1', 'c1', { token: 'x' }) as string
    // A state's ciphertext swapped into the connection row: a 409 saying to reconnect, not a 500.
    expect(() => openConnectionSecrets(vault, { secrets: state, tenant_id: 't1', id: 'c1' })).toThrow(
      expect.objectContaining({ code: 'CONNECTION_NOT_ACTIVE', status: 409, message: expect.stringContaining('reconnect it') }),
    )
    // The connection's ciphertext swapped into the state row, or a state moved to another state of the same connection.
    expect(() => vault.open(secrets, oauthStateBinding('t1', 'c1', 'hash1'))).toThrow(/failed authentication/)
    expect(() => vault.open(state, oauthStateBinding('t1', 'c1', 'hash2'))).toThrow(/failed authentication/)
    expect(vault.open(state, oauthStateBinding('t1', 'c1', 'hash1'))).toEqual({ verifier: 'v', redirectUri: 'r' })
  })
})
