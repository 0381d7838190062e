import { readFile } from 'node:fs/promises'
import { CocoonError, errorMessage } from '@cocoon-mesh/protocol'
import { Ajv, type ErrorObject } from 'ajv'
import type { InvalidSweepError, ShardMergeError } from '../sweep/errors.js'
import type { MemoryLimitError } from './memory.js'
import { MAX_BUCKETS, scenarioSchema } from './schema.js'
import type { Scenario } from './types.js'

/** A scenario file that cannot be read, is not JSON, or does not match the schema. */
export class InvalidScenarioError extends CocoonError<'ERR_INVALID_SCENARIO'> {
  readonly code = 'ERR_INVALID_SCENARIO' as const
  override readonly name = 'InvalidScenarioError'
  /** One line per problem: `field: what was expected`. */
  readonly problems: string[]

  constructor(shortMessage: string, problems: string[], options: { cause?: unknown } = {}) {
    super(shortMessage, { details: problems.join('\n'), cause: options.cause })
    this.problems = problems
  }
}

/** Every typed error of the simulator's own code. */
export type SimulationError = InvalidScenarioError | InvalidSweepError | ShardMergeError | MemoryLimitError

/** The codes of {@link SimulationError}. */
export type SimulationErrorCode = SimulationError['code']

const ajv = new Ajv({ allErrors: true, useDefaults: true, strict: false })
const validate = ajv.compile<Scenario>(scenarioSchema)

function describe(error: ErrorObject): string {
  const path = describePath(error.instancePath)
  switch (error.keyword) {
    case 'required':
      return `${path === 'scenario' ? '' : `${path}.`}${String(error.params.missingProperty)}: is required`
    case 'additionalProperties':
      return `${path === 'scenario' ? '' : `${path}.`}${String(error.params.additionalProperty)}: is not a known field`
    case 'const':
      return `${path}: expected ${JSON.stringify(error.params.allowedValue)}`
    case 'enum':
      return `${path}: expected one of ${(error.params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`
    default:
      return `${path}: ${error.message ?? 'is invalid'}`
  }
}

/**
 * Turns ajv errors into one line per problem. A union (`oneOf` on `type`)
 * reports only the errors of the branch whose `type` matched, or the list of
 * valid types when none did.
 */
function explain(errors: ErrorObject[]): string[] {
  const lines: string[] = []
  const unions = errors.filter((e) => e.keyword === 'oneOf').map((e) => e.instancePath)
  const branchOf = (e: ErrorObject): { union: string; branch: number } | undefined => {
    for (const union of unions) {
      if (!e.instancePath.startsWith(union)) continue
      const m = /\/oneOf\/(\d+)\//.exec(e.schemaPath)
      if (m !== null) return { union, branch: Number(m[1]) }
    }
    return undefined
  }
  for (const union of unions) {
    const inUnion = errors.filter((e) => branchOf(e)?.union === union)
    const typeMismatch = new Set(
      inUnion
        .filter((e) => e.keyword === 'const' && e.instancePath === `${union}/type`)
        .map((e) => branchOf(e)?.branch),
    )
    const branches = new Set(inUnion.map((e) => branchOf(e)?.branch))
    const matched = [...branches].filter((b) => !typeMismatch.has(b))
    if (matched.length === 0) {
      const allowed = inUnion
        .filter((e) => e.keyword === 'const')
        .map((e) => JSON.stringify(e.params.allowedValue))
      lines.push(`${describePath(`${union}/type`)}: expected one of ${[...new Set(allowed)].join(', ')}`)
    } else {
      for (const e of inUnion) if (matched.includes(branchOf(e)?.branch)) lines.push(describe(e))
    }
  }
  for (const e of errors) {
    if (e.keyword === 'oneOf' || branchOf(e) !== undefined) continue
    lines.push(describe(e))
  }
  return [...new Set(lines)]
}

function describePath(instancePath: string): string {
  return instancePath === '' ? 'scenario' : instancePath.slice(1).replaceAll('/', '.')
}

/**
 * Validates a parsed scenario (filling defaults in place) and checks cross-field rules.
 * @throws {LoadScenarioErrorType}
 */
export function parseScenario(input: unknown): Scenario {
  const copy = structuredClone(input)
  if (!validate(copy))
    throw new InvalidScenarioError('The scenario does not match its schema', explain(validate.errors ?? []))
  const scenario = copy
  const problems: string[] = []
  const n = scenario.regions.names.length
  if (scenario.regions.weights.length !== n)
    problems.push(
      `regions.weights: expected ${n} entries (one per region name), got ${scenario.regions.weights.length}`,
    )
  if (scenario.regions.latencyMs.length !== n || scenario.regions.latencyMs.some((row) => row.length !== n))
    problems.push(`regions.latencyMs: expected a ${n}x${n} matrix (one row and column per region)`)
  problems.push(...meshBandProblems(scenario.gossip))
  scenario.providers.forEach((group, i) => {
    for (const m of group.models)
      if (m >= scenario.models.length)
        problems.push(
          `providers.${i}.models: model index ${m} does not exist (there are ${scenario.models.length})`,
        )
  })
  const buckets = Math.ceil(scenario.durationMs / scenario.output.bucketMs)
  if (buckets > MAX_BUCKETS)
    problems.push(
      `output.bucketMs: ${scenario.durationMs} ms of simulated time in buckets of ${scenario.output.bucketMs} ms gives ${buckets} buckets, over ${MAX_BUCKETS}; use output.bucketMs >= ${Math.ceil(scenario.durationMs / MAX_BUCKETS)}`,
    )
  if (scenario.providers.reduce((s, g) => s + g.share, 0) <= 0)
    problems.push('providers: expected at least one group with share > 0')
  if (scenario.clients.reduce((s, g) => s + g.share, 0) <= 0)
    problems.push('clients: expected at least one group with share > 0')
  if (problems.length > 0) throw new InvalidScenarioError('The scenario is inconsistent', problems)
  return scenario
}

/** Gossipsub's own rule for its mesh band: Dout < Dlo <= D <= Dhi, and Dout at most D / 2. */
function meshBandProblems(g: Scenario['gossip']): string[] {
  const problems: string[] = []
  if (!(g.Dlo <= g.D && g.D <= g.Dhi))
    problems.push(
      `gossip.D: expected gossip.Dlo <= gossip.D <= gossip.Dhi, got ${g.Dlo} <= ${g.D} <= ${g.Dhi}`,
    )
  if (!(g.Dout < g.Dlo && g.Dout <= g.D / 2))
    problems.push(
      `gossip.Dout: expected below gossip.Dlo (${g.Dlo}) and at most gossip.D / 2 (${g.D / 2}), got ${g.Dout}`,
    )
  return problems
}

/** What {@link parseScenario} and {@link loadScenario} throw. */
export type LoadScenarioErrorType = InvalidScenarioError

/**
 * Reads and validates a scenario file. Throws InvalidScenarioError, never anything else.
 * @throws {LoadScenarioErrorType}
 */
export async function loadScenario(path: string): Promise<Scenario> {
  let text: string
  try {
    text = await readFile(path, 'utf8')
  } catch (cause) {
    throw new InvalidScenarioError(`Cannot read scenario file ${path}`, [`${path}: ${errorMessage(cause)}`], {
      cause,
    })
  }
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch (cause) {
    throw new InvalidScenarioError(`Scenario file ${path} is not JSON`, [`${path}: ${errorMessage(cause)}`], {
      cause,
    })
  }
  return parseScenario(json)
}
