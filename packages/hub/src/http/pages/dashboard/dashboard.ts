import cookie from '@fastify/cookie'
import csrf from '@fastify/csrf-protection'
import formbody from '@fastify/formbody'
import { PatchbayError } from '@patchbay/core'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { AuthFailureGuard } from '../../auth-failures.js'
import type { ServerDeps } from '../../server-deps.js'
import { DASHBOARD_JS, dashboardCss } from './assets.js'
import { formField, type DashboardKit } from './kit.js'
import { html } from './html.js'
import { csrfField, page, url, type PageContext } from './layout.js'
import { DASHBOARD_PREFIX } from './paths.js'
import { cookieOptions, DashboardSessions, isSecureRequest, type DashboardCaller } from './session.js'
import { registerIntegrationsView } from './integrations-view.js'
import { registerConnectionsView } from './connections-view.js'
import { registerRunsView } from './runs-view.js'
import { registerWebhooksView } from './webhooks-view.js'
import { registerKeysView } from './keys-view.js'
import { registerToolsView } from './tools-view.js'

/** The CSRF secret's cookie (the token itself travels in each form's `_csrf` field). */
export const CSRF_COOKIE = 'patchbay_csrf'

/** Headers of every dashboard answer: a strict CSP (own scripts and styles only, no framing), no caching. */
const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy':
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
  'cache-control': 'no-store',
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
}

/** Paths under /dashboard that need no session. */
const OPEN_PATHS = new Set([`${DASHBOARD_PREFIX}/sign-in`, `${DASHBOARD_PREFIX}/assets/dashboard.css`, `${DASHBOARD_PREFIX}/assets/dashboard.js`])

const SIGN_IN_REASONS: Readonly<Record<string, string>> = {
  ended: 'Your session ended: it expired, you signed out, or its key was revoked or lost the admin scope. Sign in again.',
  'signed-out': 'You are signed out.',
}

/**
 * The operator's dashboard at `/dashboard`: server-rendered pages over the same services the API
 * routes use (never the HTTP API itself). Sign-in takes an admin API key and sets a sealed,
 * HttpOnly, SameSite=Strict session cookie (session.ts); every form carries a CSRF token
 * (`@fastify/csrf-protection`); every answer has a strict CSP and `no-store`. docs/dashboard.md
 * describes the views and the design.
 */
