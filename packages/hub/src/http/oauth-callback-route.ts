import type { FastifyInstance } from 'fastify'
import { callbackPage } from './pages/callback-page.js'
import type { ServerDeps } from './server-deps.js'

/** Path of the OAuth callback (public: the single-use state is the credential). */
export const OAUTH_CALLBACK_PATH = '/oauth/callback'

/** `GET /oauth/callback`: where providers send the user back; answers the HTML callback page. */
export function registerOAuthCallbackRoute(app: FastifyInstance, deps: Pick<ServerDeps, 'oauth'>): void {
  const schema = {
    summary: 'Where OAuth providers send the user back (the single-use state is the credential); answers an HTML page',
    tags: ['oauth'],
    security: [],
    querystring: {
      type: 'object',
      properties: { state: { type: 'string' }, code: { type: 'string' }, error: { type: 'string' }, oauth_token: { type: 'string' }, oauth_verifier: { type: 'string' } },
    },
  }
  app.get<{ Querystring: Record<string, string | undefined> }>(OAUTH_CALLBACK_PATH, { schema }, async (req, reply) => {
    const outcome = await deps.oauth.callback(req.query)
    req.log.info({ ok: outcome.ok, connectionId: outcome.connectionId, status: outcome.status }, `OAuth callback: ${outcome.title}`)
    return reply
      .status(outcome.status)
      .header('content-type', 'text/html; charset=utf-8')
      .header('cache-control', 'no-store')
      .header('referrer-policy', 'no-referrer')
      .header('content-security-policy', "default-src 'none'; style-src 'unsafe-inline'; script-src 'self'; frame-ancestors 'none'")
      .send(callbackPage(outcome))
  })
}
