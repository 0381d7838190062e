/**
 * Generation features over the mesh with real processes: a provider process
 * serving the generated tiny GGUF model through node-llama-cpp advertises its
 * features and the embedding job kind; a light client asks for stop strings,
 * a JSON schema, a tool call and embeddings.
 */
import { execFile } from 'node:child_process'
import { mkdtemp, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { createLightPeer, type LightPeer } from '@cocoon-mesh/client'
import { type LocalMesh, startLocalMesh } from '@cocoon-mesh/peer'
import { Ajv } from 'ajv'
import { describe, expect, it } from 'vitest'
import { waitForOffers } from './support/offers.js'
import { useScratchHome } from './support/scratch-home.js'

const MODEL = 'tiny'
/** The built `cocoon` binary. */
const CLI = fileURLToPath(new URL('../../packages/peer/dist/cli/index.js', import.meta.url))
const scratch = useScratchHome('cocoon-e2e-generation-')
const { cleanups } = scratch

async function setup(): Promise<{ mesh: LocalMesh; client: LightPeer }> {
  const mesh = await startLocalMesh({
    providers: [{ price: '1000' }],
    home: await mkdtemp(join(scratch.home, 'mesh-')),
  })
  cleanups.push(() => mesh.stop())
  const client = await createLightPeer({ bootstrap: mesh.bootstrapAddrs })
  cleanups.push(() => client.stop())
  await waitForOffers(client, MODEL, 1)
  return { mesh, client }
}

async function text(job: AsyncIterable<{ text: string }>): Promise<string> {
  let out = ''
  for await (const chunk of job) out += chunk.text
  return out
}

describe('generation features over the mesh (real processes, TCP)', () => {
  it('offers features, honours stop, a JSON schema and a tool call, and embeds', async () => {
    const { client } = await setup()
    const [ranked] = await client.offers(MODEL)
    expect(ranked?.offer.features).toEqual(
      expect.arrayContaining(['stop', 'top_p', 'penalties', 'json_schema', 'tools']),
    )
    expect(ranked?.offer.jobKinds).toContain('embedding')

    const free = await text(client.generate({ model: MODEL, prompt: 'hello', maxTokens: 40, temperature: 0 }))
    const at = [...Array(free.length - 2).keys()].find(
      (i) => i >= 3 && free.indexOf(free.slice(i, i + 2)) === i && !free.slice(i, i + 2).includes('\uFFFD'),
    )
    expect(at).toBeDefined()
    const stopJob = client.generate({
      model: MODEL,
      prompt: 'hello',
      maxTokens: 40,
      temperature: 0,
      stop: [free.slice(at, (at ?? 0) + 2)],
    })
    expect(await text(stopJob)).toBe(free.slice(0, at))
    expect((await stopJob.usage).finishReason).toBe('stop')

    const schema = {
      type: 'object',
      properties: {
        kind: { enum: ['a', 'b'] },
        tags: { type: 'array', items: { enum: ['x', 'y'] }, maxItems: 2 },
      },
      required: ['kind', 'tags'],
    }
    const jsonJob = client.generate({
      model: MODEL,
      messages: [{ role: 'user', content: 'json please' }],
      maxTokens: 200,
      temperature: 0.8,
      seed: 5,
      responseFormat: { type: 'json_schema', schema },
    })
    const json = await text(jsonJob)
    expect(new Ajv().validate(schema, JSON.parse(json)), json).toBe(true)

    const parameters = {
      type: 'object',
      properties: { city: { enum: ['oslo', 'lima'] } },
      required: ['city'],
    }
    const toolJob = client.generate({
      model: MODEL,
      messages: [{ role: 'user', content: 'weather?' }],
      maxTokens: 200,
      temperature: 0.8,
      seed: 2,
      tools: [{ name: 'get_weather', parameters }],
      toolChoice: 'required',
    })
    await text(toolJob)
    const usage = await toolJob.usage
    expect(usage.finishReason).toBe('tool_calls')
    expect(usage.toolCalls[0]?.name).toBe('get_weather')
    expect(new Ajv().validate(parameters, JSON.parse(usage.toolCalls[0]?.arguments ?? ''))).toBe(true)

    const embedded = await client.embed({ model: MODEL, inputs: ['hello world', 'hello world', 'bye'] })
    expect(embedded.embeddings).toHaveLength(3)
    expect([...(embedded.embeddings[1] ?? [])]).toEqual([...(embedded.embeddings[0] ?? [])])
    expect(embedded.usage.promptTokens).toBeGreaterThan(0)
    expect(embedded.usage.completionTokens).toBe(0)
    expect(embedded.usage.cost).toBeGreaterThan(0n)
  })

  it("`cocoon run --json-schema FILE --stop` prints JSON valid against the file's schema", async () => {
    const { mesh } = await setup()
    const schema = {
      type: 'object',
      properties: { ok: { type: 'boolean' }, n: { type: 'integer' } },
      required: ['ok', 'n'],
    }
    const file = join(scratch.home, 'schema.json')
    await writeFile(file, JSON.stringify(schema))
    const { NODE_OPTIONS: _loaders, ...env } = process.env
    const run = (extra: string[]) =>
      promisify(execFile)(
        process.execPath,
        [
          CLI,
          'run',
          '--model',
          MODEL,
          '--prompt',
          'json',
          '--max-tokens',
          '100',
          '--usage',
          ...extra,
          ...mesh.bootstrapAddrs.flatMap((a) => ['--bootstrap', a]),
        ],
        { encoding: 'utf8', timeout: 90_000, env },
      )
    const { stdout, stderr } = await run(['--json-schema', file, '--stop', 'never-in-json'])
    expect(new Ajv().validate(schema, JSON.parse(stdout)), stdout).toBe(true)
    const usage = stderr.split('\n').find((l) => l.startsWith('{"promptTokens"'))
    expect(JSON.parse(usage ?? '{}')).toMatchObject({ finishReason: 'stop' })
    await writeFile(file, '[1, 2]')
    await expect(run(['--json-schema', file])).rejects.toMatchObject({
      stderr: expect.stringContaining('holds no JSON schema object'),
    })
  })
})
