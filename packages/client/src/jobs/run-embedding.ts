/**
 * An embedding job over the mesh: the texts go in the JobRequest, the
 * vectors come back as one float32 tensor [inputs, dimensions], billed per
 * prompt token within the client's bound; a provider that fails or sends a
 * malformed result is replaced.
 */
import {
  JobKind,
  type JobResult,
  MAX_EMBEDDING_INPUTS,
  readFloat32,
  type Tensor,
} from '@cocoon-mesh/protocol'
import { AttemptEndedError, InvalidJobError, MalformedEmbeddingError } from './errors.js'
import { type AttemptProgress, errorText, Failover } from './failover.js'
import type { EmbedJobParams, EmbedJobResult, JobContext, JobUsage, ServedPart } from './job-types.js'
import type { RunJobErrorType } from './run-job.js'

/** Longest embedding vector accepted from a provider. */
const MAX_DIMENSIONS = 65_536

/**
 * Embeds `params.inputs` with `params.model` on the best provider that
 * offers the `embedding` job kind. Rejects with {@link RunJobErrorType}.
 */
export async function runEmbeddingJob(ctx: JobContext, params: EmbedJobParams): Promise<EmbedJobResult> {
  const { inputs } = params
  if (!Array.isArray(inputs) || inputs.length === 0 || inputs.length > MAX_EMBEDDING_INPUTS)
    throw new InvalidJobError(`an embedding job needs 1 to ${MAX_EMBEDDING_INPUTS} texts`)
  if (inputs.some((t) => typeof t !== 'string' || t === ''))
    throw new InvalidJobError('each text to embed must be a non-empty string')
  const jobId = params.jobId ?? globalThis.crypto.randomUUID()
  const runner = new Failover(ctx, params, jobId)
  const promptChars = inputs.reduce((n, t) => n + t.length, 0)
  for (;;) {
    const candidate = await runner.pick({
      kind: 'embedding',
      promptTokens: Math.ceil(promptChars / 4),
      completionTokens: 0,
    })
    const request = runner.request(JobKind.JOB_KIND_EMBEDDING, candidate, {
      embedding: { inputs: [...inputs] },
    })
    const progress: AttemptProgress = { tokens: 0, gflop: 0, startedAt: runner.now() }
    try {
      for await (const event of await runner.attempt(candidate, request, undefined, 1)) {
        if (event.type === 'accepted') {
          progress.price = event.price
          runner.emit({ type: 'accepted', jobId, providerId: candidate.providerId, price: event.price })
        } else if (event.type === 'result') {
          const embeddings = vectorsOf(event.outputs, inputs.length)
          runner.completed(candidate, progress, event.counted)
          return { embeddings, usage: embeddingUsage(runner.parts, event.result) }
        }
      }
      runner.failed(candidate, progress, new AttemptEndedError('attempt ended without a result'))
    } catch (err) {
      runner.failed(candidate, progress, err)
      runner.emit({
        type: 'failover',
        jobId,
        providerId: candidate.providerId,
        error: errorText(err),
        receivedTokens: 0,
      })
    }
  }
}

/** The rows of the provider's [inputs, dimensions] float32 tensor, or MalformedEmbeddingError. */
function vectorsOf(outputs: Tensor[], count: number): Float32Array[] {
  const tensor = outputs[0]
  const [rows, dims] = tensor?.shape ?? []
  if (
    tensor === undefined ||
    outputs.length !== 1 ||
    tensor.dtype !== 'float32' ||
    tensor.shape.length !== 2 ||
    rows !== count ||
    dims === undefined ||
    dims < 1 ||
    dims > MAX_DIMENSIONS
  ) {
    throw new MalformedEmbeddingError('provider sent a malformed embedding result', {
      details: `expected one float32 tensor [${count}, 1..${MAX_DIMENSIONS}], got ${outputs.map((t) => `${t.dtype}[${t.shape.join(',')}]`).join(' ')}`,
    })
  }
  const values = readFloat32(tensor)
  if (!values.every(Number.isFinite))
    throw new MalformedEmbeddingError('provider sent an embedding with a non-finite value')
  return Array.from({ length: count }, (_, i) => values.slice(i * dims, (i + 1) * dims))
}

function embeddingUsage(parts: ServedPart[], result: JobResult): JobUsage {
  const promptTokens = parts.reduce((n, p) => n + p.promptTokens, 0)
  return {
    promptTokens,
    cachedTokens: 0,
    completionTokens: 0,
    reasoningTokens: 0,
    gflop: 0,
    cost: parts.reduce((sum, p) => sum + p.cost, 0n),
    finishReason: result.finishReason,
    backend: result.backend,
    toolCalls: [],
    parts,
  }
}
