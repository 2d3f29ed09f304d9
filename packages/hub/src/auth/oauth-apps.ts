import { PatchbayError } from '@patchbay/core'
import type { Store } from '../store/store.js'
import type { Vault } from '../vault/vault.js'

/** A tenant's OAuth client for one integration, decrypted (OAuth 2 client, or OAuth 1 consumer). */
export interface OAuthApp {
  integrationId: string
  clientId: string
  clientSecret: string
  /** Scope override; undefined means the definition's default scopes. */
  scopes: string[] | undefined
}

/** What the admin API and CLI show of an OAuth app: never the secret. */
export interface OAuthAppSummary {
  integrationId: string
  clientId: string
  scopes: string[] | null
  createdAt: string
  updatedAt: string
}

const CACHE_MS = 5_000

/**
 * OAuth app credentials per tenant and integration, stored with the client secret sealed (bound
 * to the tenant and `oauth-app:<integration>`). Reads are cached for a few seconds: an app changed
 * through another hub process is seen everywhere within {@link CACHE_MS}.
 */
export class OAuthApps {
  readonly #store: Store
  readonly #vault: Vault
  readonly #cache = new Map<string, { at: number; app: OAuthApp | undefined }>()

  constructor(store: Store, vault: Vault) {
    this.#store = store
    this.#vault = vault
  }

  /** Creates or replaces the app of `integrationId` for a tenant. */
  async set(tenantId: string, integrationId: string, input: { clientId: unknown; clientSecret: unknown; scopes?: unknown; signingSecret?: unknown }): Promise<OAuthAppSummary> {
    if (typeof input.clientId !== 'string' || !input.clientId.trim()) {
      throw new PatchbayError('VALIDATION', 'clientId is required: the client id (OAuth 2) or consumer key (OAuth 1) the provider gave your app')
    }
    if (typeof input.clientSecret !== 'string' || !input.clientSecret) {
      throw new PatchbayError('VALIDATION', 'clientSecret is required: the client secret (OAuth 2) or consumer secret (OAuth 1) of your app')
    }
    let scopes: string[] | null = null
    if (input.scopes !== undefined && input.scopes !== null) {
      const list = typeof input.scopes === 'string' ? input.scopes.split(/[\s,]+/) : input.scopes
      if (!Array.isArray(list) || !list.every((s) => typeof s === 'string')) {
        throw new PatchbayError('VALIDATION', 'scopes must be a list of strings, or one string separated by spaces or commas')
      }
      scopes = list.map((s) => s.trim()).filter(Boolean)
    }
    if (input.signingSecret !== undefined && input.signingSecret !== null && (typeof input.signingSecret !== 'string' || !input.signingSecret)) {
      throw new PatchbayError('VALIDATION', "signingSecret must be a non-empty string: the app's webhook signing secret (Slack: Basic Information → Signing Secret)")
    }
    const sealed: Record<string, string> = { client_secret: input.clientSecret }
    if (typeof input.signingSecret === 'string') sealed['signing_secret'] = input.signingSecret
    const now = new Date().toISOString()
    const existing = await this.#store.getOAuthApp(tenantId, integrationId)
    // Setting the client again keeps a signing secret set before, unless a new one is given.
    const kept =
      existing && sealed['signing_secret'] === undefined
        ? this.#vault.open<Record<string, unknown>>(existing.secret, binding(tenantId, integrationId))['signing_secret']
        : undefined
    if (typeof kept === 'string') sealed['signing_secret'] = kept
    await this.#store.upsertOAuthApp({
      tenant_id: tenantId,
      integration_id: integrationId,
      client_id: input.clientId.trim(),
      secret: this.#vault.seal(sealed, binding(tenantId, integrationId)),
      scopes: scopes ? scopes.join(' ') : null,
      created_at: existing?.created_at ?? now,
      updated_at: now,
    })
    this.#cache.delete(`${tenantId}\n${integrationId}`)
    return { integrationId, clientId: input.clientId.trim(), scopes, createdAt: existing?.created_at ?? now, updatedAt: now }
  }

  /** The decrypted app, or undefined when the tenant has not set one. */
  async get(tenantId: string, integrationId: string): Promise<OAuthApp | undefined> {
    const key = `${tenantId}\n${integrationId}`
    const hit = this.#cache.get(key)
    if (hit && Date.now() - hit.at < CACHE_MS) return hit.app
    const row = await this.#store.getOAuthApp(tenantId, integrationId)
    const app: OAuthApp | undefined = row
      ? {
          integrationId,
          clientId: row.client_id,
          clientSecret: this.#vault.open<{ client_secret: string }>(row.secret, binding(tenantId, integrationId)).client_secret,
          scopes: row.scopes === null ? undefined : row.scopes.split(' ').filter(Boolean),
        }
      : undefined
    // Only found apps are cached: an operator who just ran `patchbay oauth-app set` after an
    // "app not configured" error must not wait for a cached miss to expire.
    if (app) this.#cache.set(key, { at: Date.now(), app })
    return app
  }

  /** The tenant's apps, without secrets. */
  async list(tenantId: string): Promise<OAuthAppSummary[]> {
    return (await this.#store.listOAuthApps(tenantId)).map((r) => ({
      integrationId: r.integration_id,
      clientId: r.client_id,
      scopes: r.scopes === null ? null : r.scopes.split(' ').filter(Boolean),
      createdAt: r.created_at,
      updatedAt: r.updated_at,
    }))
  }

  /**
   * A field of an app's sealed secrets other than the client secret (triggers read the webhook
   * `signing_secret` set with `signingSecret`); undefined when the app or the field is missing.
   */
  async secretField(tenantId: string, integrationId: string, field: string): Promise<string | undefined> {
    const row = await this.#store.getOAuthApp(tenantId, integrationId)
    if (!row) return undefined
    const value = this.#vault.open<Record<string, unknown>>(row.secret, binding(tenantId, integrationId))[field]
    return typeof value === 'string' && value !== '' ? value : undefined
  }

  /** Removes an app; false when there was none. */
  async delete(tenantId: string, integrationId: string): Promise<boolean> {
    this.#cache.delete(`${tenantId}\n${integrationId}`)
    return this.#store.deleteOAuthApp(tenantId, integrationId)
  }
}

function binding(tenantId: string, integrationId: string) {
  return { tenantId, connectionId: `oauth-app:${integrationId}` }
}
