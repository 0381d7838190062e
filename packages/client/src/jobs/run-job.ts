import {
  constraintsToWire,
  JobKind,
  type JobResult,
  type LlmParams,
  MAX_TOOLS,
  markHandled,
  messagesToWire,
  requiredFeatures,
  StopFilter,
  type Tensor,
} from '@cocoon-mesh/protocol'
import {
  type AbortedError,
  type AllProvidersFailedError,
  type AllRejectedError,
  AttemptEndedError,
  type BudgetExceededError,
  type DeadlineExceededError,
  InvalidJobError,
  type JobFailedError,
  MalformedToolCallError,
  type NoProviderError,
  StopIgnoredError,
} from './errors.js'
import { type AttemptProgress, errorText, Failover } from './failover.js'
import type {
  JobContext,
  JobUsage,
  LlmJob,
  LlmJobParams,
  ServedPart,
  TensorJobParams,
  TokenOutput,
} from './job-types.js'

export type * from './job-types.js'

const DEFAULT_MAX_TOKENS = 256

/**
 * Errors of {@link runLlmJob} (from iterating it and from `usage`) and
 * {@link runTensorJob}: the job is invalid, nobody offers it (or not within
 * the budget), every provider rejected or failed it, the deadline passed, the
 * caller aborted, or a provider says the request itself is bad
 * (JobFailedError with `isClientFault`, not retried elsewhere). Errors of the
 * context's own `offers` callback pass through.
 */
export type RunJobErrorType =
  | InvalidJobError
  | NoProviderError
  | BudgetExceededError
  | AllRejectedError
  | AllProvidersFailedError
  | DeadlineExceededError
  | AbortedError
  | JobFailedError

/**
 * Runs an LLM job over the mesh with failover: ranks offers, tries the best,
 * and when a provider rejects, dies, stalls or sends garbage, moves to the
 * next one, re-sending the prompt plus the text already received so the
 * caller's stream just continues. Iterating it and `usage` throw
 * {@link RunJobErrorType}.
 */
export function runLlmJob(ctx: JobContext, params: LlmJobParams): LlmJob {
  const jobId = params.jobId ?? globalThis.crypto.randomUUID()
  let resolveUsage!: (u: JobUsage) => void
  let rejectUsage!: (e: unknown) => void
  const usage = new Promise<JobUsage>((resolve, reject) => {
    resolveUsage = resolve
    rejectUsage = reject
  })
  // the iteration throws the same error; a caller that only iterates need not await `usage`
  markHandled(usage)
  let started = false
  return {
    jobId,
    usage,
    [Symbol.asyncIterator]() {
      if (started) throw new InvalidJobError('an LLM job can be iterated once')
      started = true
      const gen = llmJob(ctx, params, jobId)
      return (async function* () {
        try {
          const result = yield* gen
          resolveUsage(result)
        } catch (err) {
          rejectUsage(err)
          throw err
        }
      })()
    },
  }
}

async function* llmJob(
  ctx: JobContext,
  params: LlmJobParams,
  jobId: string,
): AsyncGenerator<TokenOutput, JobUsage> {
  if ((params.prompt === undefined || params.prompt === '') && (params.messages?.length ?? 0) === 0) {
    throw new InvalidJobError('an LLM job needs a prompt or messages')
  }
  const maxTokens = params.maxTokens ?? DEFAULT_MAX_TOKENS
  const promptChars =
    (params.prompt?.length ?? 0) + (params.messages ?? []).reduce((n, m) => n + m.content.length, 0)
  let continuation = ''
  let received = 0
  const runner = new Failover(ctx, params, jobId)
  // the features a provider must honour, the same for every attempt
  const features = requiredFeatures({ kind: JobKind.JOB_KIND_LLM, llm: llmParams(params, maxTokens, '') })
  for (;;) {
    // checked again here: a provider that claims `stop` and streams a stop string gets no further
    const stops = new StopFilter(params.stop ?? [])
    // a provider cut off at max_tokens delivered them all: the job is done with what was counted
    if (received >= maxTokens) return llmUsage(runner.parts, received, undefined)
    const candidate = await runner.pick(
      {
        kind: 'llm',
        promptTokens: Math.ceil((promptChars + continuation.length) / 4),
        completionTokens: maxTokens - received,
      },
      features,
    )
    const request = runner.request(JobKind.JOB_KIND_LLM, candidate, {
      llm: llmParams(params, maxTokens - received, continuation),
    })
    const progress: AttemptProgress = { tokens: 0, gflop: 0, startedAt: runner.now() }
    try {
      for await (const event of await runner.attempt(candidate, request)) {
        if (event.type === 'accepted') {
          progress.price = event.price
          runner.loadReported(candidate.providerId, event.queueDepth)
          runner.emit({ type: 'accepted', jobId, providerId: candidate.providerId, price: event.price })
        } else if (event.type === 'token') {
          progress.firstTokenAt ??= runner.now()
          progress.tokens += event.tokens
          received += event.tokens
          const text = stops.push(event.text)
          continuation += text
          yield { text, tokens: event.tokens, providerId: candidate.providerId, tier: candidate.trust.tier }
          if (stops.stopped) {
            runner.failed(candidate, progress, new StopIgnoredError('provider streamed a stop string'))
            return { ...llmUsage(runner.parts, received, undefined), finishReason: 'stop' }
          }
        } else {
          checkToolCalls(params, event.result)
          const rest = stops.flush()
          if (rest !== '')
            yield { text: rest, tokens: 0, providerId: candidate.providerId, tier: candidate.trust.tier }
          runner.completed(candidate, progress, event.counted)
          return llmUsage(runner.parts, received, event.result)
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
        receivedTokens: received,
      })
    }
  }
}

