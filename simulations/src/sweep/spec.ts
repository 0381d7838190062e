import { createHash } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import { dirname, resolve } from 'node:path'
import { errorMessage } from '@cocoon-mesh/protocol'
import { Ajv } from 'ajv'
import { InvalidScenarioError, parseScenario } from '../scenario/load.js'
import type { Scenario } from '../scenario/types.js'
import { InvalidSweepError } from './errors.js'

/**
 * A sweep file: one base scenario, a grid of overrides (dot paths into the
 * scenario, each with the values to try) and the seeds every grid point runs
 * with. Runs are the grid's cartesian product times the seeds, numbered in a
 * fixed order so that shards and worker counts never change which run is which.
 */
export interface SweepSpec {
  name: string
  /** Path of the base scenario, relative to the sweep file. */
  scenario: string
  /** Dot path into the scenario (`providers.0.strategy`) → the values to try. */
  grid: Record<string, unknown[]>
  seeds: number[] | { from: number; count: number }
  /** Summary fields (dot paths) the summary table reports with 95% confidence intervals. */
  metrics: string[]
}

/** One run of a sweep: which grid point, which seed, and the scenario it runs. */
export interface SweepRun {
  index: number
  point: number
  params: Record<string, unknown>
  seed: number
  scenario: Scenario
}

export interface LoadedSweep {
  spec: SweepSpec
  /** sha256 of the sweep file and of the base scenario file, for run metadata. */
  sweepSha256: string
  scenarioSha256: string
  points: Array<Record<string, unknown>>
  runs: SweepRun[]
}

/** Caps that keep a sweep file from asking for more runs than any machine finishes. */
export const MAX_SWEEP_RUNS = 100_000
export const MAX_SWEEP_SEEDS = 10_000

export const DEFAULT_SWEEP_METRICS = [
  'jobs.successRate',
  'price.medianPaidPerK',
  'providerUtilisation.mean',
  'offerPropagation.p99Ms',
  'dhtLookup.msP99',
]

const sweepSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['scenario', 'grid', 'seeds'],
  properties: {
    name: { type: 'string', minLength: 1, default: 'sweep' },
    scenario: { type: 'string', minLength: 1 },
    grid: {
      type: 'object',
      minProperties: 1,
      additionalProperties: { type: 'array', minItems: 1 },
    },
    seeds: {
      oneOf: [
        { type: 'array', minItems: 1, maxItems: MAX_SWEEP_SEEDS, items: { type: 'integer', minimum: 0 } },
        {
          type: 'object',
          additionalProperties: false,
          required: ['from', 'count'],
          properties: {
            from: { type: 'integer', minimum: 0 },
            count: { type: 'integer', minimum: 1, maximum: MAX_SWEEP_SEEDS },
          },
        },
      ],
    },
    metrics: {
      type: 'array',
      minItems: 1,
      items: { type: 'string', minLength: 1 },
      default: DEFAULT_SWEEP_METRICS,
    },
  },
} as const

const validate = new Ajv({ allErrors: true, useDefaults: true, strict: false }).compile<SweepSpec>(
  sweepSchema,
)

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex')
}

async function readJson(path: string, what: string): Promise<{ text: string; json: unknown }> {
  let text: string
  try {
    text = await readFile(path, 'utf8')
  } catch (cause) {
    throw new InvalidSweepError(`Cannot read ${what} ${path}`, [`${path}: ${errorMessage(cause)}`], { cause })
  }
  try {
    return { text, json: JSON.parse(text) }
  } catch (cause) {
    throw new InvalidSweepError(`${what} ${path} is not JSON`, [`${path}: ${errorMessage(cause)}`], { cause })
  }
}

/** Sets `value` at a dot path, refusing a path whose parent does not exist (a typo would otherwise add a field). */
export function setPath(target: Record<string, unknown>, path: string, value: unknown): void {
  const keys = path.split('.')
  let node: unknown = target
  for (const key of keys.slice(0, -1)) {
    if (node === null || typeof node !== 'object' || !(key in node))
      throw new InvalidSweepError('A grid path does not exist in the scenario', [
        `grid.${path}: the scenario has no field ${key} here; use a path the scenario file (with its defaults) has`,
      ])
    node = (node as Record<string, unknown>)[key]
  }
  if (node === null || typeof node !== 'object')
    throw new InvalidSweepError('A grid path does not exist in the scenario', [
      `grid.${path}: its parent is not an object`,
    ])
  ;(node as Record<string, unknown>)[keys[keys.length - 1] as string] = value
}

/** The grid's cartesian product, the last path varying fastest. */
export function gridPoints(grid: Record<string, unknown[]>): Array<Record<string, unknown>> {
  let points: Array<Record<string, unknown>> = [{}]
  for (const [path, values] of Object.entries(grid))
    points = points.flatMap((p) => values.map((v) => ({ ...p, [path]: v })))
  return points
}

export function seedList(seeds: SweepSpec['seeds']): number[] {
  return Array.isArray(seeds) ? seeds : Array.from({ length: seeds.count }, (_, i) => seeds.from + i)
}

/**
 * Validates a parsed sweep against its base scenario and expands it into runs.
 * Every grid point's scenario is validated before anything runs.
 * @throws {InvalidSweepError}
 */
export function expandSweep(
  spec: unknown,
  baseScenario: unknown,
): Omit<LoadedSweep, 'sweepSha256' | 'scenarioSha256'> {
  const copy = structuredClone(spec)
  if (!validate(copy))
    throw new InvalidSweepError(
      'The sweep does not match its schema',
      (validate.errors ?? []).map(
        (e) => `sweep${e.instancePath.replaceAll('/', '.')}: ${e.message ?? 'is invalid'}`,
      ),
    )
  const points = gridPoints(copy.grid)
  const seeds = seedList(copy.seeds)
  if (points.length * seeds.length > MAX_SWEEP_RUNS)
    throw new InvalidSweepError('The sweep has too many runs', [
      `grid × seeds: ${points.length} points × ${seeds.length} seeds = ${points.length * seeds.length} runs, over the limit of ${MAX_SWEEP_RUNS}; split it into several sweeps`,
    ])
  const defaults = parseScenario(baseScenario)
  const runs: SweepRun[] = []
  points.forEach((params, point) => {
    const input = structuredClone(defaults) as unknown as Record<string, unknown>
    for (const [path, value] of Object.entries(params)) setPath(input, path, value)
    let scenario: Scenario
    try {
      scenario = parseScenario(input)
    } catch (cause) {
      if (!(cause instanceof InvalidScenarioError)) throw cause
      throw new InvalidSweepError(
        `Grid point ${point} (${JSON.stringify(params)}) gives an invalid scenario`,
        cause.problems,
        { cause },
      )
    }
    for (const seed of seeds) runs.push({ index: runs.length, point, params, seed, scenario })
  })
  return { spec: copy, points, runs }
}

/**
 * Reads a sweep file and its base scenario.
 * @throws {InvalidSweepError}
 */
export async function loadSweep(path: string): Promise<LoadedSweep> {
  const sweep = await readJson(path, 'sweep file')
  const relative = (sweep.json as { scenario?: unknown } | null)?.scenario
  if (typeof relative !== 'string')
    throw new InvalidSweepError('The sweep names no scenario', [
      'sweep.scenario: is required (a path to a scenario file)',
    ])
  const scenarioPath = resolve(dirname(path), relative)
  const scenario = await readJson(scenarioPath, 'scenario file')
  return {
    ...expandSweep(sweep.json, scenario.json),
    sweepSha256: sha256(sweep.text),
    scenarioSha256: sha256(scenario.text),
  }
}
