import type { Tensor } from '@cocoon-mesh/protocol'
import {
  isCocoonError,
  JobErrorCode,
  type JobFrame,
  type JobRequest,
  type JobResult,
  type Prices,
  systemTimers,
  type Timers,
  type Voucher,
} from '@cocoon-mesh/protocol'
import {
  type ChannelUnusableError,
  type ClientPaymentSession,
  type ClientPayments,
  noPayments,
  type PaymentAbortedError,
  type VoucherOverBudgetError,
} from '@cocoon-mesh/settlement/payments'
import { type ComponentLogger, type Stream, StreamResetError } from '@libp2p/interface'
import { defaultLogger } from '@libp2p/logger'
import { llmUsageCost, withinMaxPrice } from '../matching/cost.js'
import { closeOrReset } from './close-stream.js'
import { contextLimitError } from './context-limit.js'
import {
  AbortedError,
  AttemptEndedError,
  CloseFailedError,
  type ContextLengthExceededError,
  DeadlineExceededError,
  JobFailedError,
  JobRejectedError,
  PriceAboveOfferError,
  type ProviderTimeoutError,
  StreamEndedError,
  UnexpectedFrameError,
  UsageMismatchError,
} from './errors.js'
import { FrameWriter, type ReadFramesErrorType, readFrames, type WriteFrameErrorType } from './frames.js'
import { zeroPrices } from './job-request.js'
import { ProgressWatch, type StallLimits } from './limits.js'
import { sendTensors, TensorAssembler, type TensorAssemblerErrorType } from './tensors.js'
import { attemptKind, type CountedUsage, countUsage, deliveredCost } from './usage.js'

export { type CountedUsage, countUsage, deliveredCost } from './usage.js'

export type AttemptEvent =
  | { type: 'accepted'; price: Prices; creditWindow: bigint; queueDepth: number }
  | { type: 'token'; text: string; tokens: number }
  | { type: 'result'; result: JobResult; outputs: Tensor[]; counted: CountedUsage }

export interface AttemptOptions {
  stream: Stream
  request: JobRequest
  /** Input tensors of a tensor job, sent after the JobAccept. */
  inputs?: readonly Tensor[]
  /** Number of output tensors expected (tensor jobs). */
  outputCount?: number
  payments: ClientPayments
  provider: Uint8Array
  payoutAddress: string
  /** The price of the provider's offer: its JobAccept may not quote more. */
  offerPrice: Prices
  /**
   * Most prompt tokens the provider may bill for an LLM job: the client's
   * conservative count of what it sent (see `promptTokenBound`).
   */
  promptTokenBound?: number
  /** The context size the provider's offer states (0: none), checked against its context claims. */
  offerContextSize?: number
  signal?: AbortSignal
  /** Time to first token and least progress; an attempt that breaks them fails with `ProviderTimeoutError`. */
  limits: StallLimits
  /** Unix ms: past it the attempt fails with `DeadlineExceededError`, whatever the provider does. */
  deadline?: number
  /** The clock `deadline` is measured against. Default `Date.now`. */
  now?: () => number
  /** Where the idle and deadline timeouts are scheduled; pass fake ones with a fake `now`. Default {@link systemTimers}. */
  timers?: Timers
  maxTensorBytes: number
  /** Where a voucher that could not be sent after the result is logged. Default `defaultLogger()`. */
  logger?: ComponentLogger
}

/**
 * Errors of {@link jobAttempt}: the provider's answer (rejected, failed), its
 * misbehaviour on the stream (an unexpected or undecodable frame, a price
 * above its offer or the max, tokens beyond `maxTokens` or a bill above what
 * was delivered, tensors that do not match their headers), a stall, the
 * deadline, the stream ending, the caller's abort, and the client payment
 * session's refusals (no usable channel, a voucher over budget, a bill above
 * what was delivered).
 */
