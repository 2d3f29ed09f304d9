import { createHash, randomBytes } from 'node:crypto'
import { PatchbayError } from '@patchbay/core'
import type { IntegrationLookup } from '../catalog/find-integration.js'
import type { Integration } from '../catalog/catalog.js'
import type { ConnectSessionRow, Store } from '../store/store.js'
import { originOf, readConnectSettings } from './connect-settings.js'

/** Shortest, default and longest session lifetime, seconds. */
export const CONNECT_SESSION_TTL = Object.freeze({ min: 60, default: 1800, max: 86_400 })

/** The prefix of every session token (so a leaked one is recognisable in a scanner). */
export const CONNECT_TOKEN_PREFIX = 'pbcs_'

/** The end user a session (and the connection it makes) belongs to. */
export interface ConnectEndUser {
  id: string
  email: string | null
  displayName: string | null
}

/** A Connect session as the hub reads it back (never the token, only its hash). */
export interface ConnectSession {
  /** Public id (`cs_…`), for logs. */
  id: string
  tenantId: string
  tokenHash: string
  endUser: ConnectEndUser
  /** Integration ids (slugs) the end user may connect; null: every one the tenant can use. */
  allowedIntegrations: string[] | null
  /** Copied to the connection. */
  tags: Record<string, string> | null
  successRedirectUrl: string | null
  errorRedirectUrl: string | null
  /** The connection to re-authorise, for a reconnect session. */
  reconnectConnectionId: string | null
  /** The connection the session started (OAuth, PENDING) or completed. */
  connectionId: string | null
  /** That connection's version when its OAuth flow started. */
  startedVersion: number | null
  expiresAt: string
  usedAt: string | null
}

/** What `POST /api/v2/connect/sessions` answers (201). */
export interface CreatedConnectSession {
  /** The session token: give it to the end user's browser only; it is shown once. */
  token: string
  expiresAt: string
  /** The hosted Connect page for this session: `<hub>/connect?session=<token>`. */
  connectUrl: string
}

/** What {@link ConnectSessions} is built with. */
export interface ConnectSessionsConfig {
  store: Store
  /** The one integration lookup (catalog, then the tenant's own registered integrations). */
  findIntegration: IntegrationLookup
}

const BODY_FIELDS = ['endUser', 'allowedIntegrations', 'tags', 'successRedirectUrl', 'errorRedirectUrl', 'reconnect', 'expiresInSeconds']
const MAX_TAGS = 50

/**
 * SHA-256 (hex) of a session token: what is stored and looked up (a token is 256 random bits, so
 * a fast hash is enough).
 */
export function hashConnectToken(token: string): string {
  return createHash('sha256').update(token).digest('hex')
}

/**
 * Connect sessions: created by an app's backend with a `connect` key, bound to its tenant, one end
 * user and the integrations it may connect; they expire (default 30 minutes) and complete one
 * connection only. The token is random (32 bytes) and stored hashed.
 *
 * @example
 * ```ts
 * const sessions = new ConnectSessions({ store, findIntegration })
 * const { token, connectUrl } = await sessions.create(tenantId, { endUser: { id: 'user-42' } }, 'http://127.0.0.1:8470')
 * const session = await sessions.validate(token) // throws SESSION_EXPIRED / SESSION_USED
 * ```
 */
export class ConnectSessions {
  readonly #store: Store
  readonly #find: IntegrationLookup

  constructor(config: ConnectSessionsConfig) {
    this.#store = config.store
    this.#find = config.findIntegration
  }

