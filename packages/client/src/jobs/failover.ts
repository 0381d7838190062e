/**
 * The provider-choosing state of one client job across attempts: rank the
 * live offers, skip providers already tried, record rejections and failures
 * in the client's provider record, and collect which provider served which part.
 */
import type { Tensor } from '@cocoon-mesh/protocol'
import {
  type FeatureName,
  JobErrorCode,
  type JobKind,
  type JobRequest,
  RejectReason,
  TrustTier,
} from '@cocoon-mesh/protocol'
import { noPayments } from '@cocoon-mesh/settlement/payments'
import type { Stream } from '@libp2p/interface'
import { defaultLogger } from '@libp2p/logger'
import { meetsTier, tierName, trustLabel, trustOf } from '../market/offer-trust.js'
import { rankOffers } from '../matching/rank.js'
import type { JobSize, RankedOffer } from '../matching/types.js'
import { type AttemptEvent, type CountedUsage, jobAttempt } from './attempt.js'
import { errorText, generationRate, outcomeOf } from './attempt-outcome.js'
import {
  AbortedError,
  BelowTrustTierError,
  ContextLengthExceededError,
  DeadlineExceededError,
  JobFailedError,
  JobRejectedError,
  ProviderUnreachableError,
} from './errors.js'
import { buildJobRequest, embeddingTokenBound, promptTokenBound } from './job-request.js'
import type { CommonJobParams, JobContext, JobEvent, ServedPart } from './job-types.js'
import { defaultLlmDeadline, llmStallLimits, type StallLimits, tensorStallLimits } from './limits.js'
import { exhaustedError, noMatchError, type Rejection } from './pick-failure.js'
import { type AttemptProgress, completedPart, failedPart, type PartEnd } from './served-parts.js'

/** Longest silence from a tensor job's provider, ms, unless the context sets `stallLimits.idleMs`. */
const TENSOR_IDLE_MS = 30_000

/** Candidates a pick ranks: the best, tried now, and the runners-up whose connections it warms in parallel. */
const PARALLEL_DIALS = 3

/** Unverified providers (no record, no evidence they answer) one job tries at most while others exist. */
const MAX_UNVERIFIED_PER_JOB = 3

/** The provider-choosing state of one job across attempts. */
export class Failover {
  readonly parts: ServedPart[] = []
  readonly #ctx: JobContext
  readonly #params: CommonJobParams
  readonly #jobId: string
  readonly #tried = new Set<string>()
  /** The remote address of each provider's job connection, once dialled. */
  readonly #via = new Map<string, string>()
  /** Providers whose connection this job warmed (or is warming). */
  readonly #warmed = new Set<string>()
  /** Providers without a record or reachability evidence tried so far in this job. */
  #unverifiedTried = 0
  readonly #rejections: Rejection[] = []
  #lastError: unknown
  /** A credible context-limit claim: the job ends with it once no other candidate is left. */
  #contextError: ContextLengthExceededError | undefined
  /** The job's deadline, Unix ms: the caller's, or set at the first pick of an LLM job from the offer's promised rate. */
  #deadline: number | undefined

