import { StopFilter } from '@cocoon-mesh/protocol'
import type { TokenChunk } from '../types.js'

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