  /**
   * Creates a session from the body of `POST /api/v2/connect/sessions`, validated fully.
   * `baseUrl` is the hub's public base URL (the page is `<baseUrl>/connect?session=…`).
   *
   * @throws {PatchbayError} VALIDATION naming the field and what it must be; NOT_FOUND for a
   *   reconnect of an unknown connection.
   */
  async create(tenantId: string, body: Record<string, unknown>, baseUrl: string, now = new Date()): Promise<CreatedConnectSession> {
    for (const k of Object.keys(body)) {
      if (!BODY_FIELDS.includes(k)) throw new PatchbayError('VALIDATION', `Unknown field ${JSON.stringify(k)}; a connect session body has ${BODY_FIELDS.join(', ')}`)
    }
    const endUser = checkEndUser(body['endUser'])
    let allowed = await this.#checkAllowed(tenantId, body['allowedIntegrations'])
    const tags = checkTags(body['tags'])
    const origins = (await readConnectSettings(this.#store, tenantId)).allowedOrigins
    const successRedirectUrl = checkRedirect(body['successRedirectUrl'], 'successRedirectUrl', origins)
    const errorRedirectUrl = checkRedirect(body['errorRedirectUrl'], 'errorRedirectUrl', origins)
    const ttl = checkTtl(body['expiresInSeconds'])
    let reconnectId: string | null = null
    if (body['reconnect'] !== undefined && body['reconnect'] !== null) {
      const r = body['reconnect']
      const id = typeof r === 'object' && !Array.isArray(r) ? (r as Record<string, unknown>)['connectionId'] : undefined
      if (typeof id !== 'string' || !id) throw new PatchbayError('VALIDATION', 'reconnect must be an object { "connectionId": "<id of the connection to re-authorise>" }')
      const row = await this.#store.getConnection(tenantId, id)
      if (!row) throw new PatchbayError('NOT_FOUND', `reconnect.connectionId: no connection with id ${id} in this tenant`)
      if (row.end_user_id && row.end_user_id !== endUser.id) {
        throw new PatchbayError('VALIDATION', `reconnect.connectionId: connection ${id} belongs to another end user; a reconnect session must be for the same endUser.id`)
      }
      const integration = await this.#find(tenantId, row.integration_id)
      if (!integration) throw new PatchbayError('VALIDATION', `reconnect.connectionId: the integration of connection ${id} is no longer available`)
      if (allowed && !allowed.includes(integration.definition.id)) {
        throw new PatchbayError('VALIDATION', `reconnect.connectionId: connection ${id} is a ${integration.definition.id} connection, which allowedIntegrations does not list`)
      }
      allowed = [integration.definition.id]
      reconnectId = id
    }
    const token = `${CONNECT_TOKEN_PREFIX}${randomBytes(32).toString('base64url')}`
    const expiresAt = new Date(now.getTime() + ttl * 1000).toISOString()
    await this.#store.connectSessions.insert({
      token_hash: hashConnectToken(token),
      id: `cs_${randomBytes(12).toString('hex')}`,
      tenant_id: tenantId,
      end_user_id: endUser.id,
      end_user_email: endUser.email,
      end_user_display_name: endUser.displayName,
      allowed_integrations: allowed ? JSON.stringify(allowed) : null,
      tags: tags ? JSON.stringify(tags) : null,
      success_redirect_url: successRedirectUrl,
      error_redirect_url: errorRedirectUrl,
      reconnect_connection_id: reconnectId,
      connection_id: null,
      started_version: null,
      created_at: now.toISOString(),
      expires_at: expiresAt,
      used_at: null,
    })
    return { token, expiresAt, connectUrl: `${baseUrl.replace(/\/$/, '')}/connect?session=${encodeURIComponent(token)}` }
  }

  /**
   * The session of `token`, when it is still usable.
   * @throws {PatchbayError} NOT_FOUND (unknown token), SESSION_EXPIRED, SESSION_USED (both 410).
   */
  async validate(token: unknown, now = new Date()): Promise<ConnectSession> {
    const session = await this.find(token)
    if (!session) throw new PatchbayError('NOT_FOUND', 'Unknown Connect session: the link is wrong or the session was deleted; ask the app for a new link')
    if (session.usedAt) throw new PatchbayError('SESSION_USED', 'This Connect session was already used to connect an account; ask the app for a new link')
    if (session.expiresAt <= now.toISOString()) throw new PatchbayError('SESSION_EXPIRED', 'This Connect session has expired; ask the app for a new link')
    return session
  }

