import { PatchbayError, type AuthenticationSchema } from '@patchbay/core'
import { decorateOAuth2 } from './oauth2/scheme.js'
import type { AuthScheme, AuthSchemes } from './scheme.js'
import { API_KEY, BASIC, BEARER_TOKEN, NO_AUTH } from './static.js'

/** A redirect scheme on a hub built without OAuth: connecting (or signing with) it is refused. */
function disabled(schema: AuthenticationSchema, decorate?: AuthScheme['decorate']): AuthScheme {
  const refuse = () => new PatchbayError('UNSUPPORTED_SCHEME', `${schema} is not enabled on this hub`)
  return {
    redirects: true,
    connect: async () => {
      throw refuse()
    },
    decorate:
      decorate ??
      (() => {
        throw refuse()
      }),
  }
}

/**
 * The registry of every scheme by name. The OAuth schemes are built by `OAuthService` (they need
 * the store, the vault and the OAuth apps); without them OAUTH1 and OAUTH2 connects are refused
 * (an OAUTH2 row still runs with its stored token, unrefreshed).
 *
 * @example
 * ```ts
 * const schemes = createAuthSchemes({ OAUTH1: oauth1Scheme(ctx), OAUTH2: oauth2Scheme(ctx) })
 * schemes.BEARER_TOKEN.decorate(request, credentials, context)
 * ```
 */
export function createAuthSchemes(oauth?: { OAUTH1: AuthScheme; OAUTH2: AuthScheme }): AuthSchemes {
  return Object.freeze({
    BEARER_TOKEN,
    API_KEY,
    BASIC,
    NO_AUTH,
    OAUTH1: oauth?.OAUTH1 ?? disabled('OAUTH1'),
    OAUTH2: oauth?.OAUTH2 ?? disabled('OAUTH2', decorateOAuth2),
  } satisfies Record<AuthenticationSchema, AuthScheme>)
}
