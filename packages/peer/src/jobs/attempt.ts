import type { Tensor } from '@cocoon-mesh/gpu-runtime'
import {
  isCocoonError,
  JobErrorCode,
  type JobFrame,
  JobKind,
  type JobRequest,
  type JobResult,
  type Prices,
  systemTimers,
  type Timers,
  type Usage,
  usageCost,
  type Voucher,
} from '@cocoon-mesh/protocol'
import {
  type ChannelUnusableError,
  type ClientPaymentSession,
  type ClientPayments,
  noPayments,
  type PaymentAbortedError,
  type VoucherOverBudgetError,
} from '@cocoon-mesh/settlement'
import { type ComponentLogger, type Stream, StreamResetError } from '@libp2p/interface'
import { defaultLogger } from '@libp2p/logger'
import { llmUsageCost, withinMaxPrice } from '../matching/cost.js'
import {
  AbortedError,
  AttemptEndedError,
  CloseFailedError,
  DeadlineExceededError,
  JobFailedError,
  JobRejectedError,
  ProviderTimeoutError,
  StreamEndedError,
  UnexpectedFrameError,
} from './errors.js'
import { FrameWriter, type ReadFramesErrorType, readFrames, type WriteFrameErrorType } from './frames.js'
import { sendTensors, TensorAssembler, type TensorAssemblerErrorType } from './tensors.js'

export type AttemptEvent =
  | { type: 'accepted'; price: Prices; creditWindow: bigint }
  | { type: 'token'; text: string; tokens: number }
  | { type: 'result'; result: JobResult; outputs: Tensor[] }

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
  signal?: AbortSignal
  /** Longest silence from the provider before the attempt fails with `ProviderTimeoutError`, ms. */
  idleTimeoutMs: number
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
 * above the max, tensors that do not match their headers), silence, the
 * deadline, the stream ending, the caller's abort, and the client payment
 * session's refusals (no usable channel, a voucher over budget, a bill above
 * what was delivered).
 */
export type JobAttemptErrorType =
  | JobRejectedError
  | JobFailedError
  | UnexpectedFrameError
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
 * chunk and the final result; throws {@link JobAttemptErrorType} otherwise.
 * Always leaves the stream closed or reset.
 */