export function registerDashboard(app: FastifyInstance, deps: ServerDeps): void {
  void app.register(
    async (d) => {
      await d.register(cookie)
      await d.register(formbody)
      await d.register(csrf, {
        sessionPlugin: '@fastify/cookie',
        cookieKey: CSRF_COOKIE,
        cookieOpts: cookieOptions(false),
        getToken: (req) => formField(req.body, '_csrf') || undefined,
      })
      const sessions = new DashboardSessions(deps.vault, deps.store)
      const guard = new AuthFailureGuard(d, { maxFailures: deps.limits.authFailuresPerWindow, windowMs: deps.limits.authFailureWindowMs })
      const callers = new WeakMap<FastifyRequest, DashboardCaller>()
      // One token per request: generating twice before the secret cookie exists would set two secrets.
      const tokens = new WeakMap<FastifyRequest, string>()
      const tokenOf = (req: FastifyRequest, reply: FastifyReply) => {
        let t = tokens.get(req)
        if (t === undefined) {
          t = reply.generateCsrf(cookieOptions(secure(req)))
          tokens.set(req, t)
        }
        return t
      }
      const productName = deps.branding?.productName ?? 'Patchbay'
      const css = dashboardCss(deps.branding?.accentColor)
      const secure = (req: FastifyRequest) => isSecureRequest(req, deps.publicUrl())

      const kit: DashboardKit = {
        deps,
        caller: (req) => callers.get(req) as DashboardCaller,
        context: (req, reply, active, extra = {}) => ({
          productName,
          csrf: tokenOf(req, reply),
          keyName: callers.get(req)?.keyName,
          active,
          ...extra,
        }),
        send: (reply, body, status = 200) => reply.code(status).type('text/html; charset=utf-8').send(body),
        redirect: (reply, path) => reply.redirect(url(path), 303),
      }

      d.addHook('onSend', async (_req, reply, payload) => {
        for (const [k, v] of Object.entries(SECURITY_HEADERS)) void reply.header(k, v)
        return payload
      })

      // The session: every page but sign-in and the assets needs one, checked against the key's row.
      d.addHook('onRequest', async (req, reply) => {
        const path = req.url.split('?')[0] as string
        if (OPEN_PATHS.has(path)) return
        const caller = await sessions.caller(req)
        if (!caller) {
          const hadCookie = Boolean(req.cookies['patchbay_dashboard'])
          if (hadCookie) sessions.end(req, reply, secure(req))
          return reply.redirect(`${url('sign-in')}${hadCookie ? '?reason=ended' : ''}`, 303)
        }
        callers.set(req, caller)
        req.tenantId = caller.tenantId
        req.keyId = caller.keyId
        req.keyScopes = caller.scopes
      })

      // Every form post must carry the page's CSRF token.
      d.addHook('preHandler', (req, reply, done) => {
        if (req.method !== 'POST') return done()
        d.csrfProtection(req, reply, done)
      })

      d.setErrorHandler((err, req, reply) => {
        const code = (err as { code?: string }).code ?? ''
        let status: number
        let message: string
        if (code.startsWith('FST_CSRF_')) {
          status = 403
          message = 'This form was refused: its security token is missing or out of date (CSRF protection). Reload the page and submit the form again.'
        } else if (err instanceof PatchbayError) {
          status = err.status
          message = err.message
        } else if (typeof (err as { statusCode?: number }).statusCode === 'number' && (err as { statusCode: number }).statusCode < 500) {
          status = (err as { statusCode: number }).statusCode
          message = (err as Error).message
        } else {
          req.log.error({ err }, 'unexpected dashboard error')
          status = 500
          message = 'Something went wrong on the hub; its log has the details.'
        }
        const ctx: PageContext = { ...kit.context(req, reply, undefined), error: message }
        const back = callers.has(req) ? html`<p><a href="${url('integrations')}">Back to the dashboard</a></p>` : html`<p><a href="${url('sign-in')}">Sign in</a></p>`
        void kit.send(reply, page(ctx, status === 403 ? 'Refused' : status === 404 ? 'Not found' : 'Something is wrong', back), status)
      })

      d.setNotFoundHandler((req, reply) => {
        const ctx = { ...kit.context(req, reply, undefined), error: `There is no dashboard page ${req.url.split('?')[0]}.` }
        return kit.send(reply, page(ctx, 'Not found', html`<p><a href="${url('integrations')}">Back to the dashboard</a></p>`), 404)
      })

      const hidden = { schema: { hide: true } }
      d.get('/assets/dashboard.css', hidden, async (_req, reply) => reply.type('text/css; charset=utf-8').send(css))
      d.get('/assets/dashboard.js', hidden, async (_req, reply) => reply.type('text/javascript; charset=utf-8').send(DASHBOARD_JS))
      d.get('/', hidden, async (_req, reply) => kit.redirect(reply, 'integrations'))

      const signInPage = (req: FastifyRequest, reply: FastifyReply, extra: Partial<PageContext>, status = 200) => {
        const ctx = kit.context(req, reply, undefined, extra)
        const body = html`<form class="stack signin" method="post" action="${url('sign-in')}">${csrfField(ctx)}
<p>Sign in with an API key of your tenant that has the <code>admin</code> scope (<code>patchbay keys create --name me</code> prints one).</p>
<div><label for="key">API key</label><input id="key" name="key" type="password" autocomplete="off" spellcheck="false" required aria-describedby="key-hint"><span id="key-hint" class="hint">The key is checked once and never stored in your browser; the session lasts 8 hours.</span></div>
<div><button type="submit">Sign in</button></div></form>`
        return kit.send(reply, page(ctx, 'Sign in', body), status)
      }

      d.get<{ Querystring: { reason?: string } }>('/sign-in', hidden, async (req, reply) => {
        if (await sessions.caller(req)) return kit.redirect(reply, 'integrations')
        const reason = SIGN_IN_REASONS[req.query.reason ?? '']
        return signInPage(req, reply, reason ? { notice: reason } : {})
      })

      d.post('/sign-in', hidden, async (req, reply) => {
        guard.check(req, reply)
        const key = formField(req.body, 'key').trim()
        if (!key) return signInPage(req, reply, { error: 'Enter an API key.' }, 400)
        const resolved = key.length <= 512 ? await deps.keys.resolve(key) : undefined
        if (!resolved) {
          await guard.failed(req, reply, key)
          return signInPage(req, reply, { error: 'That API key is not valid: it is unknown or was revoked. Check it, or create one with patchbay keys create --name <name>.' }, 401)
        }
        if (!resolved.scopes.includes('admin')) {
          return signInPage(req, reply, { error: `That key has the ${resolved.scopes.join(', ')} scope; the dashboard needs a key with the admin scope.` }, 403)
        }
        sessions.start(reply, resolved.tenantId, resolved.keyId, secure(req))
        // A fresh CSRF secret for the signed-in session.
        void reply.clearCookie(CSRF_COOKIE, cookieOptions(secure(req)))
        req.log.info({ tenant: resolved.tenantId, keyId: resolved.keyId }, 'dashboard sign-in')
        return kit.redirect(reply, 'integrations')
      })

      d.post('/sign-out', hidden, async (req, reply) => {
        sessions.end(req, reply, secure(req))
        void reply.clearCookie(CSRF_COOKIE, cookieOptions(secure(req)))
        return reply.redirect(`${url('sign-in')}?reason=signed-out`, 303)
      })

      registerIntegrationsView(d, kit)
      registerConnectionsView(d, kit)
      registerRunsView(d, kit)
      registerWebhooksView(d, kit)
      registerKeysView(d, kit)
      registerToolsView(d, kit)
    },
    { prefix: DASHBOARD_PREFIX },
  )
}
