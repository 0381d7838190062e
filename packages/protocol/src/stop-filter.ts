/**
 * Stop sequences over a stream of text chunks: text is emitted only once it
 * can no longer be the start of a stop string, so a stop string split across
 * tokens is never streamed, and nothing after the first stop is. The runtime
 * stops generation with it; a client applies it again to what a provider
 * streams, so a provider that ignores a stop string cannot bill past it.
 */
export class StopFilter {
  private held = ''
  private done = false

  constructor(private readonly stops: readonly string[]) {}

  /** True once a stop string was seen. */
  get stopped(): boolean {
    return this.done
  }

  /** Adds text; returns what is safe to emit now ('' after a stop). */
  push(text: string): string {
    if (this.done) return ''
    this.held += text
    let cut = -1
    for (const stop of this.stops) {
      const at = this.held.indexOf(stop)
      if (at !== -1 && (cut === -1 || at < cut)) cut = at
    }
    if (cut !== -1) {
      this.done = true
      const out = this.held.slice(0, cut)
      this.held = ''
      return out
    }
    const keep = this.partialStopSuffix()
    const out = this.held.slice(0, this.held.length - keep)
    this.held = this.held.slice(this.held.length - keep)
    return out
  }

  /** At the end of generation: the held text, which no stop string can complete anymore. */
  flush(): string {
    const out = this.held
    this.held = ''
    return out
  }

  /** Length of the longest suffix of the held text that is a proper prefix of a stop string. */
  private partialStopSuffix(): number {
    let best = 0
    for (const stop of this.stops) {
      const max = Math.min(stop.length - 1, this.held.length)
      for (let n = max; n > best; n--) {
        if (this.held.endsWith(stop.slice(0, n))) {
          best = n
          break
        }
      }
    }
    return best
  }
}
