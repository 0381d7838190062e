/** Per-channel serialization: each channel's operations run one after another, in call order. */
export class ChannelLocks {
  readonly #tails = new Map<string, Promise<unknown>>()

  /** Runs `fn` after every earlier operation on `channel` settled. */
  run<T>(channel: string, fn: () => Promise<T>): Promise<T> {
    const prev = this.#tails.get(channel)
    const next = prev === undefined ? fn() : prev.then(fn, fn)
    const release = (): void => {
      if (this.#tails.get(channel) === tail) this.#tails.delete(channel)
    }
    const tail: Promise<void> = next.then(release, release)
    this.#tails.set(channel, tail)
    return next
  }

  /** Resolves once every operation started so far has settled. */
  async settled(): Promise<void> {
    await Promise.all(this.#tails.values())
  }
}
