import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { PatchbayError } from '@patchbay/core'
import { toIntegration } from '../catalog/catalog.js'
import { validateDefinition } from '../catalog/validate-definition.js'
import { testConnectionRow } from '../store/test-connection-row.js'
import { generateMasterKey, parseMasterKey, Vault } from '../vault/vault.js'
import { ActionRunner, findAction } from './run-action.js'

// The runner's total timeout (one timer per call, cleared once the body is read) must still fire
// when a service never answers, and when it stops half-way through its body.
describe('ActionRunner total timeout', () => {
  let server: Server
  let url = ''
  beforeAll(async () => {
    server = createServer((req, res) => {
      if (req.url === '/silent') return // accepts, never answers
      if (req.url === '/stalls') {
        res.writeHead(200, { 'content-type': 'application/json' })
        res.write('{"partial":') // never ends
        return
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}')
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  })
  afterAll(async () => {
    server.closeAllConnections()
    await new Promise<void>((resolve) => server.close(() => resolve()))
  })

  const setup = () => {
    const result = validateDefinition({
      id: 'timeout-probe',
      name: 'Timeout probe',
      description: 'A service that answers slowly or never.',
      baseUrl: url,
      auth: { NO_AUTH: {} },
      actions: [
        {
          code: 'GET_PATH',
          name: 'Get a path',
          description: 'GET the given path.',
          input: { type: 'object', required: ['path'], properties: { path: { type: 'string' } } },
          request: { method: 'GET', path: '/{+path}' },
        },
      ],
    })
    if (!result.ok) throw new Error(JSON.stringify(result.problems))
    const integration = toIntegration(result.definition, 'test')
    const connection = testConnectionRow('t1', {
      id: 'c0ffee0123456789abcdef01',
      integration_id: integration.modelId,
      name: 'probe',
      description: 'probe',
      auth_scheme: 'NO_AUTH',
      secrets: null,
    })
    const runner = new ActionRunner({ vault: new Vault([parseMasterKey(generateMasterKey())]), connectTimeoutMs: 1_000, timeoutMs: 1_000 })
    const run = (path: string) => runner.run(integration, connection, findAction(integration, 'GET_PATH'), { path })
    return { runner, run }
  }

  it('answers normally well within the timeout', async () => {
    const { runner, run } = setup()
    try {
      await expect(run('ok')).resolves.toEqual({ ok: true })
    } finally {
      await runner.close()
    }
  })

  for (const path of ['silent', 'stalls']) {
    it(`fails with UPSTREAM_UNREACHABLE when the service ${path === 'silent' ? 'never answers' : 'stops mid-body'}`, async () => {
      const { runner, run } = setup()
      try {
        const err = await run(path).then(
          () => undefined,
          (e: unknown) => e,
        )
        expect(err).toBeInstanceOf(PatchbayError)
        expect((err as PatchbayError).code).toBe('UPSTREAM_UNREACHABLE')
        expect((err as PatchbayError).message).toContain('no answer within 1000 ms')
      } finally {
        await runner.close()
      }
    })
  }
})
