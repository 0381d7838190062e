import { describe, expect, it } from 'vitest'
import { GgufFormatError } from '../../src/errors.js'
import { generateTinyLlamaGguf } from '../../src/gguf/tiny-llama.js'
import { parseGgufHeader } from '../../src/gguf/validate.js'

describe('tiny GGUF writer', () => {
  it('is deterministic per seed and different across seeds', () => {
    const a = generateTinyLlamaGguf({ seed: 5 })
    const b = generateTinyLlamaGguf({ seed: 5 })
    const c = generateTinyLlamaGguf({ seed: 6 })
    expect(Buffer.from(a).equals(Buffer.from(b))).toBe(true)
    expect(Buffer.from(a).equals(Buffer.from(c))).toBe(false)
    expect(a.byteLength).toBe(c.byteLength)
  })

  it('writes a structurally valid GGUF v3 llama file', () => {
    const bytes = generateTinyLlamaGguf({ blockCount: 3 })
    const summary = parseGgufHeader(bytes, bytes.byteLength)
    if (summary === undefined) throw new Error('a whole file parses')
    expect(summary.version).toBe(3)
    expect(summary.architecture).toBe('llama')
    // token_embd, output_norm, output + 9 per block
    expect(summary.tensorCount).toBe(3 + 9 * 3)
    expect(summary.dataOffset % 32).toBe(0)
  })

  it('the header check catches truncation and garbage', () => {
    const bytes = generateTinyLlamaGguf()
    const truncated = bytes.subarray(0, bytes.byteLength >> 1)
    expect(() => parseGgufHeader(truncated, truncated.byteLength)).toThrow(GgufFormatError)
    const header = bytes.subarray(0, 200)
    expect(() => parseGgufHeader(header, header.byteLength)).toThrow(GgufFormatError)
    expect(() => parseGgufHeader(new Uint8Array(64), 64)).toThrow(/GGUF/)
  })
})
