/**
 * How the job service tells a client its job ends unserved: a JobReject
 * before the work starts, a typed JobError when reading the request or the
 * work fails. Each is reported as an event first; a write that fails is
 * logged (the client sees the stream end and tries another provider).
 */
import { closeOrReset, VoucherRefusedError } from '@cocoon-mesh/client/internal'
import { contextLimitOf } from '@cocoon-mesh/gpu-runtime'
import { errorLine, errorMessage, JobErrorCode, type RejectReason, toError } from '@cocoon-mesh/protocol'
import type { Logger } from '@libp2p/interface'
import { inputErrorCode, workErrorCode } from './job-error-codes.js'
import type { InboundStream, JobServiceInit, ServedJob } from './provider-types.js'

/** What the answers read of the job service. */
export interface JobAnswers {
  init: JobServiceInit
  log: Logger
  now: () => number
}

/** Refuses the job with a JobReject (and the provider's load, when it is busy), then closes the stream. */
export async function rejectJob(
  answers: JobAnswers,
  inbound: InboundStream,
  reason: RejectReason,
  message: string,
  load: { retryAfterMs: number; queueDepth: number } = { retryAfterMs: 0, queueDepth: 0 },
): Promise<void> {
  const { jobId } = inbound
  answers.init.onEvent?.({ type: 'rejected', jobId, client: inbound.client, reason, message })
  try {
    await inbound.writer.write({ reject: { jobId, reason, message, ...load } })
  } catch (err) {
    answers.log(
      'could not send JobReject for job %s to %s (the client sees the stream end and tries another provider) - %e',
      jobId,
      inbound.client,
      err,
    )
  }
  await closeOrReset(inbound.stream, 'the reject')
}

/** The work failed: report it and tell the client with a typed JobError if the stream still takes it. */
export async function failServed(answers: JobAnswers, job: ServedJob, workError: unknown): Promise<void> {
  const { stream } = job.inbound
  const deadlinePassed = job.deadline !== undefined && answers.now() >= job.deadline
  // a refused voucher stops the work through the signal: the refusal, not the abort, is the failure
  const refused = job.signal.reason instanceof VoucherRefusedError ? job.signal.reason : undefined
  const err = refused ?? workError
  const aborted = job.signal.aborted && refused === undefined
  const code = workErrorCode(err, deadlinePassed, aborted)
  answers.init.onEvent?.({
    type: 'failed',
    jobId: job.request.jobId,
    client: job.inbound.client,
    code: aborted && !deadlinePassed ? 'aborted' : code,
    message: errorMessage(err),
  })
  if (stream.writeStatus === 'writable' && stream.status === 'open') {
    await sendError(answers, job.inbound, code, err)
    await closeOrReset(stream, 'the error', 2_000)
  }
}

/**
 * Reading the request or the inputs failed (garbage, a reset, a bad
 * tensor): report it and answer with a typed JobError if the stream still
 * takes it, else reset the stream.
 */
export async function failUnserved(answers: JobAnswers, inbound: InboundStream, err: unknown): Promise<void> {
  const code = inputErrorCode(err)
  const aborted = inbound.controller.signal.aborted
  answers.init.onEvent?.({
    type: 'failed',
    jobId: inbound.jobId,
    client: inbound.client,
    code: aborted ? 'aborted' : code,
    message: errorMessage(err),
  })
  if (inbound.stream.writeStatus === 'writable' && !aborted) {
    await sendError(answers, inbound, code, err)
    await closeOrReset(inbound.stream, 'the error')
  } else {
    inbound.stream.abort(toError(err))
  }
}

async function sendError(
  answers: JobAnswers,
  inbound: InboundStream,
  code: JobErrorCode,
  err: unknown,
): Promise<void> {
  // a payment failure says exactly which voucher or window check failed and how to fix it
  const message = code === JobErrorCode.JOB_ERROR_CODE_PAYMENT ? errorLine(err) : errorMessage(err)
  try {
    const contextLimit = contextLimitOf(err)
    await inbound.writer.write({
      error: {
        jobId: inbound.jobId,
        code,
        message,
        ...(contextLimit === undefined ? {} : { contextLimit }),
      },
    })
  } catch (writeErr) {
    answers.log(
      'could not send JobError for job %s to %s (the client sees the stream end without a result and fails over) - %e',
      inbound.jobId,
      inbound.client,
      writeErr,
    )
  }
}
