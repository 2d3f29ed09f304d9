import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import { RUN_BODY, isRunSuccess, sleep, startBenchHub, type BenchContext } from '../context.js'
import { connectOAuth, setOAuthApp, startTokenServer, writeOAuthCatalog } from '../oauth.js'
import { measured, type Metric } from '../report.js'

/** What scenario 6 measures. */
export const MEASURES =
  '500 concurrent action runs on one OAUTH2 connection whose access token has expired: the total time until all ' +
  '500 have answered, and the number of token requests the hub sent (exactly one: concurrent runs share one refresh). ' +
  'The token server rotates refresh tokens and refuses a reused one, as real providers do, so a race would fail runs.'

/** Concurrent runs of the storm. */
export const STORM_RUNS = 500

/** The first token's lifetime (s), and the wait after a connect by which it has surely expired. */
const FIRST_TOKEN_S = 1
const EXPIRED_AFTER_MS = FIRST_TOKEN_S * 1000 + 100

/**
 * Scenario 6: the refresh storm. Each round connects a fresh OAUTH2 connection through the hub's
 * real flow, with a first token that expires in 1 s, waits until it has expired, then fires
 * {@link STORM_RUNS} runs at once. (The hub refreshes a token once less than min(margin, half its
 * lifetime) remains, so a 1 s token fired on at once is still good for half a second: rounds that
 * came within it measured no refresh at all.)
 */
export async function runRefreshStorm(ctx: BenchContext): Promise<{ metrics: Metric[]; details: Record<string, unknown> }> {
  const tokens = await startTokenServer()
  const catalogDir = join(ctx.tmpDir, 'oauth-catalog')
  await writeOAuthCatalog(catalogDir, ctx.upstream.url, tokens.url)
  const hub = await startBenchHub(ctx, 'refresh-storm', { catalogDirs: [ctx.echoCatalogDir, catalogDir] })
  try {
    await setOAuthApp(hub.url, ctx.apiKey)
    tokens.initialExpiresIn = FIRST_TOKEN_S
    const times: number[] = []
    const requests: number[] = []
    for (let r = 0; r < ctx.options.rounds; r++) {
      const id = await connectOAuth(hub.url, ctx.apiKey, `bench-storm-${r}`)
      await sleep(EXPIRED_AFTER_MS)
      const before = tokens.refreshes
      const started = performance.now()
      const bodies = await Promise.all(
        Array.from({ length: STORM_RUNS }, () =>
          fetch(`${hub.url}/api/v2/execute/${id}`, { method: 'POST', headers: { 'x-api-key': ctx.apiKey, 'content-type': 'application/json' }, body: RUN_BODY }).then((res) =>
            res.text(),
          ),
        ),
      )
      times.push(performance.now() - started)
      requests.push(tokens.refreshes - before)
      const failed = bodies.filter((b) => !isRunSuccess(b))
      if (failed.length) throw new Error(`${failed.length} of ${STORM_RUNS} runs failed in the refresh storm, e.g. ${failed[0]?.slice(0, 300)}`)
      ctx.progress(`round ${r + 1}/${ctx.options.rounds}: ${STORM_RUNS} runs in ${Math.round(times.at(-1) as number)} ms, ${requests.at(-1)} token request(s)`)
    }
    return {
      metrics: [
        measured({ name: `total time, ${STORM_RUNS} concurrent runs on an expired token`, unit: 'ms', samples: times }),
        measured({ name: 'token requests sent', unit: '', samples: requests, target: { text: '= 1', of: 'value', min: 1, max: 1 } }),
      ],
      details: { runs: STORM_RUNS, reusedRefreshTokens: tokens.reused },
    }
  } finally {
    await hub.stop()
    await tokens.close()
  }
}
