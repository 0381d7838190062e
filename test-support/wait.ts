/**
 * The one bounded wait on events for every test tree: re-check a condition
 * whenever one of the given events fires, and fail with what was awaited when
 * it does not hold in time. For state that no event announces, use vitest's
 * `expect.poll(fn, { message, timeout })` instead of a hand-written loop.
 *
 * Plain erasable TypeScript with no imports, so scripts that Node runs
 * directly (test/e2e/support/paying-client.ts) can use it too.
 */

/** Anything with DOM-style listeners: EventTarget, libp2p's TypedEventEmitter, AbortSignal. */
export interface Listenable {
  addEventListener(type: string, listener: () => void): void
  removeEventListener(type: string, listener: () => void): void
}

export interface WaitOptions {
  /** What is awaited, for the error: "every provider's offer in the client's book". */
  what: string
  /** Longest wait, ms (default 30 s: under the 60 s test timeout, so the error names the wait). */
  timeoutMs?: number
}

/** A bounded wait ended before its condition held. */
export class WaitTimeoutError extends Error {
  override name = 'WaitTimeoutError'
}

/**
 * Resolves once `condition()` holds: checked now, then on every `type` event
 * of each `[target, type]` source. Rejects with a `WaitTimeoutError` naming
 * `what` after `timeoutMs`, or with the error `condition` threw.
 */
export function waitForEvents(
  sources: ReadonlyArray<readonly [target: Listenable, type: string]>,
  condition: () => boolean | Promise<boolean>,
  options: WaitOptions,
): Promise<void> {
  const timeoutMs = options.timeoutMs ?? 30_000
  return new Promise<void>((resolve, reject) => {
    let settled = false
    const settle = (end: () => void): void => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      for (const [target, type] of sources) target.removeEventListener(type, check)
      end()
    }
    const check = (): void => {
      if (settled) return
      Promise.resolve()
        .then(condition)
        .then(
          (held) => {
            if (held) settle(resolve)
          },
          (error: unknown) => settle(() => reject(error)),
        )
    }
    const timer = setTimeout(
      () =>
        settle(() =>
          reject(new WaitTimeoutError(`timed out after ${timeoutMs} ms waiting for ${options.what}`)),
        ),
      timeoutMs,
    )
    for (const [target, type] of sources) target.addEventListener(type, check)
    check()
  })
}

/** `waitForEvents` with one source. */
export function waitForEvent(
  target: Listenable,
  type: string,
  condition: () => boolean | Promise<boolean>,
  options: WaitOptions,
): Promise<void> {
  return waitForEvents([[target, type]], condition, options)
}

/**
 * The lines a component logs (`runNode`'s `log` option), as an event source:
 * pass `log` as the logger, then wait for a line with `until`.
 */
export class LineLog extends EventTarget {
  readonly lines: string[] = []
  readonly log = (line: string): void => {
    this.lines.push(line)
    this.dispatchEvent(new Event('line'))
  }

  /** Resolves once `condition(lines)` holds, checked on each new line. */
  until(condition: (lines: string[]) => boolean, options: WaitOptions): Promise<void> {
    return waitForEvent(this, 'line', () => condition(this.lines), options)
  }
}
