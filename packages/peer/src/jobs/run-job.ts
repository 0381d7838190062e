import { randomUUID } from 'node:crypto'
import type { ChatMessage, Tensor } from '@cocoon-mesh/gpu-runtime'
import {
  isCocoonError,
  JobErrorCode,
  JobKind,
  type JobRequest,
  type Offer,
  PROTOCOL_VERSION,
  type Prices,
  RejectReason,
  TrustTier,
  tensorCost,
} from '@cocoon-mesh/protocol'
import { type ClientPayments, noPayments } from '@cocoon-mesh/settlement'
import type { Stream } from '@libp2p/interface'
import { llmUsageCost } from '../matching/cost.js'
import { rankOffers } from '../matching/rank.js'
import type { ProviderRecords } from '../matching/records.js'
import type { JobSize, MaxPrice, RankedOffer } from '../matching/types.js'
import { type AttemptEvent, jobAttempt } from './attempt.js'
import {
  AbortedError,
  AllProvidersFailedError,
  AllRejectedError,
  BudgetExceededError,
  InvalidJobError,
  JobDeadlineError,
  JobFailedError,
  JobRejectedError,
  NoProviderError,
  ProviderUnreachableError,
} from './errors.js'

/** Which provider served which part of a job, at what price. */
export interface ServedPart {
  providerId: string
  price: Prices
  promptTokens: number
  completionTokens: number
  gflop: number
  /** nanoTON for this part (billed by the provider, or computed from delivered tokens when it died). */
  cost: bigint
  startedAt: number
  /** When the first token of this part arrived (LLM jobs). */
  firstTokenAt?: number
  endedAt: number
  outcome: 'completed' | 'failed' | 'rejected'
  error?: string
}

export interface JobUsage {
  promptTokens: number
  cachedTokens: number
  completionTokens: number
  reasoningTokens: number
  gflop: number
  cost: bigint
  finishReason: string
  backend: string
  /** Every provider tried, in order: the failover history of the job. */
  parts: ServedPart[]
}

export interface JobContext {
  /** Live offers (e.g. from the order book). */
  offers: (model: string) => readonly Offer[] | Promise<readonly Offer[]>
  /** Opens a `/cocoon/job/1.0.0` stream to a provider. */
  dial: (providerId: string, offer: Offer, signal?: AbortSignal) => Promise<Stream>
  records?: ProviderRecords
  latencies?: ReadonlyMap<string, number>
  payments?: ClientPayments
  now?: () => number
  /** Providers tried per job at most. Default 6. */
  maxAttempts?: number
  /** Longest silence from a provider mid-job, ms. Default 30 000. */
  idleTimeoutMs?: number
  maxTensorBytes?: number
  onEvent?: (event: JobEvent) => void
}

export type JobEvent =
  | { type: 'attempt'; jobId: string; providerId: string; cost: bigint }
  | { type: 'accepted'; jobId: string; providerId: string; price: Prices }
  | { type: 'failover'; jobId: string; providerId: string; error: string; receivedTokens: number }
  | { type: 'rejected'; jobId: string; providerId: string; reason: RejectReason }

interface CommonJobParams {
  model: string
  maxPrice?: MaxPrice
  /** nanoTON the whole job may cost. */
  budget?: bigint
  minTrustTier?: TrustTier
  /** Unix ms. */
  deadline?: number
  signal?: AbortSignal
  jobId?: string
}

export interface LlmJobParams extends CommonJobParams {
  prompt?: string
  messages?: ChatMessage[]
  maxTokens?: number
  temperature?: number
  seed?: number
}

export interface TensorJobParams extends CommonJobParams {
  op: 'matmul' | 'onnx'
  /** For `onnx`, the serialized graph. */
  graph?: Uint8Array
  inputs: Tensor[]
  outputNames?: string[]
  /** Number of output tensors expected (default 1, or `outputNames.length`). */
  outputCount?: number
  /** Expected work, for ranking offers by price. Default 1. */
  gflop?: number
}

export interface TokenOutput {
  text: string
  tokens: number
  providerId: string
}

/** A streamed LLM job: iterate for the tokens, then await `usage`. */
export interface LlmJob extends AsyncIterable<TokenOutput> {
  readonly jobId: string
  readonly usage: Promise<JobUsage>
}

const DEFAULT_MAX_TOKENS = 256

/**
 * Runs an LLM job over the mesh with failover: ranks offers, tries the best,
 * and when a provider rejects, dies, stalls or sends garbage, moves to the
 * next one, re-sending the prompt plus the text already received so the
 * caller's stream just continues.
 */
