import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Writable } from 'node:stream'
import {
  createApiKey,
  createHub,
  createLogger,
  loadCatalog,
  openStore,
  parseMasterKey,
  generateMasterKey,
  Vault,
  type DeliverySettings,
  type Hub,
  type HubLimits,
} from '@patchbay/hub'

/** A real hub on a 127.0.0.1 port with its own temp data dir, for end-to-end tests. */
export interface TestHub {
  url: string
  /** An API key of tenant `default`. */
  key: string
  hub: Hub
  /** The hub's vault (tests that seal a value the way the hub would). */
  vault: Vault
  dataDir: string
  dbFile: string
  /** Every log line the hub wrote (JSON text). */
  logs: string[]
  /** Creates another API key, in a tenant of its own by default. */
  newKey(tenant?: string): Promise<string>
  close(): Promise<void>
}

/** Options of {@link startTestHub}. */
export interface TestHubOptions {
  /** Extra catalog folders (e.g. definitions pointing at a stand-in upstream). */
  catalogDirs?: string[]
  databaseUrl?: string
  logLevel?: 'debug' | 'info' | 'trace'
  /** Let tenant URLs reach 127.0.0.1 (PATCHBAY_ALLOW_PRIVATE_NETWORK); default true, as tests' peers are local. */
  allowPrivateNetwork?: boolean
  /** Also load the integrations generated from the grant package (grant-providers.ts); default false, so tests see only the curated catalog. */
  generatedIntegrations?: boolean
  /** Timeouts and limits (default the hub's DEFAULT_LIMITS). */
  limits?: HubLimits
  /** Turns `/metrics` on with this bearer token (PATCHBAY_METRICS_TOKEN). */
  metricsToken?: string
  /** Webhook delivery settings (fast retries in tests). */
  delivery?: Partial<DeliverySettings>
  /** The dashboard's product name and accent colour. */
  branding?: { productName: string; accentColor: string | undefined }
}

/** Starts a hub with the built-in catalog plus `catalogDirs`, logging at debug into `logs`. */
export async function startTestHub(options: TestHubOptions = {}): Promise<TestHub> {
  const dataDir = await mkdtemp(join(tmpdir(), 'patchbay-test-'))
  const dbFile = join(dataDir, 'patchbay.db')
  const logs: string[] = []
  const sink = new Writable({
    write(chunk: Buffer, _enc, cb) {
      logs.push(chunk.toString('utf8'))
      cb()
    },
  })
  const store = openStore(options.databaseUrl ?? dbFile)
  await store.migrate()
  const catalog = await loadCatalog({ dirs: options.catalogDirs ?? [], generated: options.generatedIntegrations ?? false })
  const vault = new Vault([parseMasterKey(generateMasterKey())])
  const hub = createHub({
    store,
    vault,
    catalog,
    logger: createLogger(options.logLevel ?? 'debug', sink),
    upstreamTimeoutMs: 5_000,
    upstreamConnectTimeoutMs: 2_000,
    allowPrivateNetwork: options.allowPrivateNetwork ?? true,
    ...(options.limits ? { limits: options.limits } : {}),
    ...(options.metricsToken ? { metricsToken: options.metricsToken } : {}),
    ...(options.delivery ? { delivery: options.delivery } : {}),
    ...(options.branding ? { branding: options.branding } : {}),
  })
  const url = await hub.listen('127.0.0.1', 0)
  const { key } = await createApiKey(store, { name: 'test' })
  let n = 0
  return {
    url,
    key,
    hub,
    vault,
    dataDir,
    dbFile,
    logs,
    async newKey(tenant?: string) {
      return (await createApiKey(store, { name: `k${++n}`, tenantName: tenant ?? `tenant-${n}-${Date.now()}` })).key
    },
    async close() {
      await hub.close()
      await rm(dataDir, { recursive: true, force: true })
    },
  }
}

/** Every response body {@link call} has seen in this test file, for "no secret in a response" checks. */
export const seenResponses: string[] = []

/** A tiny fetch wrapper for wire calls: JSON in, `{status, body}` out. */
export async function call(
  hub: { url: string; key: string },
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: any; text: string }> {
  const res = await fetch(`${hub.url}${path}`, {
    method,
    headers: { 'x-api-key': hub.key, ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...headers },
    ...(body !== undefined ? { body: typeof body === 'string' ? body : JSON.stringify(body) } : {}),
  })
  const text = await res.text()
  seenResponses.push(text)
  let parsed: unknown
  try {
    parsed = JSON.parse(text)
  } catch {
    parsed = text
  }
  return { status: res.status, body: parsed, text }
}