/**
 * A provider's tool calls must name tools the job offered (the forced one
 * when `toolChoice` names it), be at most MAX_TOOLS and carry JSON arguments;
 * otherwise MalformedToolCallError, and the job fails over.
 */
function checkToolCalls(params: LlmJobParams, result: JobResult): void {
  const calls = result.toolCalls
  if (calls.length === 0) return
  const choice = params.toolChoice
  const allowed =
    typeof choice === 'object'
      ? [choice.name]
      : choice === 'none'
        ? []
        : (params.tools ?? []).map((t) => t.name)
  const bad = (what: string): never => {
    throw new MalformedToolCallError('provider sent a tool call the job cannot accept', { details: what })
  }
  if (calls.length > MAX_TOOLS) bad(`${calls.length} tool calls; at most ${MAX_TOOLS}`)
  for (const call of calls) {
    if (!allowed.includes(call.name))
      bad(`"${call.name.slice(0, 64)}" is not one of ${allowed.join(', ') || 'no tools'}`)
    try {
      JSON.parse(call.arguments)
    } catch {
      bad(`the arguments of "${call.name}" are not JSON`)
    }
  }
}

/** The LLM part of the JobRequest for an attempt that continues after `continuation`. */
function llmParams(params: LlmJobParams, maxTokens: number, continuation: string): LlmParams {
  return {
    prompt: params.prompt ?? '',
    messages: messagesToWire(params.messages ?? []),
    maxTokens,
    temperature: params.temperature ?? 0,
    seed: params.seed ?? 0,
    continuation,
    ...constraintsToWire(params),
  }
}

/**
 * The usage of a finished LLM job across all its parts, as the client counted
 * it; `result` is the last provider's (undefined when the job ended at
 * `maxTokens` without one), whose cached and reasoning counts are kept within
 * the counted prompt and completion tokens.
 */
function llmUsage(parts: ServedPart[], receivedTokens: number, result: JobResult | undefined): JobUsage {
  // what the providers billed as prompt within the client's bound (a failover part's prompt includes the continuation)
  const promptTokens = parts.reduce((n, p) => n + p.promptTokens, 0)
  return {
    promptTokens,
    cachedTokens: Math.min(result?.usage?.cachedTokens ?? 0, promptTokens),
    completionTokens: receivedTokens,
    reasoningTokens: Math.min(result?.usage?.reasoningTokens ?? 0, receivedTokens),
    gflop: 0,
    cost: parts.reduce((sum, p) => sum + p.cost, 0n),
    finishReason: result?.finishReason ?? 'length',
    backend: result?.backend ?? '',
    toolCalls: result?.toolCalls ?? [],
    parts,
  }
}

/**
 * Runs a tensor job over the mesh; a provider that fails mid-job is replaced
 * and the job re-run. Rejects with {@link RunJobErrorType}.
 */
export async function runTensorJob(
  ctx: JobContext,
  params: TensorJobParams,
): Promise<{ outputs: Tensor[]; usage: JobUsage }> {
  const jobId = params.jobId ?? globalThis.crypto.randomUUID()
  const runner = new Failover(ctx, params, jobId)
  const inputs =
    params.op === 'onnx' && params.graph !== undefined
      ? [
          { name: 'graph', dtype: 'uint8' as const, shape: [params.graph.byteLength], data: params.graph },
          ...params.inputs,
        ]
      : params.inputs
  const outputCount = params.outputCount ?? (params.outputNames?.length || 1)
  for (;;) {
    const candidate = await runner.pick({ kind: 'tensor', gflop: params.gflop ?? 1 })
    const request = runner.request(JobKind.JOB_KIND_TENSOR, candidate, {
      tensor: { op: params.op, inputCount: inputs.length, outputNames: params.outputNames ?? [] },
    })
    const progress: AttemptProgress = { tokens: 0, gflop: 0, startedAt: runner.now() }
    try {
      for await (const event of await runner.attempt(candidate, request, inputs, outputCount)) {
        if (event.type === 'accepted') {
          progress.price = event.price
          runner.loadReported(candidate.providerId, event.queueDepth)
          runner.emit({ type: 'accepted', jobId, providerId: candidate.providerId, price: event.price })
        } else if (event.type === 'result') {
          runner.completed(candidate, progress, event.counted)
          return { outputs: event.outputs, usage: tensorUsage(runner.parts, event.result) }
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

/** The usage of a finished tensor job across all its parts. */
function tensorUsage(parts: ServedPart[], result: JobResult): JobUsage {
  return {
    promptTokens: 0,
    cachedTokens: 0,
    completionTokens: 0,
    reasoningTokens: 0,
    gflop: result.usage?.gflop ?? 0,
    cost: parts.reduce((sum, p) => sum + p.cost, 0n),
    finishReason: result.finishReason,
    backend: result.backend,
    toolCalls: [],
    parts,
  }
}