export function runLlmJob(ctx: JobContext, params: LlmJobParams): LlmJob {
  const jobId = params.jobId ?? randomUUID()
  let resolveUsage!: (u: JobUsage) => void
  let rejectUsage!: (e: unknown) => void
  const usage = new Promise<JobUsage>((resolve, reject) => {
    resolveUsage = resolve
    rejectUsage = reject
  })
  usage.catch(() => {})
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
  for (;;) {
    const size: JobSize = {
      kind: 'llm',
      promptTokens: Math.ceil((promptChars + continuation.length) / 4),
      completionTokens: maxTokens - received,
    }
    const candidate = await runner.pick(size)
    const request = runner.request(JobKind.JOB_KIND_LLM, candidate, {
      llm: {
        prompt: params.prompt ?? '',
        messages: params.messages ?? [],
        maxTokens: maxTokens - received,
        temperature: params.temperature ?? 0,
        seed: params.seed ?? 0,
        continuation,
      },
    })
    let partTokens = 0
    let firstTokenAt: number | undefined
    let price: Prices | undefined
    const startedAt = runner.now()
    try {
      for await (const event of await runner.attempt(candidate, request)) {
        if (event.type === 'accepted') {
          price = event.price
          runner.emit({ type: 'accepted', jobId, providerId: candidate.providerId, price })
        } else if (event.type === 'token') {
          firstTokenAt ??= runner.now()
          partTokens += event.tokens
          received += event.tokens
          continuation += event.text
          yield { text: event.text, tokens: event.tokens, providerId: candidate.providerId }
        } else {
          const u = event.result.usage
          runner.completed(candidate, {
            providerId: candidate.providerId,
            price: price ?? zeroPrices(),
            promptTokens: u?.promptTokens ?? 0,
            completionTokens: partTokens,
            gflop: 0,
            cost: u?.cost ?? 0n,
            startedAt,
            ...(firstTokenAt !== undefined ? { firstTokenAt } : {}),
            endedAt: runner.now(),
            outcome: 'completed',
          })
          return {
            // what the providers billed as prompt (a failover part's prompt includes the continuation)
            promptTokens: runner.parts.reduce((n, p) => n + p.promptTokens, 0),
            cachedTokens: u?.cachedTokens ?? 0,
            completionTokens: received,
            reasoningTokens: u?.reasoningTokens ?? 0,
            gflop: 0,
            cost: runner.parts.reduce((sum, p) => sum + p.cost, 0n),
            finishReason: event.result.finishReason,
            backend: event.result.backend,
            parts: runner.parts,
          }
        }
      }
      runner.failed(candidate, price, partTokens, 0, startedAt, new Error('attempt ended without a result'))
    } catch (err) {
      runner.failed(candidate, price, partTokens, 0, startedAt, err)
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

/** Runs a tensor job over the mesh; a provider that fails mid-job is replaced and the job re-run. */
export async function runTensorJob(
  ctx: JobContext,
  params: TensorJobParams,
): Promise<{ outputs: Tensor[]; usage: JobUsage }> {
  const jobId = params.jobId ?? randomUUID()
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
    let price: Prices | undefined
    const startedAt = runner.now()
    try {
      for await (const event of await runner.attempt(candidate, request, inputs, outputCount)) {
        if (event.type === 'accepted') {
          price = event.price
          runner.emit({ type: 'accepted', jobId, providerId: candidate.providerId, price })
        } else if (event.type === 'result') {
          const u = event.result.usage
          runner.completed(candidate, {
            providerId: candidate.providerId,
            price: price ?? zeroPrices(),
            promptTokens: 0,
            completionTokens: 0,
            gflop: u?.gflop ?? 0,
            cost: u?.cost ?? 0n,
            startedAt,
            endedAt: runner.now(),
            outcome: 'completed',
          })
          return {
            outputs: event.outputs,
            usage: {
              promptTokens: 0,
              cachedTokens: 0,
              completionTokens: 0,
              reasoningTokens: 0,
              gflop: u?.gflop ?? 0,
              cost: runner.parts.reduce((sum, p) => sum + p.cost, 0n),
              finishReason: event.result.finishReason,
              backend: event.result.backend,
              parts: runner.parts,
            },
          }
        }
      }
      runner.failed(candidate, price, 0, 0, startedAt, new Error('attempt ended without a result'))
    } catch (err) {
      runner.failed(candidate, price, 0, 0, startedAt, err)
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

/** The provider-choosing state of one job across attempts. */
class Failover {
  readonly parts: ServedPart[] = []
  readonly #ctx: JobContext
  readonly #params: CommonJobParams
  readonly #jobId: string
  readonly #tried = new Set<string>()
  readonly #rejections: Array<{ providerId: string; reason: RejectReason; message: string }> = []
  #lastError: unknown

  constructor(ctx: JobContext, params: CommonJobParams, jobId: string) {
    this.#ctx = ctx
    this.#params = params
    this.#jobId = jobId
  }

  now(): number {
    return (this.#ctx.now ?? Date.now)()
  }

  emit(event: JobEvent): void {
    this.#ctx.onEvent?.(event)
  }

  get spent(): bigint {
    return this.parts.reduce((sum, p) => sum + p.cost, 0n)
  }

  async pick(size: JobSize): Promise<RankedOffer> {
    if (this.#params.signal?.aborted === true) {
      throw new AbortedError('job aborted by the caller', { cause: this.#params.signal.reason })
    }
    if (this.#params.deadline !== undefined && this.now() >= this.#params.deadline) {
      throw new JobDeadlineError('job deadline passed', { details: `after ${this.parts.length} attempts` })
    }
    if (this.#tried.size >= (this.#ctx.maxAttempts ?? 6)) return this.#exhausted()
    const offers = await this.#ctx.offers(this.#params.model)
    const budget = this.#params.budget === undefined ? undefined : this.#params.budget - this.spent
    const { ranked, excluded } = rankOffers({
      model: this.#params.model,
      job: size,
      offers,
      now: this.now(),
      ...(this.#params.maxPrice !== undefined ? { maxPrice: this.#params.maxPrice } : {}),
      ...(budget !== undefined ? { budget } : {}),
      ...(this.#params.minTrustTier !== undefined ? { minTrustTier: this.#params.minTrustTier } : {}),
      ...(this.#ctx.latencies !== undefined ? { latencies: this.#ctx.latencies } : {}),
      ...(this.#ctx.records !== undefined ? { records: this.#ctx.records.map } : {}),
      exclude: this.#tried,
    })
    const best = ranked[0]
    if (best !== undefined) return best
    if (this.#tried.size > 0) return this.#exhausted()
    if (excluded.some((e) => e.reason === 'over-budget')) {
      throw new BudgetExceededError('every matching offer costs more than the budget', {
        details: `budget left ${budget} nanoTON for model "${this.#params.model}"`,
      })
    }
    const reasons = [...new Set(excluded.map((e) => e.reason))].join(', ')
    throw new NoProviderError(`no provider offers model "${this.#params.model}"`, {
      details:
        offers.length === 0
          ? 'the order book has no live offers for it; check the model name and the bootstrap peers'
          : `${offers.length} offers were left out: ${reasons}`,
    })
  }

  #exhausted(): never {
    if (this.#rejections.length === this.#tried.size) {
      throw new AllRejectedError(this.#rejections, {
        details: this.#rejections
          .map((r) => `${r.providerId}: ${RejectReason[r.reason]} ${r.message}`)
          .join('; '),
      })
    }
    throw new AllProvidersFailedError(`all ${this.#tried.size} providers tried failed`, {
      cause: this.#lastError,
      details: `last error: ${errorText(this.#lastError)}`,
    })
  }

  request(kind: JobKind, candidate: RankedOffer, body: Pick<JobRequest, 'llm' | 'tensor'>): JobRequest {
    const max = this.#params.maxPrice
    const llm = kind === JobKind.JOB_KIND_LLM
    const price = candidate.offer.prices ?? zeroPrices()
    return {
      version: PROTOCOL_VERSION,
      jobId: this.#jobId,
      kind,
      model: this.#params.model,
      // tell the provider the most we pay: our cap, or its own offer price when we set none
      // (fields that do not apply to this kind of job carry the offer's price)
      maxPrice: {
        perKPromptTokens: (llm ? max?.perKPromptTokens : undefined) ?? price.perKPromptTokens,
        perKCompletionTokens: (llm ? max?.perKCompletionTokens : undefined) ?? price.perKCompletionTokens,
        perTensorGflop: (llm ? undefined : max?.perTensorGflop) ?? price.perTensorGflop,
      },
      budget: this.#params.budget === undefined ? 0n : this.#params.budget - this.spent,
      channel: '',
      deadline: BigInt(this.#params.deadline ?? 0),
      minTrustTier: this.#params.minTrustTier ?? TrustTier.TRUST_TIER_UNSPECIFIED,
      ...body,
    }
  }

  async attempt(
    candidate: RankedOffer,
    request: JobRequest,
    inputs?: readonly Tensor[],
    outputCount?: number,
  ): Promise<AsyncGenerator<AttemptEvent>> {
    this.#tried.add(candidate.providerId)
    this.emit({ type: 'attempt', jobId: this.#jobId, providerId: candidate.providerId, cost: candidate.cost })
    // [payments, issue 6] the channel this client pays the provider through, if it has one
    const channel =
      (await this.#ctx.payments?.channelFor?.(candidate.offer.provider, candidate.offer.payoutAddress)) ?? ''
    let stream: Stream
    try {
      stream = await this.#ctx.dial(candidate.providerId, candidate.offer, this.#params.signal)
    } catch (cause) {
      if (this.#params.signal?.aborted === true)
        throw new AbortedError('job aborted by the caller', { cause })
      throw new ProviderUnreachableError(`could not open a job stream to ${candidate.providerId}`, {
        cause,
        details: errorText(cause),
      })
    }
    return jobAttempt({
      stream,
      request: channel === '' ? request : { ...request, channel },
      ...(inputs !== undefined ? { inputs } : {}),
      ...(outputCount !== undefined ? { outputCount } : {}),
      payments: this.#ctx.payments ?? noPayments,
      provider: candidate.offer.provider,
      payoutAddress: candidate.offer.payoutAddress,
      ...(this.#params.signal !== undefined ? { signal: this.#params.signal } : {}),
      idleTimeoutMs: this.#ctx.idleTimeoutMs ?? 30_000,
      ...(this.#params.deadline !== undefined ? { deadline: this.#params.deadline } : {}),
      maxTensorBytes: this.#ctx.maxTensorBytes ?? 256 * 1024 * 1024,
    })
  }

  completed(candidate: RankedOffer, part: ServedPart): void {
    this.parts.push(part)
    const seconds = (part.endedAt - part.startedAt) / 1000
    this.#ctx.records?.record(candidate.providerId, {
      type: 'success',
      ...(part.completionTokens > 0 && seconds > 0 && candidate.offer.tokensPerSecond > 0
        ? {
            deliveredPerSecond: part.completionTokens / seconds,
            promisedPerSecond: candidate.offer.tokensPerSecond,
          }
        : {}),
    })
  }

  /** Books a failed attempt; rethrows when the error ends the job rather than calling for failover. */
  failed(
    candidate: RankedOffer,
    price: Prices | undefined,
    tokens: number,
    gflop: number,
    startedAt: number,
    err: unknown,
  ): void {
    this.#lastError = err
    const rejected = err instanceof JobRejectedError
    const p = price ?? candidate.offer.prices ?? zeroPrices()
    this.parts.push({
      providerId: candidate.providerId,
      price: p,
      promptTokens: 0,
      completionTokens: tokens,
      gflop,
      cost: rejected ? 0n : llmUsageCost(p, 0, tokens) + (gflop > 0 ? tensorCost(p, gflop) : 0n),
      startedAt,
      endedAt: this.now(),
      outcome: rejected ? 'rejected' : 'failed',
      error: errorText(err),
    })
    if (err instanceof AbortedError || this.#params.signal?.aborted === true) {
      throw err instanceof AbortedError ? err : new AbortedError('job aborted by the caller', { cause: err })
    }
    if (rejected) {
      this.#rejections.push({
        providerId: candidate.providerId,
        reason: err.reason,
        message: err.details ?? '',
      })
      this.#ctx.records?.record(candidate.providerId, { type: 'rejected' })
      this.emit({
        type: 'rejected',
        jobId: this.#jobId,
        providerId: candidate.providerId,
        reason: err.reason,
      })
      return
    }
    if (err instanceof JobDeadlineError) throw err
    if (err instanceof JobFailedError) {
      if (err.isClientFault) throw err
      if (err.jobErrorCode === JobErrorCode.JOB_ERROR_CODE_DEADLINE) {
        throw new JobDeadlineError('job deadline passed', { cause: err })
      }
    }
    const timeout = isCocoonError(err) && err.code === 'ERR_PROVIDER_TIMEOUT'
    this.#ctx.records?.record(candidate.providerId, { type: timeout ? 'timeout' : 'failure' })
  }
}

function zeroPrices(): Prices {
  return { perKPromptTokens: 0n, perKCompletionTokens: 0n, perTensorGflop: 0n }
}

function errorText(err: unknown): string {
  if (isCocoonError(err)) return `${err.code}: ${err.shortMessage}`
  return err instanceof Error ? err.message : String(err)
}
