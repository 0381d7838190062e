import { type Runtime, TENSOR_LANE, type Tensor } from '@cocoon-mesh/gpu-runtime'
import {
  isCocoonError,
  JOB_PROTOCOL,
  JobErrorCode,
  type JobFrame,
  JobKind,
  type JobRequest,
  PROTOCOL_VERSION,
  type Prices,
  RejectReason,
  systemTimers,
  type Timers,
} from '@cocoon-mesh/protocol'
import { noPayments, type ProviderPaymentSession, type ProviderPayments } from '@cocoon-mesh/settlement'
import type { ComponentLogger, Connection, Logger, Startable, Stream } from '@libp2p/interface'
import type { Registrar } from '@libp2p/interface-internal'
import {
  CloseFailedError,
  DeadlineExceededError,
  isBadInputError,
  JobCancelledError,
  JobStreamClosedError,
  ReadTimeoutError,
  TensorHashMismatchError,
  TensorTooLargeError,
  UnexpectedFrameError,
} from './errors.js'
import { FrameWriter, readFrames } from './frames.js'
import { findModel, serveLlm, serveTensor } from './serve-work.js'
import { TensorAssembler } from './tensors.js'
import { type ValidationFailure, validateRequest } from './validate.js'

/** The part of a gpu-runtime `Runtime` the job service uses. */
export type JobRuntime = Pick<Runtime, 'models' | 'generate' | 'runTensor' | 'stats'>

export interface JobServiceInit {
  runtime: JobRuntime
  /** The provider's current offer prices: the service never accepts a job below them. */
  prices: () => Prices
  payments?: ProviderPayments
  /** Largest input tensor accepted, bytes. Default 64 MiB. */
  maxTensorBytes?: number
  /** Jobs served at once across all models, on top of the runtime's own admission. Default 64. */
  maxConcurrentJobs?: number
  /** How long to wait for the JobRequest and for each input frame, ms. Default 10 000. */
  readTimeoutMs?: number
  /** Output tensor chunk size, bytes. */
  chunkSize?: number
  /**
   * Tokens produced within this many ms of the last TokenChunk frame are sent
   * together in the next one (the first token always goes out at once).
   * Default 4; 0 sends one frame per produced chunk when the stream keeps up.
   */
  tokenFlushMs?: number
  /** The clock request deadlines are measured against. Default `Date.now`. */
  now?: () => number
  /**
   * Where the read timeout and the deadline are scheduled. Default the
   * process's timers; pass fake ones with a fake `now` for simulated time.
   */
  timers?: Timers
  /** Called on every job lifecycle event (for logs, metrics, the demo and tests). */
  onEvent?: (event: JobServiceEvent) => void
}

export type JobServiceEvent =
  | { type: 'accepted'; jobId: string; client: string; model: string; kind: 'llm' | 'tensor' }
  | { type: 'rejected'; jobId: string; client: string; reason: RejectReason; message: string }
  | { type: 'progress'; jobId: string; completionTokens: number }
  | { type: 'finished'; jobId: string; cost: bigint; completionTokens: number; gflop: number }
  | { type: 'failed'; jobId: string; code: JobErrorCode | 'aborted'; message: string }

export interface JobServiceComponents {
  registrar: Registrar
  logger: ComponentLogger
}

export interface JobService extends Startable {
  /** Jobs currently running. */
  readonly active: number
}

class DefaultJobService implements JobService {
  readonly #components: JobServiceComponents
  readonly #init: JobServiceInit
  readonly #log: Logger
  readonly #now: () => number
  readonly #timers: Timers
  #active = 0

  constructor(components: JobServiceComponents, init: JobServiceInit) {
    this.#components = components
    this.#init = init
    this.#log = components.logger.forComponent('cocoon:job-service')
    this.#now = init.now ?? Date.now
    this.#timers = init.timers ?? systemTimers
  }

  readonly [Symbol.toStringTag] = 'cocoon/job-service'

  get active(): number {
    return this.#active
  }

