import {
  closeOrReset,
  DeadlineExceededError,
  FrameWriter,
  JobCancelledError,
  JobStreamClosedError,
  readFrames,
  TensorAssembler,
  UnexpectedFrameError,
} from '@cocoon-mesh/client/internal'
import type { Tensor } from '@cocoon-mesh/gpu-runtime'
import {
  errorLine,
  JOB_PROTOCOL,
  JobKind,
  jobKindToName,
  PROTOCOL_VERSION,
  RejectReason,
  systemTimers,
  type Timers,
  toError,
} from '@cocoon-mesh/protocol'
import { noPayments } from '@cocoon-mesh/settlement'
import type { Connection, Logger, Stream } from '@libp2p/interface'
import { withJobMetrics } from '../metrics/job-metrics.js'
import { admitJob } from './admission.js'
import { RelayBudgetExceededError } from './errors.js'
import { acceptVoucher, nextFrame } from './inbound.js'
import { failServed, failUnserved, type JobAnswers, rejectJob } from './job-answers.js'
import {
  DEFAULT_MAX_CONCURRENT_JOBS,
  type InboundStream,
  type JobService,
  type JobServiceComponents,
  type JobServiceInit,
  type ServedJob,
} from './provider-types.js'
import { RELAYED_REJECT_MESSAGE, relayedJobVerdict, relayFrameBudget } from './relayed.js'
import { serveEmbedding, serveLlm, serveTensor } from './serve-work.js'

class DefaultJobService implements JobService {
  readonly #components: JobServiceComponents
  readonly #init: JobServiceInit
  readonly #log: Logger
  readonly #now: () => number
  #active = 0

