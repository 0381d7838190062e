/**
 * One bound for every wait on the provider side (configfs-tsm, PCCS): the
 * caller's signal and a timeout, whichever fires first, as the shared typed
 * errors (AbortedError for the caller's signal, DeadlineExceededError for the
 * timeout).
 */
import { AbortedError, DeadlineExceededError, markHandled } from '@cocoon-mesh/protocol'
import { raceSignal } from 'race-signal'

/** A signal that fires on the caller's `signal` or after `timeoutMs`, and the error to throw for each. */
export interface Deadline {
  signal: AbortSignal
  /** Runs `work` bounded by the deadline; a fired deadline rejects with the typed error for `what`. */
  race<T>(work: Promise<T>, what: string): Promise<T>
}

export function deadline(timeoutMs: number, signal?: AbortSignal): Deadline {
  const timeout = AbortSignal.timeout(timeoutMs)
  const combined = signal === undefined ? timeout : AbortSignal.any([signal, timeout])
  const toError = (what: string): Error =>
    signal?.aborted === true
      ? new AbortedError(`${what} was aborted`, { cause: signal.reason })
      : new DeadlineExceededError(`${what} took longer than ${timeoutMs} ms`, {
          details: `Raise the timeout (timeoutMs) if the TEE or the PCCS is known to be slow.`,
        })
  return {
    signal: combined,
    async race<T>(work: Promise<T>, what: string): Promise<T> {
      if (combined.aborted) throw toError(what)
      // A lost race surfaces as the deadline error; the late outcome of `work` has nobody left to tell.
      markHandled(work)
      try {
        return await raceSignal(work, combined)
      } catch (error) {
        if (combined.aborted) throw toError(what)
        throw error
      }
    },
  }
}
