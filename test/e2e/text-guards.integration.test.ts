import { afterAll, describe, expect, it } from 'vitest'
import { createTestDatabase, dropTestDatabases, postgresAvailable } from '../support/postgres.js'
import { call, startTestHub } from '../support/test-hub.js'

/**
 * Issue 11 item 6: a NUL character in text that reaches the database answered 500 on
 * PostgreSQL (which refuses NUL in text) and 200 on SQLite. Both now answer the same 400.
 */
const available = await postgresAvailable()
afterAll(dropTestDatabases)

const dialects = [{ name: 'SQLite', databaseUrl: async () => undefined }, ...(available ? [{ name: 'PostgreSQL', databaseUrl: async () => await createTestDatabase() }] : [])]

describe.each(dialects)('NUL characters on $name', ({ databaseUrl }) => {
  it('answers 400 naming the NUL for names, descriptions, search text, run ids, OAuth client ids and integration names', async () => {
    const url = await databaseUrl()
    const hub = await startTestHub(url ? { databaseUrl: url } : {})
    try {
      const http = (data: object) => call(hub, 'POST', '/api/v2/execute/patchbay%2Fhttp-api', { authScheme: 'NO_AUTH', data: { base_url: 'https://example.com' }, ...data })
      const answers = {
        name: await http({ name: 'a\u0000b' }),
        description: await http({ name: 'ok', description: 'd\u0000' }),
        q: await call(hub, 'POST', '/sdk/models/paginate', { q: '\u0000', functions: ['connection'] }),
        poll: await call(hub, 'GET', '/api/v1/data/%00'),
        model: await call(hub, 'GET', '/sdk/models/abc%00'),
        clientId: await call(hub, 'PUT', '/admin/oauth-apps/slack', { clientId: 'id\u0000', clientSecret: 'secret-value' }),
        integration: await call(hub, 'POST', '/api/v2/admin/integrations', {
          id: 'nul-test',
          name: 'N\u0000UL',
          description: 'x',
          baseUrl: 'https://api.example.com',
          auth: { NO_AUTH: {} },
          actions: [{ code: 'PING', name: 'Ping', description: 'Ping', input: { type: 'object', properties: {} }, request: { method: 'GET', path: '/ping' } }],
        }),
      }
      for (const [what, r] of Object.entries(answers)) {
        expect(r.status, `${what}: ${r.text}`).toBeGreaterThanOrEqual(400)
        expect(r.status, `${what}: ${r.text}`).toBeLessThan(500)
      }
      for (const what of ['name', 'description', 'q', 'poll', 'clientId', 'integration'] as const) {
        expect(answers[what].status, what).toBe(400)
        expect(answers[what].body.message, what).toContain('NUL')
      }
    } finally {
      await hub.close()
    }
  })
})
