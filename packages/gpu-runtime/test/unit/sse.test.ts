import { describe, expect, it } from 'vitest'
import { readSseData } from '../../src/llm/sse.js'

describe('SSE reader', () => {
  it('handles CRLF, comments, multi-line data and a missing final blank line', async () => {
    const enc = new TextEncoder()
    async function* body() {
      yield enc.encode(': keep-alive\r\ndata: a\r\n\r\ndata: b1\ndata: b2\n\nevent: x\ndata: c')
    }
    const out: string[] = []
    for await (const d of readSseData(body())) out.push(d)
    expect(out).toEqual(['a', 'b1\nb2', 'c'])
  })
})
