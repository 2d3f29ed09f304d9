import { callHub, type BenchContext } from '../context.js'
import type { ChildHandle } from '../processes.js'
import { measured, type Metric } from '../report.js'
import { percentile } from '../stats.js'
import { connectHttpApi, onSqliteAndPostgres, startReceiver, subscribe, until, type Receiver } from '../trigger-bench.js'

/** How many schedules of each kind fall due at one instant (50 is also the most one connection may have). */
const COUNT = 50

/** What scenario 9 measures. */
export const MEASURES =
  `Schedules and trigger work (inbound webhooks are scenario 10): schedule firing lateness, from the due time to the ` +
  `timestamp of the trigger.fired event, for ${COUNT} aiXplain once-triggers (POST /v1/triggers, nothing to run) and for ` +
  `${COUNT} SCHEDULE once-triggers on one HTTP API connection (each runs the REQUEST action against the stand-in ` +
  'service, its result in the event), each batch due at one instant; one hub process, in-process engine on SQLite, ' +
  'pg-boss on PostgreSQL; p50 and p99.'

/** The `trigger.fired` events of schedules that reached the receiver, aiXplain ones or connection ones. */
function fired(receiver: Receiver, kind: 'aixplain' | 'connection'): Array<{ body: any }> {
  return receiver.arrivals.filter((a) => a.body?.data?.cause?.type === 'schedule' && (kind === 'connection') === (a.body?.data?.slug === 'SCHEDULE'))
}

/** A due instant a few seconds ahead (on a whole second), time enough to create a batch. */
const dueSoon = () => new Date(Math.ceil((Date.now() + 4_000) / 1000) * 1000)

/** Creates a batch with `create(i, due)`, waits for all of it to fire, answers each one's lateness (ms). */
async function batch(receiver: Receiver, kind: 'aixplain' | 'connection', create: (i: number, due: Date) => Promise<unknown>): Promise<number[]> {
  const due = dueSoon()
  for (let i = 0; i < COUNT; i++) await create(i, due)
  await until(`${COUNT} ${kind} schedules to fire`, () => fired(receiver, kind).length >= COUNT, 120_000)
  return fired(receiver, kind).map((a) => Date.parse(a.body.timestamp) - Date.parse(a.body.data.cause.scheduledAt))
}

async function measureOn(ctx: BenchContext, hub: ChildHandle, db: string): Promise<Metric[]> {
  const receiver = await startReceiver()
  try {
    await subscribe(ctx, hub.url, receiver)
    const aixplain = await batch(receiver, 'aixplain', (i, due) =>
      callHub(hub.url, ctx.apiKey, 'POST', '/v1/triggers', {
        name: `bench ${i}`,
        triggerType: 'time',
        assetType: 'agent',
        assetId: 'bench-agent',
        input: { i },
        configuration: { type: 'once', runAt: due.toISOString() },
      }),
    )
    const connectionId = await connectHttpApi(ctx, hub.url, 'bench schedules')
    const onConnection = await batch(receiver, 'connection', (i, due) =>
      callHub(hub.url, ctx.apiKey, 'POST', `/api/v2/connections/${connectionId}/triggers`, {
        slug: 'SCHEDULE',
        config: { action: 'REQUEST', input: { method: 'GET', path: `/schedule/${i}` }, schedule: { once: due.toISOString() } },
      }),
    )
    const failedRuns = fired(receiver, 'connection').filter((a) => a.body.data.result?.status !== 200).length
    if (failedRuns > 0) throw new Error(`${failedRuns} of ${COUNT} scheduled REQUEST runs did not answer 200`)
    ctx.progress(`schedules ${db}: aiXplain p50 ${percentile(sorted(aixplain), 50)} ms, on a connection p50 ${percentile(sorted(onConnection), 50)} ms`)
    return [
      measured({ name: `aiXplain schedule lateness p50 (${COUNT} due at once), ${db}`, unit: 'ms', samples: [percentile(sorted(aixplain), 50)] }),
      measured({ name: `aiXplain schedule lateness p99 (${COUNT} due at once), ${db}`, unit: 'ms', samples: [percentile(sorted(aixplain), 99)] }),
      measured({ name: `connection SCHEDULE lateness p50 (${COUNT} due at once, action run included), ${db}`, unit: 'ms', samples: [percentile(sorted(onConnection), 50)] }),
      measured({ name: `connection SCHEDULE lateness p99 (${COUNT} due at once, action run included), ${db}`, unit: 'ms', samples: [percentile(sorted(onConnection), 99)] }),
    ]
  } finally {
    await receiver.close()
  }
}

const sorted = (xs: number[]) => [...xs].sort((a, b) => a - b)

/** Scenario 9: schedule lateness on SQLite and on PostgreSQL. */
export async function runTriggers(ctx: BenchContext): Promise<{ metrics: Metric[]; details: Record<string, unknown> }> {
  const metrics = await onSqliteAndPostgres(
    ctx,
    'triggers',
    [
      [`aiXplain schedule lateness p50 (${COUNT} due at once)`, 'ms'],
      [`aiXplain schedule lateness p99 (${COUNT} due at once)`, 'ms'],
      [`connection SCHEDULE lateness p50 (${COUNT} due at once, action run included)`, 'ms'],
      [`connection SCHEDULE lateness p99 (${COUNT} due at once, action run included)`, 'ms'],
    ],
    (hub, db) => measureOn(ctx, hub, db),
  )
  return { metrics, details: { count: COUNT } }
}