export type JobAttemptErrorType =
  | JobRejectedError
  | JobFailedError
  | ContextLengthExceededError
  | UnexpectedFrameError
  | PriceAboveOfferError
  | UsageMismatchError
  | ProviderTimeoutError
  | DeadlineExceededError
  | StreamEndedError
  | AbortedError
  | ReadFramesErrorType
  | WriteFrameErrorType
  | TensorAssemblerErrorType
  | ChannelUnusableError
  | VoucherOverBudgetError
  | PaymentAbortedError

/**
 * One try of one job on one provider's stream. Yields the accept, each token
 * chunk (never past the request's `maxTokens`: a provider that sends more is
 * cancelled) and the final result with the usage the client counted; throws
 * {@link JobAttemptErrorType} otherwise. Always leaves the stream closed or reset.
 */
export async function* jobAttempt(options: AttemptOptions): AsyncGenerator<AttemptEvent, void, undefined> {
  const { stream, request, signal } = options
  const writer = new FrameWriter(stream)
  const frames = readFrames(stream)[Symbol.asyncIterator]()
  const now = options.now ?? Date.now
  const watch = new ProgressWatch(options.limits, now())
  const onAbort = (): void => {
    stream.abort(new AbortedError('job aborted by the caller'))
  }
  signal?.addEventListener('abort', onAbort)
  let finished = false
  const assembler = new TensorAssembler(options.outputCount ?? 0, options.maxTensorBytes)
  try {
    if (signal?.aborted === true) throw new AbortedError('job aborted by the caller')
    await writer.write({ request }, { signal })
    const { price, creditWindow, queueDepth } = await readAccept(frames, options, watch)
    if (request.llm !== undefined) watch.queuedBehind(queueDepth, request.llm.maxTokens)
    yield { type: 'accepted', price, creditWindow, queueDepth }
    const session = await openSession(options, creditWindow)
    if (options.inputs !== undefined) {
      await sendTensors(writer, options.inputs, { signal })
    }
    let tokens = 0
    for (;;) {
      const frame = await next(frames, options, watch)
      if (frame.tokenChunk !== undefined) {
        watch.progress(now(), frame.tokenChunk.tokens)
        if (tokens + frame.tokenChunk.tokens > (request.llm?.maxTokens ?? Number.POSITIVE_INFINITY)) {
          finished = true
          throw await cancelOverflow(writer, stream, options, tokens, frame.tokenChunk.tokens)
        }
        tokens += frame.tokenChunk.tokens
        yield { type: 'token', text: frame.tokenChunk.text, tokens: frame.tokenChunk.tokens }
        const voucher = await session.delivered(llmUsageCost(price, 0, tokens))
        if (voucher !== undefined) await writer.write({ voucher }, { signal })
      } else if (assembler.push(frame)) {
        watch.progress(now(), 0)
      } else if (frame.result !== undefined) {
        if (!assembler.done) throw new UnexpectedFrameError('JobResult before all output tensors arrived')
        const outputs = await assembler.complete()
        const counted = countUsage(options, price, frame.result, tokens)
        await settle({ options, writer, session, price, counted })
        finished = true
        // close in the background: the result is in, the caller need not wait for the close handshake
        void closeOrReset(stream, 'the result', 2_000)
        yield { type: 'result', result: frame.result, outputs, counted }
        return
      } else if (frame.error !== undefined) {
        throw jobFailed(frame, options)
      } else {
        throw new UnexpectedFrameError('unexpected frame from provider', {
          details: `got ${Object.keys(frame).join(',')} during job output`,
        })
      }
    }
  } catch (err) {
    if (signal?.aborted === true) throw new AbortedError('job aborted by the caller', { cause: err })
    throw err
  } finally {
    assembler.drop()
    signal?.removeEventListener('abort', onAbort)
    if (!finished && stream.status === 'open') {
      stream.abort(new AttemptEndedError('job attempt ended before its result'))
    }
  }
}

