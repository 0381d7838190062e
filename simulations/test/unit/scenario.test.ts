import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { formatCliError } from '../../src/commands/format-error.js'
import { InvalidScenarioError, loadScenario, parseScenario } from '../../src/scenario/load.js'
import { scenarioSchemaJson } from '../../src/scenario/schema.js'

const scenariosDir = new URL('../../scenarios/', import.meta.url).pathname
const dirs: string[] = []
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true })
})

function problems(input: unknown): string[] {
  try {
    parseScenario(input)
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidScenarioError)
    return (error as InvalidScenarioError).problems
  }
  throw new Error('expected the scenario to be rejected')
}

describe('scenario files', () => {
  it('every shipped scenario validates', async () => {
    const files = (await readdir(scenariosDir)).filter((f) => f.endsWith('.json') && !f.includes('schema'))
    expect(files.sort()).toEqual([
      'baseline-1k.json',
      'churn.json',
      'price-war.json',
      'scale-100k.json',
      'small-market.json',
      'spam-attack.json',
      'sybil-attack.json',
    ])
    for (const f of files)
      expect((await loadScenario(join(scenariosDir, f))).name).toBe(f.replace('.json', ''))
  })

  it('refuses a simulated time or a bucket count no run finishes, naming the field and the fix', () => {
    const base = { name: 'x', peers: { count: 50 }, jobs: { total: 10 } }
    expect(problems({ ...base, durationMs: 1e300 })).toEqual([
      expect.stringMatching(/^durationMs: must be <= 2592000000/),
    ])
    expect(problems({ ...base, durationMs: 2_000_000_000, output: { bucketMs: 1000 } })).toEqual([
      'output.bucketMs: 2000000000 ms of simulated time in buckets of 1000 ms gives 2000000 buckets, over 100000; use output.bucketMs >= 20000',
    ])
  })

  it('scenario.schema.json is the schema in src/scenario/schema.ts (`npm run schema` writes it)', async () => {
    expect(await readFile(join(scenariosDir, 'scenario.schema.json'), 'utf8')).toBe(scenarioSchemaJson())
  })

  it('fills defaults', () => {
    const s = parseScenario({ name: 'x', peers: { count: 10 }, jobs: { total: 5 } })
    expect([s.gossip.D, s.gossip.Dlo, s.gossip.Dhi, s.gossip.connections]).toEqual([6, 4, 12, 20])
    expect(s.providers[0]?.strategy).toEqual({ type: 'fixed', price: 200000 })
    expect(s.regions.latencyMs.length).toBe(3)
  })

  it('names the field and what was expected', () => {
    expect(problems({ name: 'x', peers: { count: 'many' }, jobs: { total: 5 } })).toContain(
      'peers.count: must be integer',
    )
    expect(problems({ name: 'x', jobs: { total: 5 } })).toContain('peers.count: is required')
    expect(problems({ name: 'x', peers: { count: 10 }, jobs: { total: 5 }, colour: 1 })).toContain(
      'colour: is not a known field',
    )
    expect(
      problems({ name: 'x', peers: { count: 10 }, jobs: { total: 5 }, crypto: { mode: 'fast' } }),
    ).toContain('crypto.mode: expected one of "real", "table"')
  })

  it('explains a union by the branch its type selects', () => {
    const bad = problems({
      name: 'x',
      peers: { count: 10 },
      jobs: { total: 5 },
      providers: [{ strategy: { type: 'undercut', start: 1 } }],
      churn: { session: { type: 'gamma' } },
    })
    expect(bad).toContain('providers.0.strategy.floor: is required')
    expect(bad).toContain(
      'churn.session.type: expected one of "exponential", "lognormal", "weibull", "pareto"',
    )
  })

  it('checks cross-field rules', () => {
    expect(
      problems({
        name: 'x',
        peers: { count: 10 },
        jobs: { total: 5 },
        regions: { names: ['a'], weights: [1, 2] },
      }),
    ).toEqual(expect.arrayContaining(['regions.weights: expected 1 entries (one per region name), got 2']))
  })

  it('reports unreadable and non-JSON files as typed errors without a stack', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'cocoon-sim-'))
    dirs.push(dir)
    await writeFile(join(dir, 'bad.json'), '{ nope')
    await expect(loadScenario(join(dir, 'bad.json'))).rejects.toBeInstanceOf(InvalidScenarioError)
    await expect(loadScenario(join(dir, 'missing.json'))).rejects.toBeInstanceOf(InvalidScenarioError)
    const text = await loadScenario(join(dir, 'bad.json')).catch(formatCliError)
    expect(text).toMatch(/is not JSON/)
    expect(text).not.toMatch(/\n\s+at /)
  })
})
