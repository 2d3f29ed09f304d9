import { describe, expect, it } from 'vitest'
import { ConfigError, loadConfig } from './config.js'

describe('loadConfig: scale-out settings', () => {
  it('reads the PostgreSQL pool size, default 10, and explains a bad one', () => {
    expect(loadConfig({}).databasePoolSize).toBe(10)
    expect(loadConfig({ PATCHBAY_DATABASE_POOL_SIZE: '25' }).databasePoolSize).toBe(25)
    expect(() => loadConfig({ PATCHBAY_DATABASE_POOL_SIZE: '1' })).toThrow(new ConfigError('PATCHBAY_DATABASE_POOL_SIZE must be an integer from 2 to 1000; got "1"'))
  })

  it('reads the master key ring settings as given, the key file as an absolute path', () => {
    const c = loadConfig({ PATCHBAY_MASTER_KEY_FILE: 'keys/master' })
    expect(c.masterKeyFile).toMatch(/^\/.*keys\/master$/)
    expect(c.masterKeys).toBeUndefined()
    expect(loadConfig({ PATCHBAY_MASTER_KEYS: 'a,b' }).masterKeys).toBe('a,b')
  })
})