/** The provider's answer to the JobRequest: its accepted price and credit window, or a typed error. */
async function readAccept(
  frames: AsyncIterator<JobFrame>,
  options: AttemptOptions,
  watch: ProgressWatch,
): Promise<{ price: Prices; creditWindow: bigint; queueDepth: number }> {
  const { request } = options
  const first = await next(frames, options, watch)
  if (first.reject !== undefined) {
    throw new JobRejectedError(first.reject.reason, `provider rejected the job: ${first.reject.message}`, {
      details: first.reject.message,
      retryAfterMs: first.reject.retryAfterMs,
      queueDepth: first.reject.queueDepth,
    })
  }
  if (first.error !== undefined) throw jobFailed(first, options)
  if (first.accept === undefined) throw new UnexpectedFrameError('expected JobAccept or JobReject')
  const price = first.accept.price ?? zeroPrices()
  const kind = attemptKind(request)
  for (const [limit, what] of [
    [request.maxPrice, "the request's max price"],
    [options.offerPrice, 'its own offer'],
  ] as const) {
    if (!withinMaxPrice(price, limit, kind)) {
      throw new PriceAboveOfferError(`provider accepted at a price above ${what}`, {
        details: `quoted ${priceText(price)}; ${what}: ${priceText(limit)}`,
      })
    }
  }
  return { price, creditWindow: first.accept.creditWindow, queueDepth: first.accept.queueDepth }
}

function priceText(p: Prices | undefined): string {
  return `${p?.perKPromptTokens}/${p?.perKCompletionTokens} per 1k prompt/completion tokens, ${p?.perTensorGflop} per GFLOP`
}

/**
 * Refuses a provider's token chunk that goes past the request's `maxTokens`:
 * sends a JobCancel, closes the stream and returns the error the attempt
 * fails with. The chunk is neither passed on, counted nor paid for.
 */
async function cancelOverflow(
  writer: FrameWriter,
  stream: Stream,
  options: AttemptOptions,
  received: number,
  chunkTokens: number,
): Promise<UsageMismatchError> {
  const { request } = options
  try {
    await writer.write({ cancel: { jobId: request.jobId } }, { signal: AbortSignal.timeout(1_000) })
    void closeOrReset(stream, 'the result', 2_000)
  } catch (cause) {
    stream.abort(new CloseFailedError('the JobCancel for tokens past max_tokens was not sent', { cause }))
  }
  const maxTokens = request.llm?.maxTokens ?? 0
  return new UsageMismatchError(
    'provider sent more tokens than max_tokens',
    {
      claimed: { promptTokens: 0, completionTokens: received + chunkTokens, cost: 0n },
      counted: { promptTokens: 0, completionTokens: received, cost: 0n },
    },
    {
      details: `a chunk of ${chunkTokens} tokens after ${received} received would exceed max_tokens ${maxTokens}; the job was cancelled and the chunk dropped`,
    },
  )
}

/** The client's payment session for an accepted attempt. */
function openSession(options: AttemptOptions, creditWindow: bigint): Promise<ClientPaymentSession> {
  const { request } = options
  // a client that looked for a channel and has none runs the job unpaid
  // (a provider that wants payment rejects it before the accept); the jobId labels the receipt
  const payments =
    request.channel === '' && options.payments.channelFor !== undefined ? noPayments : options.payments
  return payments.openSession(options.provider, options.payoutAddress, creditWindow, request.jobId)
}

/**
 * Pays for a finished attempt: the cumulative cost of the delivered work,
 * then the provider's final bill. The result is already in, so a voucher that
 * cannot be written (the provider closed the stream) does not fail the
 * attempt; it is logged instead.
 */