export async function* jobAttempt(options: AttemptOptions): AsyncGenerator<AttemptEvent, void, undefined> {
  const { stream, request, signal } = options
  const writer = new FrameWriter(stream)
  const frames = readFrames(stream)[Symbol.asyncIterator]()
  const onAbort = (): void => {
    stream.abort(new AbortedError('job aborted by the caller'))
  }
  signal?.addEventListener('abort', onAbort)
  let finished = false
  const assembler = new TensorAssembler(options.outputCount ?? 0, options.maxTensorBytes)
  try {
    if (signal?.aborted === true) throw new AbortedError('job aborted by the caller')
    await writer.write({ request }, { signal })
    const { price, creditWindow } = await readAccept(frames, options)
    yield { type: 'accepted', price, creditWindow }
    const session = await openSession(options, creditWindow)
    if (options.inputs !== undefined) {
      await sendTensors(writer, options.inputs, { signal })
    }
    let tokens = 0
    for (;;) {
      const frame = await next(frames, options)
      if (frame.tokenChunk !== undefined) {
        tokens += frame.tokenChunk.tokens
        yield { type: 'token', text: frame.tokenChunk.text, tokens: frame.tokenChunk.tokens }
        const voucher = await session.delivered(llmUsageCost(price, 0, tokens))
        if (voucher !== undefined) await writer.write({ voucher }, { signal })
      } else if (assembler.push(frame)) {
        // tensor output frame consumed
      } else if (frame.result !== undefined) {
        if (!assembler.done) throw new UnexpectedFrameError('JobResult before all output tensors arrived')
        const outputs = await assembler.complete()
        await settle({ options, writer, session, price, result: frame.result, receivedTokens: tokens })
        finished = true
        // close in the background: the result is in, the caller need not wait for the close handshake
        void closeOrReset(stream)
        yield { type: 'result', result: frame.result, outputs }
        return
      } else if (frame.error !== undefined) {
        throw jobFailed(frame)
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
): Promise<{ price: Prices; creditWindow: bigint }> {
  const { request } = options
  const first = await next(frames, options)
  if (first.reject !== undefined) {
    throw new JobRejectedError(first.reject.reason, `provider rejected the job: ${first.reject.message}`, {
      details: first.reject.message,
    })
  }
  if (first.error !== undefined) throw jobFailed(first)
  if (first.accept === undefined) throw new UnexpectedFrameError('expected JobAccept or JobReject')
  const price = first.accept.price ?? { perKPromptTokens: 0n, perKCompletionTokens: 0n, perTensorGflop: 0n }
  if (!withinMaxPrice(price, request.maxPrice, attemptKind(request))) {
    const max = request.maxPrice
    throw new UnexpectedFrameError("provider accepted at a price above the request's max price", {
      details: `quoted ${price.perKPromptTokens}/${price.perKCompletionTokens} per 1k tokens, ${price.perTensorGflop} per GFLOP; max ${max?.perKPromptTokens}/${max?.perKCompletionTokens}, ${max?.perTensorGflop}`,
    })
  }
  return { price, creditWindow: first.accept.creditWindow }
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
  result: JobResult
  receivedTokens: number
}): Promise<void> {
  const { options, session, result } = attempt
  // the bill includes the prompt (tensor: the GFLOP): report the cumulative cost of the delivered
  // work at the accepted price before settling, so a prompt cost above the credit window is not
  // refused as "more than delivered"
  const cost = deliveredCost(
    attempt.price,
    attemptKind(options.request),
    result.usage,
    attempt.receivedTokens,
  )
  const delivered = await session.delivered(cost)
  if (delivered !== undefined) await sendFinalVoucher(attempt.writer, delivered, options)
  const voucher = await session.finish(result.usage?.cost ?? 0n)
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

/** Closes the attempt's stream gracefully within 2 s, or resets it with CloseFailedError. */
async function closeOrReset(stream: Stream): Promise<void> {
  try {
    await stream.close({ signal: AbortSignal.timeout(2_000) })
  } catch (cause) {
    stream.abort(new CloseFailedError('job stream did not close after the result', { cause }))
  }
}

function attemptKind(request: JobRequest): 'llm' | 'tensor' {
  return request.kind === JobKind.JOB_KIND_TENSOR ? 'tensor' : 'llm'
}

/**
 * The cumulative cost of a finished attempt at the accepted `price`: the
 * provider's reported prompt tokens (LLM) or GFLOP (tensor), and the completion tokens the
 * client actually received (never the provider's count).
 */
export function deliveredCost(
  price: Prices,
  kind: 'llm' | 'tensor',
  usage: Usage | undefined,
  receivedTokens: number,
): bigint {
  return usageCost(price, kind, {
    promptTokens: usage?.promptTokens ?? 0,
    cachedTokens: 0,
    completionTokens: receivedTokens,
    reasoningTokens: 0,
    gflop: usage?.gflop ?? 0,
    cost: 0n,
  })
}

function jobFailed(frame: JobFrame): JobFailedError {
  const error = frame.error
  return new JobFailedError(
    error?.code ?? JobErrorCode.JOB_ERROR_CODE_UNSPECIFIED,
    `provider failed the job: ${error?.message ?? ''}`,
    {
      details: error?.message,
    },
  )
}

/** The next frame from the provider, or a timeout when it stays silent past the idle timeout or the deadline. */
async function next(frames: AsyncIterator<JobFrame>, options: AttemptOptions): Promise<JobFrame> {
  let cancelTimeout: (() => void) | undefined
  const now = options.now ?? Date.now
  const untilDeadline = options.deadline === undefined ? Number.POSITIVE_INFINITY : options.deadline - now()
  const timeout = new Promise<never>((_, reject) => {
    cancelTimeout = (options.timers ?? systemTimers).schedule(
      () => {
        reject(
          untilDeadline <= options.idleTimeoutMs
            ? new DeadlineExceededError('job deadline passed', {
                details: 'the provider had not finished by the deadline',
              })
            : new ProviderTimeoutError('provider went silent', {
                details: `no frame for ${options.idleTimeoutMs} ms`,
              }),
        )
      },
      Math.max(0, Math.min(options.idleTimeoutMs, untilDeadline)),
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