  async start(): Promise<void> {
    await this.#components.registrar.handle(
      JOB_PROTOCOL,
      (stream, connection) => {
        this.#handle(stream, connection).catch((err: unknown) => {
          this.#log.error('job stream failed - %e', err)
          stream.abort(err instanceof Error ? err : new Error(String(err)))
        })
      },
      { maxInboundStreams: (this.#init.maxConcurrentJobs ?? 64) * 2 },
    )
  }

  async stop(): Promise<void> {
    await this.#components.registrar.unhandle(JOB_PROTOCOL)
  }

  async #handle(stream: Stream, connection: Connection): Promise<void> {
    const client = connection.remotePeer.toString()
    const writer = new FrameWriter(stream)
    const frames = readFrames(stream)[Symbol.asyncIterator]()
    const controller = new AbortController()
    const onClose = (): void => {
      controller.abort(new JobStreamClosedError('job stream closed while the job was served'))
    }
    stream.addEventListener('close', onClose)
    const readTimeout = this.#init.readTimeoutMs ?? 10_000
    let jobId = ''
    try {
      const first = await nextFrame(frames, readTimeout, controller.signal, this.#timers)
      if (first?.request === undefined) {
        await this.#reject(
          writer,
          stream,
          client,
          '',
          RejectReason.REJECT_REASON_BAD_REQUEST,
          'first frame must be a JobRequest',
        )
        return
      }
      const request = first.request
      jobId = request.jobId
      const price = this.#init.prices()
      const failure = this.#admit(request, price)
      if (failure !== undefined) {
        await this.#reject(writer, stream, client, jobId, failure.reason, failure.message)
        return
      }
      let session: ProviderPaymentSession
      try {
        session = await (this.#init.payments ?? noPayments).openSession(
          request,
          price,
          connection.remotePeer.toMultihash().bytes,
        )
      } catch (err) {
        await this.#reject(
          writer,
          stream,
          client,
          jobId,
          RejectReason.REJECT_REASON_PAYMENT_REQUIRED,
          errorMessage(err),
        )
        return
      }
      this.#active++
      try {
        await this.#serve(request, price, session, writer, frames, stream, controller, client, readTimeout)
      } finally {
        this.#active--
      }
    } catch (err) {
      // garbage or a reset from the client: answer with a typed error if the stream still takes it
      const code =
        err instanceof TensorTooLargeError
          ? JobErrorCode.JOB_ERROR_CODE_TOO_LARGE
          : err instanceof TensorHashMismatchError
            ? JobErrorCode.JOB_ERROR_CODE_HASH_MISMATCH
            : JobErrorCode.JOB_ERROR_CODE_BAD_INPUT
      this.#init.onEvent?.({
        type: 'failed',
        jobId,
        code: controller.signal.aborted ? 'aborted' : code,
        message: errorMessage(err),
      })
      if (stream.writeStatus === 'writable' && !controller.signal.aborted) {
        await writer.write({ error: { jobId, code, message: errorMessage(err) } }).catch(() => {})
        await stream.close().catch(() => {})
      } else {
        stream.abort(err instanceof Error ? err : new Error(String(err)))
      }
    } finally {
      stream.removeEventListener('close', onClose)
    }
  }

  #admit(request: JobRequest, price: Prices): ValidationFailure | undefined {
    if (this.#active >= (this.#init.maxConcurrentJobs ?? 64)) {
      return { reason: RejectReason.REJECT_REASON_OVER_CAPACITY, message: 'provider is at its job limit' }
    }
    const failure = validateRequest(request, {
      price,
      now: this.#now(),
      models: this.#init.runtime.models(),
    })
    if (failure !== undefined) return failure
    const key =
      request.kind === JobKind.JOB_KIND_LLM
        ? findModel(this.#init.runtime.models(), request.model)
        : TENSOR_LANE
    const stats = key === undefined ? undefined : this.#init.runtime.stats()[key]
    if (request.kind === JobKind.JOB_KIND_TENSOR && stats === undefined) {
      return {
        reason: RejectReason.REJECT_REASON_UNKNOWN_MODEL,
        message: 'this provider does not run tensor jobs',
      }
    }
    if (stats !== undefined && stats.running + stats.queued >= stats.maxConcurrency + stats.maxQueue) {
      return {
        reason: RejectReason.REJECT_REASON_OVER_CAPACITY,
        message: `${stats.running} running and ${stats.queued} queued of ${stats.maxConcurrency}+${stats.maxQueue}`,
      }
    }
    return undefined
  }

  async #reject(
    writer: FrameWriter,
    stream: Stream,
    client: string,
    jobId: string,
    reason: RejectReason,
    message: string,
  ): Promise<void> {
    this.#init.onEvent?.({ type: 'rejected', jobId, client, reason, message })
    await writer.write({ reject: { jobId, reason, message } }).catch(() => {})
    await stream
      .close()
      .catch((cause: unknown) =>
        stream.abort(new CloseFailedError('job stream did not close after the reject', { cause })),
      )
  }

  async #serve(
    request: JobRequest,
    price: Prices,
    session: ProviderPaymentSession,
    writer: FrameWriter,
    frames: AsyncIterator<JobFrame>,
    stream: Stream,
    controller: AbortController,
    client: string,
    readTimeout: number,
  ): Promise<void> {
    const { signal } = controller
    const jobId = request.jobId
    const kind = request.kind === JobKind.JOB_KIND_LLM ? 'llm' : 'tensor'
    const deadline = request.deadline > 0n ? Number(request.deadline) : undefined
    let cancelDeadline: (() => void) | undefined
    if (deadline !== undefined) {
      cancelDeadline = this.#timers.schedule(
        () =>
          controller.abort(
            new DeadlineExceededError('job deadline passed', { details: 'the provider stops the job' }),
          ),
        Math.max(0, deadline - this.#now()),
      )
    }
    this.#init.onEvent?.({ type: 'accepted', jobId, client, model: request.model, kind })
    await writer.write({ accept: { jobId, price, creditWindow: session.creditWindow } }, { signal })

    let inputs: Tensor[] = []
    if (request.tensor !== undefined) {
      const assembler = new TensorAssembler(
        request.tensor.inputCount,
        this.#init.maxTensorBytes ?? 64 * 1024 * 1024,
      )
      try {
        while (!assembler.done) {
          const frame = await nextFrame(frames, readTimeout, signal, this.#timers)
          if (frame === undefined) throw new UnexpectedFrameError('stream ended before all inputs arrived')
          if (frame.voucher !== undefined) {
            await session.acceptVoucher(frame.voucher)
            continue
          }
          if (!assembler.push(frame)) {
            throw new UnexpectedFrameError('expected tensor input frames', {
              details: 'got another frame kind',
            })
          }
        }
        inputs = await assembler.complete()
      } finally {
        assembler.drop()
      }
    }

    // everything the client sends from now on: vouchers and cancel
    const control = (async () => {
      for (;;) {
        const { value, done } = await frames.next()
        if (done === true) return
        if (value.voucher !== undefined) await session.acceptVoucher(value.voucher)
        else if (value.cancel !== undefined)
          controller.abort(new JobCancelledError('the client cancelled the job'))
        else throw new UnexpectedFrameError('unexpected frame during job output')
      }
    })()
    control.catch((err: unknown) => {
      if (!signal.aborted) controller.abort(err)
    })

    try {
      const job = { request, price, session, writer, signal, deadline }
      if (kind === 'llm') await serveLlm(this.#init, job)
      else await serveTensor(this.#init, job, inputs)
      await stream
        .close({ signal: AbortSignal.timeout(5_000) })
        .catch((cause: unknown) =>
          stream.abort(new CloseFailedError('job stream did not close after the result', { cause })),
        )
    } catch (err) {
      const deadlinePassed = deadline !== undefined && this.#now() >= deadline
      const code = deadlinePassed
        ? JobErrorCode.JOB_ERROR_CODE_DEADLINE
        : signal.aborted
          ? JobErrorCode.JOB_ERROR_CODE_CANCELLED
          : isBadInputError(err)
            ? JobErrorCode.JOB_ERROR_CODE_BAD_INPUT
            : JobErrorCode.JOB_ERROR_CODE_INTERNAL
      this.#init.onEvent?.({
        type: 'failed',
        jobId,
        code: signal.aborted && !deadlinePassed ? 'aborted' : code,
        message: errorMessage(err),
      })
      if (stream.writeStatus === 'writable' && stream.status === 'open') {
        await writer.write({ error: { jobId, code, message: errorMessage(err) } }).catch(() => {})
        await stream
          .close({ signal: AbortSignal.timeout(2_000) })
          .catch((cause: unknown) =>
            stream.abort(new CloseFailedError('job stream did not close after the error', { cause })),
          )
      }
    } finally {
      cancelDeadline?.()
    }
  }
}

