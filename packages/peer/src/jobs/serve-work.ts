/**
 * The provider's work loops for an accepted job: stream tokens or output
 * tensors, reserving each chunk's cost with the payment session first, and
 * end with the JobResult that carries usage and cost.
 */

import {
  type FrameWriter,
  JOB_TENSOR_CHUNK_SIZE,
  llmUsageCost,
  sendTensors,
  UnexpectedFrameError,
} from '@cocoon-mesh/client/internal'
import {
  constraintsFromWire,
  type GenerationStream,
  type Reservation,
  type Tensor,
  type ToolCall,
} from '@cocoon-mesh/gpu-runtime'
import {
  canonicalModelId,
  type JobRequest,
  markHandled,
  messagesFromWire,
  type Prices,
  tensorCost,
  type Usage,
} from '@cocoon-mesh/protocol'
import type { ProviderPaymentSession } from '@cocoon-mesh/settlement'
import type { JobServiceInit } from './provider.js'
import { TokenBatcher } from './token-batcher.js'

/** What the work loops need from the job service's configuration. */
export type WorkServingInit = Pick<JobServiceInit, 'runtime' | 'chunkSize' | 'tokenFlushMs' | 'onEvent'>

/**
 * Default for `tokenFlushMs`. A human reads no faster than a frame every few
 * ms, and at thousands of tokens/s one frame per token cost ~20% of the
 * tokens/s through the mesh (npm run bench, jobs group).
 */
export const DEFAULT_TOKEN_FLUSH_MS = 4

/** A job the service accepted: what the work loops serve it with. */
export interface AcceptedJob {
  request: JobRequest
  /** The price quoted in the JobAccept. */
  price: Prices
  session: ProviderPaymentSession
  writer: FrameWriter
  signal: AbortSignal
  deadline: number | undefined
  /** The runtime's place held for this job when it was admitted (see `admitJob`). */
  reservation: Reservation
  /** The remote address of the connection the job came over. */
  via: string
}

/** Streams an LLM job's tokens; stops early (finish reason `budget`) rather than bill past the request's budget. */
export async function serveLlm(init: WorkServingInit, job: AcceptedJob): Promise<void> {
  const { request, price, session, writer, signal, deadline } = job
  const llm = request.llm
  if (llm === undefined) throw new UnexpectedFrameError('LLM job without llm params')
  const model = findModel(init.runtime.models(), request.model) ?? request.model
  const generation: GenerationStream = init.runtime.generate({
    model,
    ...(llm.messages.length > 0 ? { messages: messagesFromWire(llm.messages) } : { prompt: llm.prompt }),
    maxTokens: llm.maxTokens > 0 ? llm.maxTokens : 256,
    temperature: llm.temperature,
    seed: llm.seed,
    ...(llm.continuation !== '' ? { continuation: llm.continuation } : {}),
    ...constraintsFromWire(llm),
    signal,
    ...(deadline !== undefined ? { deadline } : {}),
    reservation: job.reservation,
  })
  // awaited below once the tokens are out; when iterating fails first, that failure is the job's
  markHandled(generation.result)
  let total = 0
  let sent = 0
  const budget = request.budget > 0n ? request.budget : undefined
  let finishReason: string | undefined
  const batcher = new TokenBatcher({
    flushIntervalMs: init.tokenFlushMs ?? DEFAULT_TOKEN_FLUSH_MS,
    // a frame never costs more than the credit the client's vouchers leave: the client pays only
    // for what it received, so a frame beyond that would wait for a voucher that never comes
    maxBatchTokens: () =>
      session.creditWindow <= 0n // unpaid: reserve never waits
        ? Number.POSITIVE_INFINITY
        : tokensWithinCredit(price, creditLeft(session, llmUsageCost(price, 0, sent))),
    send: async (batch) => {
      const next = sent + batch.tokens
      await session.reserve(llmUsageCost(price, 0, next), signal)
      sent = next
      await writer.write(
        { tokenChunk: { text: batch.text, tokens: batch.tokens, totalTokens: sent } },
        { signal },
      )
      init.onEvent?.({ type: 'progress', jobId: request.jobId, completionTokens: sent })
    },
  })
  try {
    for await (const chunk of generation) {
      const next = total + chunk.tokens
      if (budget !== undefined && llmUsageCost(price, 0, next) > budget) {
        finishReason = 'budget'
        break
      }
      total = next
      await batcher.push(chunk)
    }
    await batcher.close()
  } finally {
    batcher.cancel()
  }
  const result = await generation.result
  const usage = { ...result.usage, completionTokens: total, gflop: 0 }
  await finishJob(init, job, {
    usage: { ...usage, cost: llmUsageCost(price, usage.promptTokens, usage.completionTokens) },
    backend: result.backend,
    finishReason: finishReason ?? result.finishReason,
    // a budget cut leaves the call incomplete
    toolCalls: finishReason === undefined ? (result.toolCalls ?? []) : [],
  })
}

