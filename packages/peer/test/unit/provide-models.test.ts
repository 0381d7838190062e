import { describe, expect, it } from 'vitest'
import { parseConfig } from '../../src/home/config.js'
import { MalformedConfigError } from '../../src/home/errors.js'
import {
  modelPrices,
  offerModelPrices,
  providedModels,
  runtimeModelConfig,
} from '../../src/home/provide-models.js'
import { runtimeConfigFromHome } from '../../src/jobs/serve.js'

function models(json: string) {
  return parseConfig(`{ "provide": { "maxConcurrency": 3, "models": ${json} } }`)
}

function failure(json: string): MalformedConfigError {
  try {
    models(json)
  } catch (error) {
    if (error instanceof MalformedConfigError) return error
    throw error
  }
  throw new Error(`${json} was accepted`)
}

describe('provide.models', () => {
  it('maps ids, GGUF paths, hf: URIs and upstreams to gpu-runtime models with their own limits', () => {
    const config = models(`[
      "tiny",
      { "id": "local", "source": "/srv/m.gguf", "contextSize": 2048, "gpu": "cpu", "maxConcurrency": 2 },
      { "id": "rel", "source": "sub/r.gguf" },
      { "id": "qwen", "source": "hf:Qwen/Qwen2.5-0.5B-Instruct-GGUF:Q4_K_M" },
      { "id": "big", "upstream": { "baseUrl": "http://127.0.0.1:8000", "model": "meta/llama", "apiKeyEnv": "UP_KEY" }, "contextSize": 32768 }
    ]`)
    const runtime = runtimeConfigFromHome('/home/op', config.provide, { UP_KEY: 'secret' })
    expect(runtime.models).toEqual([
      { kind: 'llama', name: 'tiny', source: '/home/op/models/tiny.gguf', maxConcurrency: 3 },
      {
        kind: 'llama',
        name: 'local',
        source: '/srv/m.gguf',
        maxConcurrency: 2,
        contextSize: 2048,
        gpu: 'cpu',
      },
      { kind: 'llama', name: 'rel', source: '/home/op/models/sub/r.gguf', maxConcurrency: 3 },
      { kind: 'llama', name: 'qwen', source: 'hf:Qwen/Qwen2.5-0.5B-Instruct-GGUF:Q4_K_M', maxConcurrency: 3 },
      {
        kind: 'openai',
        name: 'big',
        baseUrl: 'http://127.0.0.1:8000',
        upstreamModel: 'meta/llama',
        maxConcurrency: 3,
        contextSize: 32768,
        apiKey: 'secret',
      },
    ])
  })

  it('names the field and the fix for each bad entry', () => {
    expect(failure('[{ "source": "/m.gguf" }]').message).toMatch(/provide\.models\[0\]\.id.*Give the id/s)
    expect(failure('[{ "id": "a", "source": "http://x:1" }]').message).toMatch(
      /provide\.models\[0\]\.source.*"upstream": \{ "baseUrl": "http:\/\/x:1" \}/s,
    )
    expect(failure('[{ "id": "a", "upstream": { "baseUrl": "ftp://x" } }]').message).toMatch(
      /provide\.models\[0\]\.upstream\.baseUrl.*http\(s\) URL/s,
    )
    expect(failure('[{ "id": "a", "upstream": { "baseUrl": "http://x", "apiKey": "k" } }]').message).toMatch(
      /upstream\.apiKey in.*baseUrl, model, apiKeyEnv/s,
    )
    expect(failure('[{ "id": "a", "gpu": "tpu" }]').message).toMatch(/\.gpu.*auto, cuda, vulkan, metal, cpu/s)
    expect(failure('[{ "id": "a", "upstream": { "baseUrl": "http://x" }, "gpu": "cpu" }]').message).toMatch(
      /"gpu" applies to GGUF models/,
    )
    expect(failure('["a", { "id": "a" }]').message).toMatch(/provide\.models\[1\]\.id.*listed twice/s)
    expect(failure('[{ "id": "a", "source": "hf:nope" }]').message).toMatch(/hf: URI names a repository/)
    expect(failure('[{ "id": "a", "prices": { "perTensorGflop": "1" } }]').message).toMatch(
      /provide\.models\[0\]\.prices\.perTensorGflop.*priced per node/s,
    )
    expect(failure('[{ "id": "a", "prices": { "perKPromptTokens": 0.5 } }]').message).toMatch(
      /prices\.perKPromptTokens.*nanoTON as a decimal string/s,
    )
  })

  it("prices a model by its own token prices over the node's", () => {
    const config = models('[{ "id": "a", "prices": { "perKCompletionTokens": "7" } }, "b"]')
    const [a, b] = providedModels(config.provide.models)
    const node = { perKPromptTokens: 1n, perKCompletionTokens: 2n, perTensorGflop: 3n }
    expect(modelPrices(node, a)).toEqual({
      perKPromptTokens: 1n,
      perKCompletionTokens: 7n,
      perTensorGflop: 3n,
    })
    expect(modelPrices(node, b)).toEqual(node)
  })

  it('puts in the offer only the sold models priced otherwise than the node', () => {
    const config = models(
      '[{ "id": "a", "prices": { "perKCompletionTokens": "7" } }, "b", { "id": "c", "prices": { "perKPromptTokens": "1" } }, { "id": "d", "prices": { "perKPromptTokens": "9" } }]',
    )
    const node = { perKPromptTokens: 1n, perKCompletionTokens: 2n, perTensorGflop: 3n }
    // c states the node's own price; d is not sold (its model did not answer)
    expect(offerModelPrices(node, config.provide.models, ['a', 'b', 'c'])).toEqual([
      { model: 'a', prices: { perKPromptTokens: 1n, perKCompletionTokens: 7n, perTensorGflop: 3n } },
    ])
  })

  it('says which environment variable an upstream API key is missing from', () => {
    const [entry] = providedModels(
      models('[{ "id": "big", "upstream": { "baseUrl": "http://h", "apiKeyEnv": "UP_KEY" } }]').provide
        .models,
    )
    if (entry === undefined) throw new Error('no entry parsed')
    expect(() => runtimeModelConfig('/h', entry, { maxConcurrency: 1 }, {})).toThrow(/\$UP_KEY is not set/)
  })
})
