import { mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { deriveModelId } from '@patchbay/hub'

/** Definition id of the integration every action-run scenario calls. */
export const ECHO_ID = 'bench-echo'
/** Its marketplace path (what a connect is sent to). */
export const ECHO_PATH = `patchbay/${ECHO_ID}`
/** The action every action-run scenario runs. */
export const ECHO_ACTION = 'BENCH_GET_ITEM'
/** The action's input. */
export const ECHO_INPUT = { item_id: 'item_42' }
/** The path the hub calls on the stand-in service for that input (also the direct baseline's). */
export const ECHO_UPSTREAM_PATH = '/items/item_42'
/** The credential of every benchmark connection. */
export const ECHO_API_KEY = 'bench-upstream-key-0123456789'
/** The header the hub sends it in (the direct baseline sends it too). */
export const ECHO_KEY_HEADER = 'x-api-key'

/**
 * An API_KEY integration on the stand-in service, with one GET action: the smallest realistic
 * action run (input validation, template, credential injection, one upstream call).
 */
export function echoDefinition(upstreamUrl: string, id = ECHO_ID, name = 'Bench Echo') {
  return {
    id,
    name,
    description: 'A stand-in service on 127.0.0.1 for the benchmarks.',
    baseUrl: upstreamUrl,
    auth: {
      API_KEY: {
        inputs: [{ name: 'api_key', displayName: 'API key', description: 'Key sent in the X-Api-Key header', secret: true }],
        apply: { headers: { 'X-Api-Key': '{api_key}' } },
      },
    },
    actions: [
      {
        code: ECHO_ACTION,
        name: 'Get item',
        description: 'Get one item by id.',
        input: { type: 'object', required: ['item_id'], properties: { item_id: { type: 'string' } }, additionalProperties: false },
        request: { method: 'GET', path: '/items/{item_id}' },
      },
      {
        code: 'BENCH_LIST_ITEMS',
        name: 'List items',
        description: 'List items, optionally filtered.',
        input: { type: 'object', properties: { q: { type: 'string' }, limit: { type: 'integer', minimum: 1, maximum: 100 } } },
        request: { method: 'GET', path: '/items', query: { q: '{q}', limit: '{limit}' } },
      },
      {
        code: 'BENCH_CREATE_ITEM',
        name: 'Create item',
        description: 'Create an item from a JSON body.',
        input: { type: 'object', required: ['title'], properties: { title: { type: 'string' }, tags: { type: 'array', items: { type: 'string' } } } },
        request: { method: 'POST', path: '/items', body: { encoding: 'json' } },
      },
    ],
  }
}

/** Writes the echo definition into `dir` (created). */
export async function writeEchoCatalog(dir: string, upstreamUrl: string): Promise<void> {
  await mkdir(dir, { recursive: true })
  await writeFile(join(dir, `${ECHO_ID}.json`), JSON.stringify(echoDefinition(upstreamUrl), null, 2))
}

/** Definition id of the i-th generated integration. */
export function generatedId(i: number): string {
  return `bench-gen-${String(i).padStart(4, '0')}`
}

/**
 * Writes `count` distinct integrations (all calling the stand-in service) into `dir`, plus the echo
 * definition. Returns the wire ids of the generated ones, for seeding connections.
 */
export async function writeGeneratedCatalog(dir: string, upstreamUrl: string, count: number): Promise<string[]> {
  await writeEchoCatalog(dir, upstreamUrl)
  const ids: string[] = []
  const files: Promise<void>[] = []
  for (let i = 0; i < count; i++) {
    const id = generatedId(i)
    ids.push(deriveModelId(id))
    files.push(writeFile(join(dir, `${id}.json`), JSON.stringify(echoDefinition(upstreamUrl, id, `Bench Generated ${i}`))))
  }
  await Promise.all(files)
  return ids
}
