import { randomBytes } from 'node:crypto'
import type { FastifyReply, FastifyRequest } from 'fastify'
import type { Store } from '../../../store/store.js'
import { parseScopes, type KeyScope } from '../../../tenants/key-scopes.js'
import type { SecretBinding, Vault } from '../../../vault/vault.js'
import { DASHBOARD_PREFIX } from './paths.js'

/** The session cookie's name. */
export const SESSION_COOKIE = 'patchbay_dashboard'

/** How long a session lasts after sign-in, ms (8 hours: a working day). */
export const SESSION_TTL_MS = 8 * 3_600_000

/** What the sealed session cookie holds: never the key, only which key signed in and until when. */
export interface DashboardSession {
  /** Random id of this sign-in (told apart in logs; remembered as signed out by this process). */
  sid: string
  tenantId: string
  keyId: string
  /** Expiry, ms since the epoch. */
  exp: number
}

/** The signed-in caller of a dashboard request, checked against the store on every request. */
export interface DashboardCaller extends DashboardSession {
  keyName: string
  scopes: KeyScope[]
}

// The vault binds every sealed value to a tenant and a connection; a session is bound to neither,
// so it gets a binding of its own that no stored secret uses.
const BINDING: SecretBinding = { tenantId: 'dashboard', connectionId: 'session-cookie' }

/** Whether the request came over HTTPS: the socket, a proxy's `x-forwarded-proto`, or an https public URL. */
export function isSecureRequest(req: FastifyRequest, publicUrl: string | undefined): boolean {
  if (req.protocol === 'https') return true
  const forwarded = req.headers['x-forwarded-proto']
  const first = (Array.isArray(forwarded) ? forwarded[0] : forwarded)?.split(',')[0]?.trim().toLowerCase()
  if (first === 'https') return true
  return publicUrl?.startsWith('https://') ?? false
}

/** Cookie options of the session and CSRF cookies: HttpOnly, SameSite=Strict, the dashboard's path; Secure over HTTPS. */
export function cookieOptions(secure: boolean) {
  return { path: DASHBOARD_PREFIX, httpOnly: true, sameSite: 'strict' as const, secure }
}

/**
 * Dashboard sessions as sealed cookies: AES-256-GCM by the hub's vault (so every process with
 * the master key can read them, and no table is needed), holding the tenant, the key id and an
 * expiry. Each request re-reads the key: a revoked key (or one that lost `admin`) ends the
 * session at once, on every process. Sign-out clears the cookie and remembers its id in this
 * process until it expires.
 */
export class DashboardSessions {
  readonly #vault: Vault
  readonly #store: Store
  /** Signed-out session ids → their expiry; bounded by pruning expired ones. */
  readonly #signedOut = new Map<string, number>()

  constructor(vault: Vault, store: Store) {
    this.#vault = vault
    this.#store = store
  }

  /** Starts a session for a key: sets the sealed cookie. */
  start(reply: FastifyReply, tenantId: string, keyId: string, secure: boolean): void {
    const session: DashboardSession = { sid: randomBytes(16).toString('base64url'), tenantId, keyId, exp: Date.now() + SESSION_TTL_MS }
    void reply.setCookie(SESSION_COOKIE, this.#vault.seal(session, BINDING), { ...cookieOptions(secure), maxAge: SESSION_TTL_MS / 1000 })
  }

  /** Ends the session of `req`, if any: clears the cookie and refuses its id from now on (in this process). */
  end(req: FastifyRequest, reply: FastifyReply, secure: boolean): void {
    const s = this.#open(req)
    if (s) this.#signedOut.set(s.sid, s.exp)
    const now = Date.now()
    for (const [sid, exp] of this.#signedOut) if (exp < now) this.#signedOut.delete(sid)
    void reply.clearCookie(SESSION_COOKIE, cookieOptions(secure))
  }

  /**
   * The caller of `req`: the session cookie opened, not expired nor signed out, and its key still
   * existing with the `admin` scope; undefined otherwise.
   */
  async caller(req: FastifyRequest): Promise<DashboardCaller | undefined> {
    const s = this.#open(req)
    if (!s || s.exp < Date.now() || this.#signedOut.has(s.sid)) return undefined
    const key = (await this.#store.tenants.listApiKeys(s.tenantId)).find((k) => k.id === s.keyId)
    if (!key) return undefined
    const scopes = parseScopes(key.scopes)
    if (!scopes.includes('admin')) return undefined
    return { ...s, keyName: key.name, scopes }
  }

  #open(req: FastifyRequest): DashboardSession | undefined {
    const raw = req.cookies[SESSION_COOKIE]
    if (!raw || raw.length > 4096) return undefined
    try {
      const s = this.#vault.open<DashboardSession>(raw, BINDING)
      if (typeof s?.sid !== 'string' || typeof s.tenantId !== 'string' || typeof s.keyId !== 'string' || typeof s.exp !== 'number') return undefined
      return s
    } catch {
      return undefined
    }
  }
}