  /** The session of `token` in whatever state (used, expired), or undefined when unknown. */
  async find(token: unknown): Promise<ConnectSession | undefined> {
    if (typeof token !== 'string' || !token.startsWith(CONNECT_TOKEN_PREFIX) || token.length > 100) return undefined
    const row = await this.#store.connectSessions.findByHash(hashConnectToken(token))
    return row ? sessionOf(row) : undefined
  }

  /** Whether `integration` is one the session may connect. */
  allows(session: ConnectSession, integration: Integration): boolean {
    return session.allowedIntegrations === null || session.allowedIntegrations.includes(integration.definition.id)
  }

  /** Records the connection an OAuth flow of this session started (PENDING until the callback). */
  async startConnection(session: ConnectSession, connectionId: string): Promise<void> {
    const row = await this.#store.getConnection(session.tenantId, connectionId)
    await this.#store.connectSessions.setConnection(session.tokenHash, connectionId, row?.version ?? 0)
  }

  /**
   * Uses the session up for `connectionId`: of concurrent completions only one succeeds.
   * @throws {PatchbayError} SESSION_USED or SESSION_EXPIRED when it can no longer be used.
   */
  async consume(session: ConnectSession, connectionId: string, now = new Date()): Promise<void> {
    if (await this.#store.connectSessions.markUsed(session.tokenHash, now, connectionId)) return
    const current = await this.#store.connectSessions.findByHash(session.tokenHash)
    if (current && !current.used_at) throw new PatchbayError('SESSION_EXPIRED', 'This Connect session has expired; ask the app for a new link')
    throw new PatchbayError('SESSION_USED', 'This Connect session was already used to connect an account; ask the app for a new link')
  }

  /** Makes a consumed session usable again when saving its connection failed afterwards. */
  async release(session: ConnectSession): Promise<void> {
    await this.#store.connectSessions.release(session.tokenHash)
  }

  async #checkAllowed(tenantId: string, raw: unknown): Promise<string[] | null> {
    if (raw === undefined || raw === null) return null
    if (!Array.isArray(raw) || raw.length === 0 || raw.length > 200 || !raw.every((x) => typeof x === 'string' && x.length > 0 && x.length <= 200)) {
      throw new PatchbayError('VALIDATION', 'allowedIntegrations must be a non-empty array of integration ids, e.g. ["github", "slack"]; leave it out to allow every integration')
    }
    const ids: string[] = []
    const unknown: string[] = []
    for (const id of raw as string[]) {
      const i = await this.#find(tenantId, id)
      if (!i) unknown.push(id)
      else if (!ids.includes(i.definition.id)) ids.push(i.definition.id)
    }
    if (unknown.length > 0) {
      throw new PatchbayError(
        'VALIDATION',
        `allowedIntegrations: unknown integration ${unknown.map((u) => JSON.stringify(u.slice(0, 100))).join(', ')}; list them with POST /v2/integrations/paginate`,
      )
    }
    return ids
  }
}