/**
 * Embeds the job's texts and sends the vectors as one float32 tensor
 * [inputs, dimensions], billed per prompt token (reserved before sending).
 */
export async function serveEmbedding(init: WorkServingInit, job: AcceptedJob): Promise<void> {
  const { request, price, session, writer, signal, deadline } = job
  const params = request.embedding
  if (params === undefined) throw new UnexpectedFrameError('embedding job without embedding params')
  const embed = init.runtime.embed
  if (embed === undefined) throw new UnexpectedFrameError('this provider does not run embedding jobs')
  const model = findModel(init.runtime.models(), request.model) ?? request.model
  const result = await embed.call(init.runtime, {
    model,
    inputs: params.inputs,
    signal,
    ...(deadline !== undefined ? { deadline } : {}),
    reservation: job.reservation,
  })
  const dims = result.embeddings[0]?.length ?? 0
  const data = new Float32Array(result.embeddings.length * dims)
  for (const [i, v] of result.embeddings.entries()) data.set(v, i * dims)
  const cost = llmUsageCost(price, result.usage.promptTokens, 0)
  await session.reserve(cost, signal)
  const tensor: Tensor = {
    name: 'embeddings',
    dtype: 'float32',
    shape: [result.embeddings.length, dims],
    data: new Uint8Array(data.buffer),
  }
  await sendTensors(writer, [tensor], { signal, chunkSize: init.chunkSize ?? JOB_TENSOR_CHUNK_SIZE })
  await finishJob(init, job, {
    usage: { ...result.usage, completionTokens: 0, gflop: 0, cost },
    backend: result.backend,
    finishReason: 'stop',
    toolCalls: [],
  })
}

/** Runs a tensor job and streams its outputs; the cost is known only once it ran, so it is reserved before sending. */
export async function serveTensor(init: WorkServingInit, job: AcceptedJob, inputs: Tensor[]): Promise<void> {
  const { request, price, session, writer, signal, deadline } = job
  const params = request.tensor
  if (params === undefined) throw new UnexpectedFrameError('tensor job without tensor params')
  const op = params.op === 'onnx' ? 'onnx' : 'matmul'
  const graph = op === 'onnx' ? inputs[0]?.data : undefined
  const result = await init.runtime.runTensor({
    op,
    ...(graph !== undefined ? { graph } : {}),
    inputs: op === 'onnx' ? inputs.slice(1) : inputs,
    ...(params.outputNames.length > 0 ? { outputNames: params.outputNames } : {}),
    signal,
    ...(deadline !== undefined ? { deadline } : {}),
    reservation: job.reservation,
  })
  const cost = tensorCost(price, result.gflop)
  await session.reserve(cost, signal)
  await sendTensors(writer, result.outputs, {
    signal,
    chunkSize: init.chunkSize ?? JOB_TENSOR_CHUNK_SIZE,
  })
  await finishJob(init, job, {
    usage: {
      promptTokens: 0,
      cachedTokens: 0,
      completionTokens: 0,
      reasoningTokens: 0,
      gflop: result.gflop,
      cost,
    },
    backend: result.backend,
    finishReason: 'stop',
    toolCalls: [],
  })
}

/** Settles the bill with the payment session, sends the JobResult and reports the job finished. */
async function finishJob(
  init: WorkServingInit,
  job: AcceptedJob,
  result: { usage: Usage; backend: string; finishReason: string; toolCalls: ToolCall[] },
): Promise<void> {
  const { cost } = result.usage
  await job.session.finish(cost)
  await job.writer.write({ result: { jobId: job.request.jobId, ...result } }, { signal: job.signal })
  init.onEvent?.({
    type: 'finished',
    jobId: job.request.jobId,
    cost,
    completionTokens: result.usage.completionTokens,
    gflop: result.usage.gflop,
    via: job.via,
  })
}

/** nanoTON the provider may still deliver before it needs a voucher, having delivered `delivered`. */
function creditLeft(session: ProviderPaymentSession, delivered: bigint): bigint {
  if (session.creditLeft !== undefined) return session.creditLeft(delivered)
  return session.covered === undefined
    ? session.creditWindow
    : session.creditWindow - (delivered - session.covered())
}

/**
 * How many completion tokens one frame may carry so that its cost stays
 * within `credit` nanoTON (one token of slack for rounding; at least one
 * token, which `reserve` then waits for). Unlimited when tokens are free.
 */
export function tokensWithinCredit(price: Prices, credit: bigint): number {
  if (price.perKCompletionTokens <= 0n) return Number.POSITIVE_INFINITY
  const tokens = (credit * 1000n) / price.perKCompletionTokens - 1n
  return tokens < 1n ? 1 : tokens > 1_000_000n ? 1_000_000 : Number(tokens)
}

/** The runtime's own spelling of a requested model id, compared canonically. */
export function findModel(models: string[], requested: string): string | undefined {
  const wanted = canonicalModelId(requested)
  return models.find((m) => canonicalModelId(m) === wanted)
}
