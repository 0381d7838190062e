/** Reading and paying on a client's job stream on the provider side. */

import { ReadTimeoutError, VoucherRefusedError } from '@cocoon-mesh/client/internal'
import { errorMessage, isCocoonError, type JobFrame, type Timers, type Voucher } from '@cocoon-mesh/protocol'
import type { ServedJob } from './provider-types.js'

/** The client's next frame, `undefined` when it closed the stream; ReadTimeoutError after `timeoutMs` of silence. */
export async function nextFrame(
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

/**
 * Hands a client's voucher to the payment session; a refusal becomes
 * VoucherRefusedError carrying the settlement error's message and details.
 */
export async function acceptVoucher(job: ServedJob, voucher: Voucher): Promise<void> {
  try {
    await job.session.acceptVoucher(voucher)
  } catch (cause) {
    throw new VoucherRefusedError(
      `provider refused the voucher for ${voucher.amount} nanoTON: ${errorMessage(cause)}`,
      {
        cause,
        details: `${isCocoonError(cause) && cause.details !== undefined ? `${cause.details}. ` : ''}Job ${job.request.jobId} on channel ${job.request.channel} stops; vouchers are cumulative, so send one signed by the channel's client key for at least the channel's newest amount`,
      },
    )
  }
}
