/**
 * Stop sequences over a stream of text chunks: text is emitted only once it
 * can no longer be the start of a stop string, so a stop string split across
 * tokens is never streamed, and nothing after the first stop is.
 */
import type { TokenChunk } from '../types.js'

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

/**
 * Turns produced chunks into emitted ones through a {@link StopFilter}
 * (and, for grammar output, a held-back whitespace suffix): held text keeps
 * its tokens until it is emitted, and tokens whose text was dropped (the stop
 * string, trailing whitespace) leave in an empty-text chunk, so the streamed
 * token count always equals the completion tokens billed.
 */
export class StoppingEmitter {
  private readonly filter: StopFilter | undefined
  private pendingTokens = 0
  private trailingSpace = ''
  /** Everything emitted, for parsing tool calls at the end. */
  text = ''

  constructor(
    private readonly emit: (chunk: TokenChunk) => void,
    stops: readonly string[] | undefined,
    private readonly trimTrailingWhitespace = false,
  ) {
    this.filter = stops === undefined || stops.length === 0 ? undefined : new StopFilter(stops)
  }

  get stopped(): boolean {
    return this.filter?.stopped ?? false
  }

  /** Whitespace produced after the last emitted text and held back (with `trimTrailingWhitespace`). */
  get heldWhitespace(): string {
    return this.trailingSpace
  }

  /** Passes a produced chunk on; returns true when a stop string ended generation. */
  push(chunk: TokenChunk): boolean {
    this.pendingTokens += chunk.tokens
    const text = this.filter === undefined ? chunk.text : this.filter.push(chunk.text)
    this.send(text)
    return this.stopped
  }

  /** Emits what is still held and the tokens not yet streamed. */
  finish(): void {
    if (this.filter !== undefined && !this.filter.stopped) this.send(this.filter.flush())
    this.trailingSpace = ''
    if (this.pendingTokens > 0) this.out('')
  }

  private send(text: string): void {
    if (!this.trimTrailingWhitespace) {
      if (text !== '') this.out(text)
      return
    }
    const all = this.trailingSpace + text
    const body = all.trimEnd()
    this.trailingSpace = all.slice(body.length)
    if (body !== '') this.out(body)
  }

  private out(text: string): void {
    this.text += text
    this.emit({ text, tokens: this.pendingTokens })
    this.pendingTokens = 0
  }
}
