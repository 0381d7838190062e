import { readFile } from 'node:fs/promises'
import { CocoonError } from '@cocoon-mesh/protocol'
import { Ajv, type ErrorObject } from 'ajv'
import { scenarioSchema } from './schema.js'
import type { Scenario } from './types.js'

/** A scenario file that cannot be read, is not JSON, or does not match the schema. */
export class InvalidScenarioError extends CocoonError {
  readonly code = 'ERR_INVALID_SCENARIO' as const
  override readonly name = 'InvalidScenarioError'
  /** One line per problem: `field: what was expected`. */
  readonly problems: string[]

  constructor(shortMessage: string, problems: string[], options: { cause?: unknown } = {}) {
    super(shortMessage, { details: problems.join('\n'), cause: options.cause })
    this.problems = problems
  }
}

const ajv = new Ajv({ allErrors: true, useDefaults: true, strict: false })
const validate = ajv.compile(scenarioSchema)

function describe(error: ErrorObject): string {
  const path = error.instancePath === '' ? 'scenario' : error.instancePath.slice(1).replaceAll('/', '.')
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

/** Validates a parsed scenario (filling defaults in place) and checks cross-field rules. */
export function parseScenario(input: unknown): Scenario {
  const copy = structuredClone(input)
  if (!validate(copy)) {
    const errors = validate.errors ?? []
    // oneOf failures list every branch; keep the branch-specific lines and one summary per path
    const lines = [
      ...new Set(errors.filter((e) => e.keyword !== 'oneOf' && e.keyword !== 'if').map(describe)),
    ]
    for (const e of errors) if (e.keyword === 'oneOf') lines.push(`${describe(e)} (check its "type")`)
    throw new InvalidScenarioError('The scenario does not match its schema', lines)
  }
  const scenario = copy as unknown as Scenario
  const problems: string[] = []
  const n = scenario.regions.names.length
  if (scenario.regions.weights.length !== n)
    problems.push(
      `regions.weights: expected ${n} entries (one per region name), got ${scenario.regions.weights.length}`,
    )
  if (scenario.regions.latencyMs.length !== n || scenario.regions.latencyMs.some((row) => row.length !== n))
    problems.push(`regions.latencyMs: expected a ${n}x${n} matrix (one row and column per region)`)
  scenario.providers.forEach((group, i) => {
    for (const m of group.models)
      if (m >= scenario.models.length)
        problems.push(
          `providers.${i}.models: model index ${m} does not exist (there are ${scenario.models.length})`,
        )
  })
  if (scenario.providers.reduce((s, g) => s + g.share, 0) <= 0)
    problems.push('providers: expected at least one group with share > 0')
  if (scenario.clients.reduce((s, g) => s + g.share, 0) <= 0)
    problems.push('clients: expected at least one group with share > 0')
  if (problems.length > 0) throw new InvalidScenarioError('The scenario is inconsistent', problems)
  return scenario
}

/** Reads and validates a scenario file. Throws InvalidScenarioError, never anything else. */
export async function loadScenario(path: string): Promise<Scenario> {
  let text: string
  try {
    text = await readFile(path, 'utf8')
  } catch (cause) {
    throw new InvalidScenarioError(
      `Cannot read scenario file ${path}`,
      [`${path}: ${(cause as Error).message}`],
      {
        cause,
      },
    )
  }
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch (cause) {
    throw new InvalidScenarioError(
      `Scenario file ${path} is not JSON`,
      [`${path}: ${(cause as Error).message}`],
      {
        cause,
      },
    )
  }
  return parseScenario(json)
}