  constructor(ctx: JobContext, params: CommonJobParams, jobId: string) {
    this.#ctx = ctx
    this.#params = params
    this.#jobId = jobId
    this.#deadline = params.deadline
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

  /** The best untried offer for a job of `size` that honours `features`. */
  async pick(size: JobSize, features: readonly FeatureName[] = []): Promise<RankedOffer> {
    if (this.#params.signal?.aborted === true) {
      throw new AbortedError('job aborted by the caller', { cause: this.#params.signal.reason })
    }
    if (this.#deadline !== undefined && this.now() >= this.#deadline) {
      throw new DeadlineExceededError('job deadline passed', {
        details: `after ${this.parts.length} attempts`,
      })
    }
    if (this.#tried.size >= (this.#ctx.maxAttempts ?? 6)) return this.#exhausted()
    const offers = await this.#ctx.offers(this.#params.model, this.#params.signal)
    const budget = this.#params.budget === undefined ? undefined : this.#params.budget - this.spent
    const { ranked, excluded } = rankOffers({
      model: this.#params.model,
      job: size,
      features,
      offers,
      now: this.now(),
      ...(this.#params.maxPrice !== undefined ? { maxPrice: this.#params.maxPrice } : {}),
      ...(budget !== undefined ? { budget } : {}),
      ...(this.#params.minTrustTier !== undefined ? { minTrustTier: this.#params.minTrustTier } : {}),
      ...(this.#ctx.trust !== undefined ? { trust: this.#ctx.trust } : {}),
      ...(this.#ctx.latencies !== undefined ? { latencies: this.#ctx.latencies } : {}),
      ...(this.#ctx.records !== undefined ? { records: this.#ctx.records.map } : {}),
      ...(this.#ctx.reachable !== undefined ? { reachable: this.#ctx.reachable() } : {}),
      ...(this.#ctx.loads !== undefined ? { loads: this.#ctx.loads.map } : {}),
      ...(this.#ctx.random !== undefined ? { random: this.#ctx.random } : {}),
      maxUnverified: Math.max(0, MAX_UNVERIFIED_PER_JOB - this.#unverifiedTried),
      limit: PARALLEL_DIALS,
      exclude: this.#tried,
    })
    const best = ranked[0]
    if (best !== undefined) {
      if (this.#deadline === undefined && size.kind === 'llm') {
        this.#deadline = defaultLlmDeadline(
          best.offer,
          { promptTokens: size.promptTokens ?? 0, maxTokens: size.completionTokens ?? 0 },
          this.now(),
        )
      }
      this.#warm(ranked.slice(1))
      return best
    }
    if (this.#tried.size > 0) return this.#exhausted()
    throw noMatchError({ model: this.#params.model, offers, excluded, budget })
  }

  /**
   * Opens connections to the runners-up while the best is tried (happy
   * eyeballs without the race): a dead offer among them fails its dial in
   * parallel, is recorded unreachable and drops out of the next pick, so a
   * few dead offers cost about one dial timeout, not one each.
   */
  #warm(candidates: readonly RankedOffer[]): void {
    const connect = this.#ctx.connect
    if (connect === undefined) return
    for (const c of candidates) {
      if (this.#warmed.has(c.providerId) || this.#tried.has(c.providerId)) continue
      this.#warmed.add(c.providerId)
      connect(c.providerId, c.offer, this.#params.signal).then(
        () => undefined,
        (error: unknown) => {
          this.#log('job %s: warming a connection to %s failed - %e', this.#jobId, c.providerId, error)
          // the caller's abort says nothing about the provider
          if (this.#params.signal?.aborted !== true)
            this.#ctx.records?.record(c.providerId, { type: 'unreachable' })
        },
      )
    }
  }

  get #log(): (format: string, ...args: unknown[]) => void {
    return (this.#ctx.logger ?? defaultLogger()).forComponent('cocoon:failover')
  }

  /** When a part on `candidate` ends now, and the `via` of its connection when known. */
  #partEnd(candidate: RankedOffer): PartEnd {
    return { endedAt: this.now(), via: this.#via.get(candidate.providerId) }
  }

  #exhausted(): never {
    if (this.#contextError !== undefined) throw this.#contextError
    throw exhaustedError({
      rejections: this.#rejections,
      tried: this.#tried.size,
      lastError: this.#lastError,
    })
  }

  request(
    kind: JobKind,
    candidate: RankedOffer,
    body: Pick<JobRequest, 'llm' | 'tensor' | 'embedding'>,
  ): JobRequest {
    return buildJobRequest(
      {
        jobId: this.#jobId,
        kind,
        params: this.#params,
        offerPrices: candidate.prices,
        spent: this.spent,
        deadline: this.#deadline,
      },
      body,
    )
  }

  async attempt(
    candidate: RankedOffer,
    request: JobRequest,
    inputs?: readonly Tensor[],
    outputCount?: number,
  ): Promise<AsyncGenerator<AttemptEvent>> {
    this.#tried.add(candidate.providerId)
    this.#checkTier(candidate)
    if (candidate.standing === 'unverified') this.#unverifiedTried++
    // ended again by `completed` or `failed`, which every attempt reaches
    this.#ctx.loads?.started(candidate.providerId)
    this.emit({ type: 'attempt', jobId: this.#jobId, providerId: candidate.providerId, cost: candidate.cost })
    // the channel this client pays the provider through, if it has one
    const channel =
      (await this.#ctx.payments?.channelFor?.(candidate.offer.provider, candidate.offer.payoutAddress)) ?? ''
    let stream: Stream
    try {
      stream = await this.#ctx.dial(candidate.providerId, candidate.offer, this.#params.signal)
      const via = this.#ctx.viaOf?.(candidate.providerId, stream)
      if (via !== undefined) this.#via.set(candidate.providerId, via)
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
      request: channel === '' ? request : this.#authorized(request, channel, candidate),
      ...(inputs !== undefined ? { inputs } : {}),
      ...(outputCount !== undefined ? { outputCount } : {}),
      payments: this.#ctx.payments ?? noPayments,
      provider: candidate.offer.provider,
      payoutAddress: candidate.offer.payoutAddress,
      offerPrice: candidate.prices,
      offerContextSize: candidate.offer.contextSize,
      ...(request.llm !== undefined ? { promptTokenBound: promptTokenBound(request.llm) } : {}),
      ...(request.embedding !== undefined
        ? { promptTokenBound: embeddingTokenBound(request.embedding) }
        : {}),
      ...(this.#params.signal !== undefined ? { signal: this.#params.signal } : {}),
      limits: this.#limits(candidate, request),
      ...(this.#deadline !== undefined ? { deadline: this.#deadline } : {}),
      now: () => this.now(),
      ...(this.#ctx.timers !== undefined ? { timers: this.#ctx.timers } : {}),
      ...(this.#ctx.logger !== undefined ? { logger: this.#ctx.logger } : {}),
      maxTensorBytes: this.#ctx.maxTensorBytes ?? 256 * 1024 * 1024,
    })
  }

  /**
   * Refuses to send anything to a provider whose verdict (read again now: a
   * republished offer may carry other evidence) is below the job's minimum tier.
   */
  #checkTier(candidate: RankedOffer): void {
    const minimum = this.#params.minTrustTier
    const trust = trustOf(candidate.offer, this.#ctx.trust)
    candidate.trust = trust
    if (meetsTier(trust.tier, minimum)) return
    throw new BelowTrustTierError(
      `provider ${candidate.providerId} is not ${tierName(minimum ?? TrustTier.TRUST_TIER_UNSPECIFIED)}`,
      {
        details: `this client's verdict on its offer: ${trustLabel(trust)}; nothing was sent to it`,
      },
    )
  }

  /** The stall limits of an attempt on `candidate`: from its promised rate, with the context's overrides. */
  #limits(candidate: RankedOffer, request: JobRequest): StallLimits {
    const overrides = this.#ctx.stallLimits
    if (request.llm === undefined) return tensorStallLimits(overrides?.idleMs ?? TENSOR_IDLE_MS)
    return llmStallLimits(candidate.offer, promptTokenBound(request.llm), overrides)
  }

  /**
   * The request on `channel`, made out to the candidate and signed last by
   * the channel's client key (settlement holds the key), so the provider can
   * check that this client owns the channel.
   */
  #authorized(request: JobRequest, channel: string, candidate: RankedOffer): JobRequest {
    const bound: JobRequest = {
      ...request,
      channel,
      provider: candidate.offer.provider,
      issuedAt: BigInt(Math.floor(this.now())),
    }
    return this.#ctx.payments?.authorize?.(bound) ?? bound
  }

  /** The provider said in its JobAccept how many jobs it holds. */
  loadReported(providerId: string, queueDepth: number): void {
    this.#ctx.loads?.reported(providerId, queueDepth)
  }

  /**
   * Books an attempt that delivered its JobResult as a served part (`counted`
   * is the usage the client accounted for) and credits the provider's record.
   */
  completed(candidate: RankedOffer, progress: AttemptProgress, counted: CountedUsage): void {
    this.#ctx.loads?.ended(candidate.providerId)
    const part = completedPart(candidate, progress, counted, this.#partEnd(candidate))
    this.parts.push(part)
    const delivered = generationRate(part)
    this.#ctx.records?.record(candidate.providerId, {
      type: 'success',
      ...(delivered !== undefined && candidate.offer.tokensPerSecond > 0
        ? { deliveredPerSecond: delivered, promisedPerSecond: candidate.offer.tokensPerSecond }
        : {}),
    })
  }

  /**
   * Books a failed attempt as a part (costed from what was delivered) and
   * decides: rethrows when the error ends the job (abort, deadline, a fault
   * of the request itself), else records the rejection or failure so the
   * caller fails over.
   */
  failed(candidate: RankedOffer, progress: AttemptProgress, err: unknown): void {
    this.#ctx.loads?.ended(candidate.providerId)
    this.#lastError = err
    this.parts.push(failedPart(candidate, progress, err, this.#partEnd(candidate)))
    // nothing was sent: the provider did nothing wrong, it is just not trusted enough for this job
    if (err instanceof BelowTrustTierError) return
    if (err instanceof AbortedError || this.#params.signal?.aborted === true) {
      throw err instanceof AbortedError ? err : new AbortedError('job aborted by the caller', { cause: err })
    }
    if (err instanceof JobRejectedError) {
      if (err.reason === RejectReason.REJECT_REASON_OVER_CAPACITY)
        this.#ctx.loads?.reported(candidate.providerId, err.queueDepth)
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
    if (err instanceof DeadlineExceededError) throw err
    if (err instanceof ContextLengthExceededError) {
      // true of this provider's model, but another may hold a longer context; ending the job here
      // would let a provider whose offer states no context end any job with a claim of a tiny one
      this.#contextError ??= err
      return
    }
    if (err instanceof JobFailedError) {
      if (err.isClientFault) throw err
      if (err.jobErrorCode === JobErrorCode.JOB_ERROR_CODE_DEADLINE) {
        throw new DeadlineExceededError('job deadline passed', { cause: err })
      }
    }
    this.#ctx.records?.record(candidate.providerId, { type: outcomeOf(err) })
  }
}

export { errorText, generationRate } from './attempt-outcome.js'
export { promptTokenBound, zeroPrices } from './job-request.js'
export type { AttemptProgress } from './served-parts.js'
