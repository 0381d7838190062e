import { StopFilter } from '@cocoon-mesh/protocol'
import { describe, expect, it } from 'vitest'
import { StoppingEmitter } from '../../src/llm/stop.js'
import type { TokenChunk } from '../../src/types.js'

/** Feeds `pieces` (one token each) through an emitter and returns what it emitted. */
function run(pieces: string[], stops: string[], trim = false): { chunks: TokenChunk[]; stopped: boolean } {
  const chunks: TokenChunk[] = []
  const out = new StoppingEmitter((c) => chunks.push(c), stops, trim)
  let stopped = false
  for (const text of pieces) {
    if (out.push({ text, tokens: 1 })) {
      stopped = true
      break
    }
  }
  out.finish()
  return { chunks, stopped }
}

const text = (chunks: TokenChunk[]): string => chunks.map((c) => c.text).join('')
const tokens = (chunks: TokenChunk[]): number => chunks.reduce((n, c) => n + c.tokens, 0)

describe('stop sequences', () => {
  it('ends before a stop string split across tokens and never emits any part of it', () => {
    const { chunks, stopped } = run(['Hel', 'lo E', 'N', 'D more'], ['END'])
    expect(stopped).toBe(true)
    expect(text(chunks)).toBe('Hello ')
    // no chunk ever carried a prefix of the stop string
    expect(chunks.some((c) => c.text.includes('E'))).toBe(false)
    // the held-back tokens still leave, in an empty chunk: streamed tokens = generated tokens
    expect(tokens(chunks)).toBe(4)
  })

  it('releases held text once it can no longer start a stop string', () => {
    const emitted: string[] = []
    const filter = new StopFilter(['abc'])
    for (const piece of ['x', 'a', 'b', 'x', 'ab']) emitted.push(filter.push(piece))
    expect(emitted).toEqual(['x', '', '', 'abx', ''])
    expect(filter.flush()).toBe('ab')
    expect(filter.stopped).toBe(false)
  })

  it('stops at the earliest of several stop strings, even inside one token', () => {
    expect(text(run(['one two three'], ['three', 'two']).chunks)).toBe('one ')
    expect(text(run(['a\n\nb'], ['\n\n']).chunks)).toBe('a')
  })

  it('passes everything through when no stop string occurs', () => {
    const { chunks, stopped } = run(['ab', 'c', 'd'], ['xyz'])
    expect(stopped).toBe(false)
    expect(text(chunks)).toBe('abcd')
    expect(tokens(chunks)).toBe(3)
  })

  it('drops trailing whitespace of grammar output but keeps inner whitespace', () => {
    const { chunks } = run(['{"a":', ' 1', '}', '\n\n', '\n'], [], true)
    expect(text(chunks)).toBe('{"a": 1}')
    expect(tokens(chunks)).toBe(5)
  })
})
