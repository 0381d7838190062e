/**
 * What a started node must undo, in one stack: each piece registers its
 * cleanup as soon as it exists, and `run()` undoes them in reverse order (last
 * started, first stopped), the way `await using` and `AsyncDisposableStack` do.
 */
export class Teardown {
  readonly #steps: Array<{ name: string; run: () => unknown }> = []

  /** Registers the cleanup of something just started. */
  defer(name: string, run: () => unknown): void {
    this.#steps.push({ name, run })
  }

  /**
   * Runs every registered cleanup once, last registered first. A cleanup that
   * fails does not stop the others; the failures are thrown together after all ran.
   */
  async run(): Promise<void> {
    const failures: Error[] = []
    for (const step of this.#steps.splice(0).reverse()) {
      try {
        await step.run()
      } catch (cause) {
        failures.push(new Error(`stopping the ${step.name} failed`, { cause }))
      }
    }
    if (failures.length === 1) throw failures[0]
    if (failures.length > 1) throw new AggregateError(failures, `stopping ${failures.length} parts failed`)
  }
}
