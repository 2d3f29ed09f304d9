import { mkdtemp, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startUpstream, type Upstream } from './upstream.js'

/**
 * A catalog definition for a stand-in service on 127.0.0.1 that supports the four key-based
 * schemes, each applied a different way, so a test can see exactly which credentials arrive.
 * BEARER_TOKEN has an optional input (`region`, with a default) to exercise optional inputs.
 */
export function echoDefinition(baseUrl: string, id = 'echo', name = 'Echo') {
  return {
    id,
    name,
    description: 'A stand-in service that records what it receives.',
    baseUrl: `${baseUrl}/{region}`,
    auth: {
      BEARER_TOKEN: {
        inputs: [
          { name: 'region', displayName: 'Region', description: 'Path prefix', required: false, default: 'eu' },
          { name: 'token', displayName: 'Token', description: 'Bearer token', secret: true },
        ],
        apply: { headers: { Authorization: 'Bearer {token}' } },
      },
      API_KEY: {
        inputs: [
          { name: 'region', displayName: 'Region', description: 'Path prefix' },
          { name: 'api_key', displayName: 'API key', description: 'Key', secret: true },
        ],
        apply: { headers: { 'X-Api-Key': '{api_key}' } },
      },
      BASIC: {
        inputs: [
          { name: 'region', displayName: 'Region', description: 'Path prefix' },
          { name: 'username', displayName: 'User', description: 'User name' },
          { name: 'password', displayName: 'Password', description: 'Password', secret: true },
        ],
        apply: { basic: { username: '{username}', password: '{password}' } },
      },
      NO_AUTH: { inputs: [{ name: 'region', displayName: 'Region', description: 'Path prefix' }] },
    },
    actions: [
      {
        code: 'ECHO_GET_ITEM',
        name: 'Get item',
        description: 'Get one item by id.',
        input: {
          type: 'object',
          required: ['item_id'],
          properties: {
            item_id: { type: 'string', description: 'The item id' },
            limit: { type: 'integer', minimum: 1, description: 'How many' },
          },
          additionalProperties: false,
        },
        request: { method: 'GET', path: '/items/{item_id}', query: { limit: '{limit}' } },
      },
      {
        code: 'ECHO_CREATE_ITEM',
        name: 'Create item',
        description: 'Create an item from a JSON body.',
        input: {
          type: 'object',
          required: ['title'],
          properties: { title: { type: 'string', description: 'Title' }, tags: { type: 'array', items: { type: 'string' } } },
        },
        request: { method: 'POST', path: '/items', body: { encoding: 'json' } },
      },
      {
        code: 'ECHO_FAIL',
        name: 'Fail',
        description: 'Calls a path the service answers with HTTP 404.',
        input: { type: 'object', properties: {} },
        request: { method: 'GET', path: '/fail' },
      },
    ],
    triggers: [
      {
        slug: 'ECHO_NEW_ITEM',
        name: 'New item',
        description: 'A new item, polled with ECHO_GET_ITEM.',
        type: 'poll',
        config: { type: 'object', required: ['item_id'], properties: { item_id: { type: 'string', description: 'Item to watch' } } },
        payload: { type: 'object', properties: { id: { type: 'string' } } },
        poll: { action: 'ECHO_GET_ITEM', input: { item_id: '{item_id}' }, intervalSeconds: 60, items: 'items', dedupe: 'id' },
      },
    ],
  }
}

/** A running stand-in service plus a catalog folder whose `echo.json` points at it. */
export interface EchoService {
  upstream: Upstream
  catalogDir: string
  close(): Promise<void>
}

/**
 * Starts the stand-in service (answers `/…/fail` with 404 and a body, anything else with
 * `{ ok: true, path }`) and writes a catalog folder with the Echo definition pointing at it.
 */
export async function startEchoService(): Promise<EchoService> {
  const upstream = await startUpstream((r) => {
    if (r.path.endsWith('/fail')) return { status: 404, body: { message: 'no such thing here' } }
    return undefined
  })
  const catalogDir = await mkdtemp(join(tmpdir(), 'patchbay-echo-'))
  await writeFile(join(catalogDir, 'echo.json'), JSON.stringify(echoDefinition(upstream.url)))
  return { upstream, catalogDir, close: () => upstream.close() }
}