/** The client's next frame, `undefined` when it closed the stream; ReadTimeoutError after `timeoutMs` of silence. */
async function nextFrame(
  frames: AsyncIterator<JobFrame>,
  timeoutMs: number,
  signal: AbortSignal,
  timers: Timers,
): Promise<JobFrame | undefined> {
  let cancelTimeout: (() => void) | undefined
  const timeout = new Promise<never>((_, reject) => {
    cancelTimeout = timers.schedule(
      () =>
        reject(
          new ReadTimeoutError('timed out waiting for a frame', {
            details: `no frame within ${timeoutMs} ms`,
          }),
        ),
      timeoutMs,
    )
  })
  try {
    signal.throwIfAborted()
    const result = await Promise.race([frames.next(), timeout])
    return result.done === true ? undefined : result.value
  } finally {
    cancelTimeout?.()
  }
}

function errorMessage(err: unknown): string {
  if (isCocoonError(err)) return err.shortMessage
  return err instanceof Error ? err.message : String(err)
}

/**
 * Errors of the job service: only `start()` throws, when the registrar
 * refuses the protocol handler (libp2p's errors). A job's own failures never
 * surface here: the client is answered on the stream (JobReject, JobError)
 * and `onEvent` reports them.
 */
export type JobServiceErrorType = Error

/**
 * The provider side of `/cocoon/job/1.0.0`, as a libp2p service; its
 * `start()` throws {@link JobServiceErrorType}.
 */
export function jobService(init: JobServiceInit): (components: JobServiceComponents) => JobService {
  return (components) => new DefaultJobService(components, init)
}

export { PROTOCOL_VERSION as JOB_PROTOCOL_VERSION }
