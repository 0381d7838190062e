/**
 * The body of one sweep run, executed in a worker thread of the sweep's pool:
 * runs the scenario with the run's seed and returns the summary's numbers.
 */
import type { Scenario } from '../scenario/types.js'
import { runScenario } from '../sim/run.js'
import { numericLeaves } from './flatten.js'

export interface SweepTask {
  scenario: Scenario
  seed: number
}

export default async function runTask(task: SweepTask): Promise<Record<string, number>> {
  const { summary } = await runScenario(task.scenario, { seed: task.seed })
  return numericLeaves(summary)
}
