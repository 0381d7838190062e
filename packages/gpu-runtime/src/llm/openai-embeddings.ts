/**
 * Embeddings from an OpenAI-compatible upstream (`POST /v1/embeddings`), its
 * answer checked: one finite vector per input, all of one length.
 */
import { errorMessage } from '@cocoon-mesh/protocol'
import {
  AbortedError,
  UpstreamProtocolError,
  UpstreamStatusError,
  UpstreamUnreachableError,
} from '../errors.js'
import type { EmbedRequest, EmbedResult, OpenAiModelConfig } from '../types.js'
import { emptyUsage } from './stream.js'

/** Longest vector accepted from an upstream. */
const MAX_DIMENSIONS = 65_536

interface EmbeddingsResponse {
  data?: Array<{ embedding?: unknown; index?: number }>
  usage?: { prompt_tokens?: number }
}

export async function upstreamEmbeddings(
  doFetch: typeof fetch,
  config: OpenAiModelConfig,
  request: EmbedRequest,
): Promise<EmbedResult> {
  const base = config.baseUrl.replace(/\/+$/, '').replace(/\/v1$/, '')
  const url = `${base}/v1/embeddings`
  const headers: Record<string, string> = { 'content-type': 'application/json' }
  if (config.apiKey !== undefined) headers.authorization = `Bearer ${config.apiKey}`
  const signals = [AbortSignal.timeout(config.timeoutMs ?? 10_000)]
  if (request.signal !== undefined) signals.push(request.signal)
  let response: Response
  let json: EmbeddingsResponse
  try {
    response = await doFetch(url, {
      method: 'POST',
      headers,
      body: JSON.stringify({ model: config.upstreamModel ?? config.name, input: request.inputs }),
      signal: AbortSignal.any(signals),
    })
    if (!response.ok) {
      throw new UpstreamStatusError(`Upstream ${base} answered ${response.status}`, {
        status: response.status,
        details: `POST ${url}: ${(await response.text()).slice(0, 500)}`,
      })
    }
    json = (await response.json()) as EmbeddingsResponse
  } catch (error) {
    if (error instanceof UpstreamStatusError) throw error
    if (request.signal?.aborted === true) throw new AbortedError('Embedding aborted', { cause: error })
    throw new UpstreamUnreachableError(`Upstream ${base} did not answer the embedding request`, {
      details: `POST ${url} failed: ${errorMessage(error)}`,
      cause: error,
    })
  }
  return {
    embeddings: checkedVectors(json, request.inputs.length, base),
    usage: usageOf(json),
    backend: `openai/${base}`,
  }
}

function usageOf(json: EmbeddingsResponse): EmbedResult['usage'] {
  const tokens = json.usage?.prompt_tokens
  return {
    ...emptyUsage(),
    promptTokens: Number.isInteger(tokens) && (tokens as number) >= 0 ? (tokens as number) : 0,
  }
}

function checkedVectors(json: EmbeddingsResponse, count: number, base: string): Float32Array[] {
  const fail = (what: string): never => {
    throw new UpstreamProtocolError(`Upstream ${base} sent malformed embeddings`, { details: what })
  }
  const data = Array.isArray(json.data) ? json.data : fail('No data array.')
  if (data.length !== count) fail(`${data.length} vectors for ${count} inputs.`)
  const vectors: Float32Array[] = new Array(count)
  for (const [i, item] of data.entries()) {
    const index = typeof item.index === 'number' ? item.index : i
    const v = item.embedding
    if (!Array.isArray(v) || v.length === 0 || v.length > MAX_DIMENSIONS)
      fail(`Vector ${index} is not 1..${MAX_DIMENSIONS} numbers.`)
    if (!(v as unknown[]).every((x) => typeof x === 'number' && Number.isFinite(x)))
      fail(`Vector ${index} has a non-number.`)
    if (index < 0 || index >= count || vectors[index] !== undefined) fail(`Bad or repeated index ${index}.`)
    vectors[index] = Float32Array.from(v as number[])
  }
  const dims = vectors[0]?.length
  if (vectors.some((v) => v.length !== dims)) fail('Vectors of different lengths.')
  return vectors
}
