import { execFile } from 'node:child_process'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

const run = promisify(execFile)
const CLI = new URL('../../packages/hub/bin/patchbay.js', import.meta.url).pathname
let dir: string

async function cli(args: string[]) {
  try {
    const r = await run(process.execPath, [CLI, ...args], { env: { ...process.env, PATCHBAY_CATALOG_DIR: dir, PATCHBAY_DATA_DIR: dir } })
    return { code: 0, stdout: r.stdout, stderr: r.stderr }
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string }
    return { code: e.code, stdout: e.stdout, stderr: e.stderr }
  }
}

beforeAll(async () => {
  // A user folder (PATCHBAY_CATALOG_DIR) with one definition, to see the command reads it too.
  dir = await mkdtemp(join(tmpdir(), 'pb-cli-integrations-'))
  await writeFile(
    join(dir, 'orders.json'),
    JSON.stringify({
      id: 'acme-orders',
      name: 'Acme Orders',
      description: 'Internal order service.',
      baseUrl: 'https://orders.acme.test',
      auth: {
        BEARER_TOKEN: { inputs: [{ name: 'token', displayName: 'Token', description: 'Service token', secret: true }], apply: { headers: { Authorization: 'Bearer {token}' } } },
      },
      actions: [
        {
          code: 'ACME_GET_ORDER',
          name: 'Get order',
          description: 'Get one order by id.',
          input: { type: 'object', required: ['id'], properties: { id: { type: 'string', description: 'Order id' } } },
          request: { method: 'GET', path: '/orders/{id}' },
        },
      ],
    }),
  )
})
afterAll(async () => {
  await rm(dir, { recursive: true, force: true })
})

describe('patchbay integrations', () => {
  it('list --json answers every integration: curated, generated from grant and the user folder', async () => {
    const r = await cli(['integrations', 'list', '--json'])
    expect(r.code, r.stderr).toBe(0)
    const all = JSON.parse(r.stdout) as Array<{ id: string; schemes: string[]; actions: number; origin: string }>
    expect(all.length).toBeGreaterThan(170)
    expect(all.find((i) => i.id === 'github')).toMatchObject({ origin: 'curated', schemes: ['BEARER_TOKEN', 'OAUTH2'] })
    expect(all.find((i) => i.id === 'twitch')).toEqual({ id: 'twitch', name: 'Twitch', schemes: ['OAUTH2'], actions: 2, origin: 'generated from grant' })
    expect(all.find((i) => i.id === 'acme-orders')).toMatchObject({ origin: 'curated', actions: 2 })
  })

  it('list filters by --query and --scheme, and refuses an unknown scheme', async () => {
    const git = await cli(['integrations', 'list', '--query', 'gitlab'])
    expect(git.stdout).toMatch(/^gitlab +GitLab {2}\[BEARER_TOKEN, OAUTH2\] {2}7 actions {2}curated$/m)
    expect(git.stdout).toContain('1 integrations')
    const oauth1 = JSON.parse((await cli(['integrations', 'list', '--scheme', 'oauth1', '--json'])).stdout) as Array<{ schemes: string[] }>
    expect(oauth1.length).toBeGreaterThan(10)
    for (const i of oauth1) expect(i.schemes).toContain('OAUTH1')
    const bad = await cli(['integrations', 'list', '--scheme', 'KERBEROS'])
    expect(bad.code).toBe(1)
    expect(bad.stderr).toContain('--scheme must be one of BEARER_TOKEN')
  })

  it('show prints schemes with inputs and actions with inputs; an unknown id fails with a hint', { timeout: 60_000 }, async () => {
    const r = await cli(['integrations', 'show', 'zendesk'])
    expect(r.code, r.stderr).toBe(0)
    expect(r.stdout).toContain('Zendesk (zendesk), curated')
    expect(r.stdout).toContain('verify ZENDESK_GET_CURRENT_USER')
    expect(r.stdout).toMatch(/ {2}BASIC\n {6}subdomain .*\n {6}email .*\n {6}api_token \(secret\)/)
    expect(r.stdout).toMatch(/ZENDESK_GET_TICKET {2}GET \/tickets\/\{ticket_id\}\.json\n.*\n {6}ticket_id \(integer, required\) {2}Ticket number/)
    expect(r.stdout).toContain('REQUEST  {method} {+path}')
    const json = JSON.parse((await cli(['integrations', 'show', 'acme-orders', '--json'])).stdout) as { actions: Array<{ code: string }> }
    expect(json.actions.map((a) => a.code)).toEqual(['ACME_GET_ORDER', 'REQUEST'])
    const sf = await cli(['integrations', 'show', 'salesforce'])
    expect(sf.stdout).toContain('base URL {instance_url} (from the token response: instance_url)')
    const missing = await cli(['integrations', 'show', 'gitl'])
    expect(missing.code).toBe(1)
    expect(missing.stderr).toContain('No integration "gitl"; did you mean gitlab')
  })
})
