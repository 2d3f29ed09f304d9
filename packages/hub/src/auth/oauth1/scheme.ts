import { PatchbayError } from '@patchbay/core'
import type { Integration } from '../../catalog/catalog.js'
import type { ConnectionRow } from '../../store/store.js'
import { openConnectionSecrets, sealConnectionSecrets } from '../../vault/connection-secrets.js'
import { configOf, resolveOAuth1 } from '../oauth-endpoints.js'
import { activate, checkEndpoint, connected, fail, failed, inputsOf, markError, openAuthorization, requireApp, startAuthorization, type OAuthContext } from '../oauth-context.js'
import type { AuthScheme, CallbackOutcome } from '../scheme.js'
import { setHeader } from '../scheme.js'
import { applyCredentials } from '../static.js'
import {
  authorizationUrl,
  processCredentialsResponse,
  processTemporaryCredentialsResponse,
  signatureMethodOf,
  temporaryCredentialsRequest,
  tokenCredentialsRequest,
  type OAuth1CallOptions,
} from './flow.js'
import { signOAuth1 } from './sign.js'

/** Keys of an OAUTH1 connection's secrets that are the protocol's, not connect inputs. */
const OAUTH1_SECRET_KEYS = ['oauth_token', 'oauth_token_secret', 'raw'] as const

/** Whether a callback query is an OAuth 1.0a redirect (`oauth_token` + `oauth_verifier`, or `denied`). */
export function isOAuth1Callback(q: Record<string, string | undefined>): boolean {
  return q['oauth_token'] !== undefined || q['denied'] !== undefined
}

/**
 * OAuth 1.0a: the three-legged flow (RFC 5849 §2) and the signing of every action request
 * (§3), covering the query and any form-encoded body.
 *
 * @example
 * ```ts
 * const OAUTH1 = oauth1Scheme(ctx)
 * ```
 */
export function oauth1Scheme(ctx: OAuthContext): AuthScheme {
  const options = (integration: Integration): OAuth1CallOptions => ({ name: integration.definition.name, fetch: ctx.fetchFor(integration), timeoutMs: ctx.timeoutMs })
  return {
    redirects: true,

    async connect(c) {
      const { integration } = c
      const app = await requireApp(ctx, c.tenantId, integration, c.schema, 'consumer key and secret')
      const declared = integration.definition.auth.OAUTH1?.oauth1
      if (!declared) throw new PatchbayError('UNSUPPORTED_SCHEME', `${integration.definition.name} declares ${c.schema} without its provider endpoints`)
      const o1 = resolveOAuth1(integration.definition.name, declared, c.config, ctx)
      checkEndpoint(o1.requestTokenUrl, 'requestTokenUrl', integration)
      checkEndpoint(o1.authorizationUrl, 'authorizationUrl', integration)
      const temp = await processTemporaryCredentialsResponse(await temporaryCredentialsRequest(o1, app, ctx.callbackUrl(), options(integration)), integration.definition.name)
      const id = await startAuthorization(ctx, c, `oauth1:${temp.token}`, { token: temp.token, tokenSecret: temp.tokenSecret })
      return { id, redirectURL: authorizationUrl(o1, temp.token).toString() }
    },

    async complete(q): Promise<CallbackOutcome> {
      const handle = q['oauth_token'] ?? q['denied']
      if (!handle) {
        return fail(400, 'Invalid authorization response', 'This page was opened without the state the hub gave the provider. Start the connection again from your app.')
      }
      const opened = await openAuthorization(ctx, `oauth1:${handle}`)
      if (!('flow' in opened)) return opened
      const { connection, integration, flow } = opened
      const name = integration.definition.name
      let o1 = integration.definition.auth.OAUTH1?.oauth1
      if (q['denied'] !== undefined || !q['oauth_verifier']) {
        await markError(ctx, connection, `access was denied at ${name}`)
        return fail(400, 'Access denied', `Access was not granted at ${name}. Nothing was connected; you can start again.`, connection.id)
      }
      if (!o1) return failed(ctx, connection, name, 'the integration no longer declares OAUTH1')
      const app = await ctx.apps.get(connection.tenant_id, integration.modelId)
      if (!app) return failed(ctx, connection, name, 'its OAuth app was removed')
      let res
      try {
        o1 = resolveOAuth1(name, o1, configOf(connection), ctx)
        checkEndpoint(o1.accessTokenUrl, 'OAuth 1.0a endpoint', integration)
        const temporary = { token: flow['token'] as string, secret: flow['tokenSecret'] as string }
        res = await processCredentialsResponse(await tokenCredentialsRequest(o1, app, temporary, q['oauth_verifier'], options(integration)), name)
      } catch (err) {
        return failed(ctx, connection, name, `the token exchange failed (${(err as Error).message})`)
      }
      if (!res.pair) return failed(ctx, connection, name, 'the token response had no oauth_token and oauth_token_secret')
      const inputs = inputsOf(openConnectionSecrets(ctx.vault, connection), OAUTH1_SECRET_KEYS)
      const secrets = { ...inputs, oauth_token: res.pair.token, oauth_token_secret: res.pair.tokenSecret, raw: res.pair.raw }
      await activate(ctx, connection, { secrets: sealConnectionSecrets(ctx.vault, connection.tenant_id, connection.id, secrets), token_expires_at: null })
      return connected(name, connection.id)
    },

    async decorate(request, credentials, { integration, connection, apply }) {
      const out = await applyCredentials(apply, request, credentials)
      setHeader(out.headers, 'Authorization', await signRequest(ctx, integration, connection, credentials.secrets, out))
      return out
    },
  }
}

/**
 * The `Authorization` header of an OAuth 1.0a signed action request (RFC 5849 §3.5.1), covering
 * the query and any form-encoded body.
 *
 * @throws {PatchbayError} OAUTH_APP_NOT_CONFIGURED when the consumer key and secret are not set.
 */
export async function signRequest(
  ctx: Pick<OAuthContext, 'apps'>,
  integration: Integration,
  row: ConnectionRow,
  secrets: Record<string, unknown>,
  req: { method: string; url: string; headers: Record<string, string>; body: string | undefined },
): Promise<string> {
  const o1 = integration.definition.auth.OAUTH1?.oauth1
  const app = await ctx.apps.get(row.tenant_id, integration.modelId)
  if (!o1 || !app) {
    throw new PatchbayError(
      'OAUTH_APP_NOT_CONFIGURED',
      `Connection ${row.id} needs the OAuth 1.0a consumer key and secret of ${integration.definition.name}: set them with \`patchbay oauth-app set ${integration.definition.id} --client-id <key> --client-secret <secret>\``,
    )
  }
  const contentType = Object.entries(req.headers).find(([k]) => k.toLowerCase() === 'content-type')?.[1] ?? ''
  const form = req.body !== undefined && contentType.startsWith('application/x-www-form-urlencoded') ? new URLSearchParams(req.body) : undefined
  return signOAuth1(
    signatureMethodOf(o1),
    { consumerKey: app.clientId, consumerSecret: app.clientSecret, token: String(secrets['oauth_token']), tokenSecret: String(secrets['oauth_token_secret']) },
    { method: req.method, url: req.url, ...(form ? { form } : {}) },
  )
}
