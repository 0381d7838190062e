import { ShutdownFailedError } from '../home/errors.js'

/**
 * What a started node must undo, in one stack: each piece registers its
 * cleanup as soon as it exists, and `run()` undoes them in reverse order (last
 * started, first stopped), the way `await using` and `AsyncDisposableStack` do.
 */
export class Teardown {
  readonly #steps: Array<{ name: string; run: () => unknown }> = []
  readonly #onFailure: ((step: string, cause: unknown) => void) | undefined

  /** `onFailure` hears each failed cleanup as it happens (the node logs it with its cause). */
  constructor(onFailure?: (step: string, cause: unknown) => void) {
    this.#onFailure = onFailure
  }

  /** Registers the cleanup of something just started. */
  defer(name: string, run: () => unknown): void {
    this.#steps.push({ name, run })
  }

  /**
   * Runs every registered cleanup once, last registered first. A cleanup that
   * fails does not stop the others; the failures are thrown together after all ran.
   * @throws {ShutdownFailedError} naming each step that failed and why.
   */
  async run(): Promise<void> {
    const failures: Array<{ step: string; cause: unknown }> = []
    for (const step of this.#steps.splice(0).reverse()) {
      try {
        await step.run()
      } catch (cause) {
        failures.push({ step: step.name, cause })
        this.#onFailure?.(step.name, cause)
      }
    }
    if (failures.length > 0) throw new ShutdownFailedError(failures)
  }
}
