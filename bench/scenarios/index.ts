import type { BenchContext } from '../context.js'
import type { Metric } from '../report.js'
import * as actionOverhead from './action-overhead.js'
import * as catalogStart from './catalog-start.js'
import * as coldStart from './cold-start.js'
import * as connects from './connects.js'
import * as dataScale from './data-scale.js'
import * as inboundWebhooks from './inbound-webhooks.js'
import * as memory from './memory.js'
import * as refreshStorm from './refresh-storm.js'
import * as runLog from './run-log.js'
import * as scaleOut from './scale-out.js'
import * as triggers from './triggers.js'

/** What a scenario returns: its table rows, and raw facts for the JSON. */
export interface ScenarioOutput {
  metrics: Metric[]
  details: Record<string, unknown>
}

/** A scenario's description and its run function, keyed like `SCENARIOS` in report.ts. */
export interface ScenarioModule {
  measures: string
  run(ctx: BenchContext): Promise<ScenarioOutput>
}

/** Every scenario, by key. A new scenario: a module here plus its line in `SCENARIOS`. */
export const SCENARIO_MODULES: Record<string, ScenarioModule> = {
  'action-overhead': { measures: actionOverhead.MEASURES, run: actionOverhead.runActionOverhead },
  connects: { measures: connects.MEASURES, run: connects.runConnects },
  'cold-start': { measures: coldStart.MEASURES, run: coldStart.runColdStart },
  memory: { measures: memory.MEASURES, run: memory.runMemory },
  'data-scale': { measures: dataScale.MEASURES, run: dataScale.runDataScale },
  'refresh-storm': { measures: refreshStorm.MEASURES, run: refreshStorm.runRefreshStorm },
  'scale-out': { measures: scaleOut.MEASURES, run: scaleOut.runScaleOut },
  'catalog-start': { measures: catalogStart.MEASURES, run: catalogStart.runCatalogStart },
  triggers: { measures: triggers.MEASURES, run: triggers.runTriggers },
  'inbound-webhooks': { measures: inboundWebhooks.MEASURES, run: inboundWebhooks.runInboundWebhooks },
  'run-log': { measures: runLog.MEASURES, run: runLog.runRunLog },
}