/** The read model of a stored session row. */
export function sessionOf(row: ConnectSessionRow): ConnectSession {
  return {
    id: row.id,
    tenantId: row.tenant_id,
    tokenHash: row.token_hash,
    endUser: { id: row.end_user_id, email: row.end_user_email, displayName: row.end_user_display_name },
    allowedIntegrations: row.allowed_integrations ? (JSON.parse(row.allowed_integrations) as string[]) : null,
    tags: row.tags ? (JSON.parse(row.tags) as Record<string, string>) : null,
    successRedirectUrl: row.success_redirect_url,
    errorRedirectUrl: row.error_redirect_url,
    reconnectConnectionId: row.reconnect_connection_id,
    connectionId: row.connection_id,
    startedVersion: row.started_version,
    expiresAt: row.expires_at,
    usedAt: row.used_at,
  }
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: refusing control characters is the point
const CONTROL = /[\u0000-\u001f\u007f]/

function text(v: unknown, name: string, max: number, required: boolean): string | null {
  if (v === undefined || v === null || v === '') {
    if (required) throw new PatchbayError('VALIDATION', `${name} is required`)
    return null
  }
  if (typeof v !== 'string') throw new PatchbayError('VALIDATION', `${name} must be a string; got ${Array.isArray(v) ? 'an array' : typeof v}`)
  if (v.length > max) throw new PatchbayError('VALIDATION', `${name} must be at most ${max} characters`)
  if (CONTROL.test(v)) throw new PatchbayError('VALIDATION', `${name} may not contain control characters`)
  return v
}

function checkEndUser(raw: unknown): ConnectEndUser {
  if (raw === undefined || raw === null) throw new PatchbayError('VALIDATION', 'endUser is required: { "id": "<your user id>", "email"?, "displayName"? }')
  if (typeof raw !== 'object' || Array.isArray(raw)) throw new PatchbayError('VALIDATION', 'endUser must be an object { "id": "<your user id>", "email"?, "displayName"? }')
  const u = raw as Record<string, unknown>
  for (const k of Object.keys(u)) {
    if (!['id', 'email', 'displayName'].includes(k)) throw new PatchbayError('VALIDATION', `Unknown endUser field ${JSON.stringify(k)}; use id, email, displayName`)
  }
  const id = text(u['id'], 'endUser.id', 200, true) as string
  if (id.trim() !== id) throw new PatchbayError('VALIDATION', 'endUser.id may not start or end with spaces')
  const email = text(u['email'], 'endUser.email', 320, false)
  if (email !== null && !/^[^\s@]+@[^\s@]+$/.test(email)) throw new PatchbayError('VALIDATION', 'endUser.email must be an email address, e.g. "ann@example.com"')
  return { id, email, displayName: text(u['displayName'], 'endUser.displayName', 200, false) }
}

function checkTags(raw: unknown): Record<string, string> | null {
  if (raw === undefined || raw === null) return null
  if (typeof raw !== 'object' || Array.isArray(raw)) throw new PatchbayError('VALIDATION', 'tags must be an object of strings, e.g. { "plan": "pro" }')
  const entries = Object.entries(raw as Record<string, unknown>)
  if (entries.length > MAX_TAGS) throw new PatchbayError('VALIDATION', `tags may have at most ${MAX_TAGS} keys`)
  for (const [k, v] of entries) {
    if (!/^[A-Za-z0-9_.:-]{1,64}$/.test(k)) throw new PatchbayError('VALIDATION', `tags: key ${JSON.stringify(k.slice(0, 80))} must be 1 to 64 letters, digits or _.:-`)
    text(v, `tags.${k}`, 256, true)
  }
  return entries.length > 0 ? (Object.fromEntries(entries) as Record<string, string>) : null
}

function checkRedirect(raw: unknown, name: string, origins: readonly string[]): string | null {
  const url = text(raw, name, 2048, false)
  if (url === null) return null
  const origin = originOf(url)
  if (origin === undefined) throw new PatchbayError('VALIDATION', `${name} must be an absolute http(s) URL, e.g. "https://app.example.com/connected"`)
  if (!origins.includes(origin)) {
    throw new PatchbayError(
      'VALIDATION',
      `${name}: origin ${origin} is not an allowed origin of this tenant; add it with PUT /api/v2/connect/settings { "allowedOrigins": ["${origin}"] }`,
    )
  }
  return url
}

function checkTtl(raw: unknown): number {
  if (raw === undefined || raw === null) return CONNECT_SESSION_TTL.default
  if (typeof raw !== 'number' || !Number.isInteger(raw) || raw < CONNECT_SESSION_TTL.min || raw > CONNECT_SESSION_TTL.max) {
    throw new PatchbayError(
      'VALIDATION',
      `expiresInSeconds must be an integer from ${CONNECT_SESSION_TTL.min} to ${CONNECT_SESSION_TTL.max} (default ${CONNECT_SESSION_TTL.default})`,
    )
  }
  return raw
}