async function settle(attempt: {
  options: AttemptOptions
  writer: FrameWriter
  session: ClientPaymentSession
  price: Prices
  counted: CountedUsage
}): Promise<void> {
  const { options, session, counted } = attempt
  // the bill includes the prompt (tensor: the GFLOP): report the cumulative cost of the delivered
  // work at the accepted price before settling, so a prompt cost above the credit window is not
  // refused as "more than delivered"
  const cost = deliveredCost(
    attempt.price,
    attemptKind(options.request),
    { promptTokens: counted.promptTokens, gflop: counted.gflop },
    counted.completionTokens,
  )
  const delivered = await session.delivered(cost)
  if (delivered !== undefined) await sendFinalVoucher(attempt.writer, delivered, options)
  const voucher = await session.finish(counted.cost)
  if (voucher !== undefined) await sendFinalVoucher(attempt.writer, voucher, options)
}

async function sendFinalVoucher(
  writer: FrameWriter,
  voucher: Voucher,
  options: AttemptOptions,
): Promise<void> {
  try {
    await writer.write({ voucher }, { signal: options.signal })
  } catch (err) {
    const log = (options.logger ?? defaultLogger()).forComponent('cocoon:job-attempt')
    log.error(
      'job %s: voucher for %s nanoTON not sent to the provider after its result - %e. Safe to go on: the result is in, the voucher is signed and recorded, and channel vouchers are cumulative, so the next one to this provider carries the amount',
      options.request.jobId,
      voucher.amount,
      err,
    )
  }
}

/** The JobError as a typed error; a prompt over the context is believed only as far as `contextLimitError` allows. */
function jobFailed(frame: JobFrame, options: AttemptOptions): JobFailedError | ContextLengthExceededError {
  const error = frame.error
  const limit = error?.contextLimit
  if (limit !== undefined && error?.code === JobErrorCode.JOB_ERROR_CODE_BAD_INPUT) {
    return contextLimitError(
      limit,
      {
        maxTokens: options.request.llm?.maxTokens ?? 0,
        offerContextSize: options.offerContextSize ?? 0,
        ...(options.promptTokenBound !== undefined ? { promptTokenBound: options.promptTokenBound } : {}),
      },
      error.message,
    )
  }
  return new JobFailedError(
    error?.code ?? JobErrorCode.JOB_ERROR_CODE_UNSPECIFIED,
    `provider failed the job: ${error?.message ?? ''}`,
    {
      details: error?.message,
    },
  )
}

/**
 * The next frame from the provider, or a timeout when it stalls (no first
 * token in time, silence, or a rate far below its promise; see `watch`) or the deadline passes.
 */
async function next(
  frames: AsyncIterator<JobFrame>,
  options: AttemptOptions,
  watch: ProgressWatch,
): Promise<JobFrame> {
  let cancelTimeout: (() => void) | undefined
  const now = (options.now ?? Date.now)()
  const stall = watch.stallAt()
  const deadline = options.deadline ?? Number.POSITIVE_INFINITY
  const timeout = new Promise<never>((_, reject) => {
    cancelTimeout = (options.timers ?? systemTimers).schedule(
      () => {
        reject(
          deadline <= stall.at
            ? new DeadlineExceededError('job deadline passed', {
                details: 'the provider had not finished by the deadline',
              })
            : stall.error(),
        )
      },
      Math.max(0, Math.min(stall.at, deadline) - now),
    )
  })
  try {
    const result = await Promise.race([frames.next(), timeout])
    if (result.done === true) {
      throw new StreamEndedError('provider closed the job stream before the result', {
        details: 'the provider process may have died or dropped the connection',
      })
    }
    return result.value
  } catch (err) {
    if (err instanceof StreamResetError) throw new StreamEndedError('job stream was reset', { cause: err })
    // the transport's own errors (libp2p's, Node's) become StreamEndedError; typed job errors pass through
    if (err instanceof Error && !isCocoonError(err)) {
      throw new StreamEndedError('job stream failed', { cause: err, details: err.message })
    }
    throw err
  } finally {
    cancelTimeout?.()
  }
}
