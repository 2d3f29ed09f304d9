import { afterEach, describe, expect, it, vi } from 'vitest'
import { DEFAULT_BACKEND_URL, DEFAULT_MODELS_RUN_URL, isResolvedConfig, resolveConfig } from './config.js'
import { AuthenticationError } from './errors.js'

describe('resolveConfig', () => {
  afterEach(() => {
    vi.unstubAllEnvs()
    vi.unstubAllGlobals()
  })

  it('defaults to the local hub when only a key is given', () => {
    const config = resolveConfig({ apiKey: 'k', env: {} })
    expect(config.apiKey).toBe('k')
    expect(config.backendUrl).toBe('http://127.0.0.1:8470')
    expect(config.modelsRunUrl).toBe('http://127.0.0.1:8470/api/v1/execute')
    expect(DEFAULT_BACKEND_URL).toBe('http://127.0.0.1:8470')
    expect(DEFAULT_MODELS_RUN_URL).toBe('http://127.0.0.1:8470/api/v1/execute')
  })

  it('prefers explicit options over environment variables', () => {
    const env = {
      TEAM_API_KEY: 'env-key',
      BACKEND_URL: 'http://env-backend:1',
      MODELS_RUN_URL: 'http://env-models:2/api/v1/execute',
    }
    const config = resolveConfig({
      apiKey: 'explicit',
      backendUrl: 'http://explicit:3/',
      modelsRunUrl: 'http://explicit-run:4/api/v1/execute/',
      env,
    })
    expect(config.apiKey).toBe('explicit')
    expect(config.backendUrl).toBe('http://explicit:3')
    expect(config.modelsRunUrl).toBe('http://explicit-run:4/api/v1/execute')
  })

  it('reads TEAM_API_KEY, AIXPLAIN_API_KEY, BACKEND_URL and MODELS_RUN_URL', () => {
    expect(resolveConfig({ env: { TEAM_API_KEY: 't' } }).apiKey).toBe('t')
    expect(resolveConfig({ env: { AIXPLAIN_API_KEY: 'a' } }).apiKey).toBe('a')
    expect(resolveConfig({ env: { TEAM_API_KEY: 'same', AIXPLAIN_API_KEY: 'same' } }).apiKey).toBe('same')
    const config = resolveConfig({
      env: { TEAM_API_KEY: 't', BACKEND_URL: 'https://platform.example', MODELS_RUN_URL: 'https://models.example/api/v1/execute' },
    })
    expect(config.backendUrl).toBe('https://platform.example')
    expect(config.modelsRunUrl).toBe('https://models.example/api/v1/execute')
  })

  it('derives the execute URL from a custom backend when none is given', () => {
    expect(resolveConfig({ apiKey: 'k', backendUrl: 'https://hub.example', env: {} }).modelsRunUrl).toBe('https://hub.example/api/v1/execute')
    expect(resolveConfig({ env: { TEAM_API_KEY: 'k', BACKEND_URL: 'https://hub.example' } }).modelsRunUrl).toBe('https://hub.example/api/v1/execute')
  })

  it('throws a clear error when the two key variables conflict', () => {
    const resolve = () => resolveConfig({ env: { TEAM_API_KEY: 'one', AIXPLAIN_API_KEY: 'two' } })
    expect(resolve).toThrow(AuthenticationError)
    expect(resolve).toThrow(/Conflicting API keys/)
    expect(resolve).toThrow(/TEAM_API_KEY/)
  })

  it('lets an explicit key settle a conflict in the environment', () => {
    expect(resolveConfig({ apiKey: 'mine', env: { TEAM_API_KEY: 'one', AIXPLAIN_API_KEY: 'two' } }).apiKey).toBe('mine')
  })

  it('names the variables to set when no key is found', () => {
    const resolve = () => resolveConfig({ env: { TEAM_API_KEY: '  ' } })
    expect(resolve).toThrow(AuthenticationError)
    expect(resolve).toThrow(/TEAM_API_KEY.*AIXPLAIN_API_KEY/)
    expect(resolve).toThrow(/apiKey/)
  })

  it('reads process.env through globalThis when no env is given', () => {
    vi.stubEnv('TEAM_API_KEY', 'from-process')
    vi.stubEnv('AIXPLAIN_API_KEY', '')
    vi.stubEnv('BACKEND_URL', '')
    vi.stubEnv('MODELS_RUN_URL', '')
    expect(resolveConfig().apiKey).toBe('from-process')
  })

  it('works where there is no process at all (browsers)', () => {
    vi.stubGlobal('process', undefined)
    expect(() => resolveConfig()).toThrow(/No API key/)
    expect(resolveConfig({ apiKey: 'k' }).backendUrl).toBe(DEFAULT_BACKEND_URL)
  })

  it('rejects URLs that are not absolute http(s)', () => {
    expect(() => resolveConfig({ apiKey: 'k', backendUrl: 'hub.example', env: {} })).toThrow(TypeError)
    expect(() => resolveConfig({ apiKey: 'k', env: { BACKEND_URL: 'ftp://x' } })).toThrow(/BACKEND_URL must use http/)
  })

  it('returns a frozen config and passes a resolved one through unchanged', () => {
    const config = resolveConfig({ apiKey: 'k', env: {} })
    expect(Object.isFrozen(config)).toBe(true)
    expect(isResolvedConfig(config)).toBe(true)
    expect(isResolvedConfig({ apiKey: 'k' })).toBe(false)
    expect(resolveConfig(config)).toBe(config)
  })

  it('defaults onWarning to console.warn and calls the global fetch bound', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {})
    const config = resolveConfig({ apiKey: 'k', env: {} })
    config.onWarning('hello')
    expect(warn).toHaveBeenCalledWith('hello')
    warn.mockRestore()

    const calls: unknown[] = []
    vi.stubGlobal('fetch', function (this: unknown, url: string) {
      calls.push([this, url])
      return Promise.resolve(new Response('{}'))
    })
    await config.fetch('http://x.test/')
    // Called as a method of globalThis, as browsers require (an unbound call throws there).
    expect(calls).toHaveLength(1)
    expect((calls[0] as unknown[])[0]).toBe(globalThis)
    expect((calls[0] as unknown[])[1]).toBe('http://x.test/')
  })
})