  constructor(components: JobServiceComponents, init: JobServiceInit) {
    this.#components = components
    this.#init = withJobMetrics(init, components.metrics)
    this.#log = components.logger.forComponent('cocoon:job-service')
    this.#now = init.now ?? Date.now
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
          this.#log.error('job stream %s from %s failed - %e', stream.id, connection.remotePeer, err)
          stream.abort(toError(err))
        })
      },
      {
        maxInboundStreams: (this.#init.maxConcurrentJobs ?? DEFAULT_MAX_CONCURRENT_JOBS) * 2,
        // a relayed stream is taken so it can be answered with RELAYED when relayed jobs are off
        runOnLimitedConnection: true,
      },
    )
  }

  async stop(): Promise<void> {
    await this.#components.registrar.unhandle(JOB_PROTOCOL)
  }

  get #answers(): JobAnswers {
    return { init: this.#init, log: this.#log, now: this.#now }
  }

  get #timers(): Timers {
    return this.#init.timers ?? systemTimers
  }

  get #readTimeoutMs(): number {
    return this.#init.readTimeoutMs ?? 10_000
  }

  /** One inbound stream: admit the JobRequest or reject it, then serve the job. */
  async #handle(stream: Stream, connection: Connection): Promise<void> {
    const relay = relayedJobVerdict(connection, this.#init.relayedJobs)
    const inbound: InboundStream = {
      stream,
      writer: new FrameWriter(
        stream,
        relay.relayed && relay.allowed ? { budget: relayFrameBudget(relay.maxBytes) } : {},
      ),
      frames: readFrames(stream)[Symbol.asyncIterator](),
      controller: new AbortController(),
      client: connection.remotePeer.toString(),
      clientKey: connection.remotePeer.toMultihash().bytes,
      via: connection.remoteAddr.toString(),
      relay,
      jobId: '',
    }
    const onClose = (): void => {
      inbound.controller.abort(new JobStreamClosedError('job stream closed while the job was served'))
    }
    stream.addEventListener('close', onClose)
    try {
      const job = await this.#admitRequest(inbound)
      if (job === undefined) return
      this.#active++
      try {
        await this.#serve(job)
      } finally {
        this.#active--
        // a job that failed before reaching the runtime gives its place back
        job.reservation.release()
      }
    } catch (err) {
      await failUnserved(this.#answers, inbound, err)
    } finally {
      stream.removeEventListener('close', onClose)
    }
  }

  /**
   * Reads the JobRequest and decides: the accepted job with its price and
   * payment session, or `undefined` once the client was sent a JobReject.
   */
  async #admitRequest(inbound: InboundStream): Promise<ServedJob | undefined> {
    const { signal } = inbound.controller
    const first = await nextFrame(inbound.frames, this.#readTimeoutMs, signal, this.#timers)
    const request = first?.request
    if (request === undefined) {
      await rejectJob(
        this.#answers,
        inbound,
        RejectReason.REJECT_REASON_BAD_REQUEST,
        'first frame must be a JobRequest',
      )
      return undefined
    }
    inbound.jobId = request.jobId
    if (inbound.relay.relayed && !inbound.relay.allowed) {
      await rejectJob(this.#answers, inbound, RejectReason.REJECT_REASON_RELAYED, RELAYED_REJECT_MESSAGE)
      return undefined
    }
    const price = this.#init.prices(request)
    const admitted = admitJob(request, price, { active: this.#active, init: this.#init, now: this.#now() })
    if (!('reservation' in admitted)) {
      await rejectJob(this.#answers, inbound, admitted.reason, admitted.message, admitted)
      return undefined
    }
    const { reservation, queueDepth } = admitted
    let session: ServedJob['session']
    try {
      session = await (this.#init.payments ?? noPayments).openSession(
        request,
        price,
        inbound.clientKey,
        this.#components.peerId.toMultihash().bytes,
      )
    } catch (err) {
      reservation.release()
      // the whole cause (which proof is missing, why the channel is unusable) goes to the client
      await rejectJob(this.#answers, inbound, RejectReason.REJECT_REASON_PAYMENT_REQUIRED, errorLine(err))
      return undefined
    }
    const deadline = request.deadline > 0n ? Number(request.deadline) : undefined
    return {
      request,
      price,
      session,
      writer: inbound.writer,
      signal,
      deadline,
      inbound,
      reservation,
      queueDepth,
      via: inbound.via,
    }
  }

  /**
   * Serves an admitted job: accept it, take its input tensors, then run the
   * work while reading vouchers and a cancel from the client. The deadline
   * stops the job through its signal.
   */
  async #serve(job: ServedJob): Promise<void> {
    const { request, inbound } = job
    const cancelDeadline =
      job.deadline === undefined
        ? undefined
        : this.#timers.schedule(
            () =>
              inbound.controller.abort(
                new DeadlineExceededError('job deadline passed', { details: 'the provider stops the job' }),
              ),
            Math.max(0, job.deadline - this.#now()),
          )
    const { relay } = inbound
    const cancelRelayBudget =
      relay.relayed && relay.allowed
        ? this.#timers.schedule(
            () =>
              inbound.controller.abort(
                new RelayBudgetExceededError('relayed job ran out of time', {
                  details: `a job over a relay may run ${relay.maxDurationMs} ms (network.relay.jobs.maxDurationMs, or the relay's limit)`,
                }),
              ),
            relay.maxDurationMs,
          )
        : undefined
    try {
      const kind = jobKindToName(request.kind)
      this.#init.onEvent?.({
        type: 'accepted',
        jobId: request.jobId,
        client: inbound.client,
        model: request.model,
        kind,
        via: inbound.via,
      })
      await job.writer.write(
        {
          accept: {
            jobId: request.jobId,
            price: job.price,
            creditWindow: job.session.creditWindow,
            queueDepth: job.queueDepth,
          },
        },
        { signal: job.signal },
      )
      const inputs = await this.#receiveInputs(job)
      this.#watchClient(job)
      await this.#work(job, inputs)
    } finally {
      cancelDeadline?.()
      cancelRelayBudget?.()
      job.session.close?.()
    }
  }

  /** A tensor job's input tensors (vouchers may arrive among them); none for an LLM job. */
  async #receiveInputs(job: ServedJob): Promise<Tensor[]> {
    const params = job.request.tensor
    if (params === undefined) return []
    const assembler = new TensorAssembler(params.inputCount, this.#init.maxTensorBytes ?? 64 * 1024 * 1024)
    try {
      while (!assembler.done) {
        const frame = await nextFrame(job.inbound.frames, this.#readTimeoutMs, job.signal, this.#timers)
        if (frame === undefined) throw new UnexpectedFrameError('stream ended before all inputs arrived')
        if (frame.voucher !== undefined) {
          await acceptVoucher(job, frame.voucher)
          continue
        }
        if (!assembler.push(frame)) {
          throw new UnexpectedFrameError('expected tensor input frames', {
            details: 'got another frame kind',
          })
        }
      }
      return await assembler.complete()
    } finally {
      assembler.drop()
    }
  }

  /**
   * Reads what the client sends while the job runs, in the background:
   * vouchers go to the payment session, a JobCancel or anything unexpected
   * stops the job.
   */
  #watchClient(job: ServedJob): void {
    const { frames, controller } = job.inbound
    const control = (async () => {
      for (;;) {
        const { value, done } = await frames.next()
        if (done === true) return
        if (value.voucher !== undefined) await acceptVoucher(job, value.voucher)
        else if (value.cancel !== undefined)
          controller.abort(new JobCancelledError('the client cancelled the job'))
        else throw new UnexpectedFrameError('unexpected frame during job output')
      }
    })()
    control.catch((err: unknown) => {
      if (!controller.signal.aborted) controller.abort(err)
      else this.#log('job %s: client stream failed after the job stopped - %e', job.request.jobId, err)
    })
  }

  /** Runs the job's work and closes the stream; a failure is answered with a JobError. */
  async #work(job: ServedJob, inputs: Tensor[]): Promise<void> {
    try {
      if (job.request.kind === JobKind.JOB_KIND_LLM) await serveLlm(this.#init, job)
      else if (job.request.kind === JobKind.JOB_KIND_EMBEDDING) await serveEmbedding(this.#init, job)
      else await serveTensor(this.#init, job, inputs)
      await closeOrReset(job.inbound.stream, 'the result', 5_000)
    } catch (err) {
      await failServed(this.#answers, job, err)
    }
  }
}

/**
 * The provider side of `/cocoon/job/1.0.0`, as a libp2p service; its
 * `start()` throws {@link JobServiceErrorType}.
 */
export function jobService(init: JobServiceInit): (components: JobServiceComponents) => JobService {
  return (components) => new DefaultJobService(components, init)
}

export type {
  JobRuntime,
  JobService,
  JobServiceComponents,
  JobServiceErrorType,
  JobServiceEvent,
  JobServiceInit,
} from './provider-types.js'
export { PROTOCOL_VERSION as JOB_PROTOCOL_VERSION }
