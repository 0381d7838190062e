import type { Stream } from '@libp2p/interface'
import { CloseFailedError } from './errors.js'

/** Closes a job stream gracefully, within `timeoutMs` when given; resets it with CloseFailedError otherwise. */
export async function closeOrReset(stream: Stream, after: string, timeoutMs?: number): Promise<void> {
  try {
    await stream.close(timeoutMs === undefined ? {} : { signal: AbortSignal.timeout(timeoutMs) })
  } catch (cause) {
    stream.abort(new CloseFailedError(`job stream did not close after ${after}`, { cause }))
  }
}
