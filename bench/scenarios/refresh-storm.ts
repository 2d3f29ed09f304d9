import type { BenchContext } from '../context.js'
import { notAvailable, type Metric } from '../report.js'

/** What scenario 6 measures. */
export const MEASURES =
  '500 concurrent action runs on one OAUTH2 connection whose access token has expired: the total time until all ' +
  '500 have answered, and the number of token requests the hub sent (exactly one: concurrent runs share one refresh).'

/** Concurrent runs of the storm. */
export const STORM_RUNS = 500

/**
 * Scenario 6: the refresh storm. Not measurable until OAuth 2 lands in the hub.
 *
 * TODO(OAuth 2): implement here, keeping the signature; nothing else in bench/ needs to change.
 *  1. Start a stand-in token endpoint on 127.0.0.1 that counts `grant_type=refresh_token` requests
 *     and answers a new access token (a second bench/*.mjs server like upstream-server.mjs, or an
 *     in-process node:http server, since it only counts).
 *  2. Write an OAUTH2 definition pointing its token URL at it and its baseUrl at `ctx.upstream.url`
 *     (see `echoDefinition` in bench/catalog.ts), and start a hub on it with `startBenchHub`.
 *  3. Create the connection with an access token that has already expired and a refresh token:
 *     through the hub's OAuth flow, or seeded through the store as bench/seed.ts does (sealed
 *     secrets plus `token_expires_at` in the past).
 *  4. Fire STORM_RUNS runs at once (`Promise.all` of `callHub(..., RUN_BODY)`, or autocannon with
 *     `connections: STORM_RUNS, amount: STORM_RUNS`) and time them from first send to last answer.
 *  5. Return `measured({ name: 'total time, 500 concurrent runs', unit: 'ms', ... })` and
 *     `measured({ name: 'token requests', unit: '', samples, target: { text: '= 1', of: 'value', min: 1, max: 1 } })`,
 *     one sample per round, with a fresh expired connection each round.
 */
export async function runRefreshStorm(_ctx: BenchContext): Promise<{ metrics: Metric[]; details: Record<string, unknown> }> {
  const why = 'needs OAuth 2 in the hub'
  return {
    metrics: [
      notAvailable(`total time, ${STORM_RUNS} concurrent runs on an expired token`, 'ms', why),
      notAvailable('token requests sent', '', why, { text: '= 1', of: 'value', min: 1, max: 1 }),
    ],
    details: { runs: STORM_RUNS },
  }
}
