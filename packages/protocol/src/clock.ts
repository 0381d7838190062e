/**
 * Timers for code whose deadlines and timeouts follow an injected clock: that
 * code takes `now?: () => number` and `timers?: Timers` together, measures
 * every wait against `now()` and schedules it with `timers`. The defaults are
 * the process's own (`Date.now`, {@link systemTimers}); a test or a
 * simulation passes a fake `now` with matching fake timers to run deadlines
 * and timeouts in simulated time, without waiting for real.
 */
export interface Timers {
  /** Calls `fn` once, `ms` milliseconds from now on this clock; the returned function cancels the call. */
  schedule(fn: () => void, ms: number): () => void
}

/** The process's timers (`setTimeout` / `clearTimeout`). */
export const systemTimers: Timers = {
  schedule(fn, ms) {
    const timer = setTimeout(fn, ms)
    return () => clearTimeout(timer)
  },
}
