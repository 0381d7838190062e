/**
 * A server-sent events reader for OpenAI-style streams: yields the `data:`
 * payload of each event (multi-line data joined with `\n`), skipping
 * comments and other fields.
 */
export async function* readSseData(
  body: AsyncIterable<Uint8Array>,
  maxEventBytes = 1 << 20,
): AsyncGenerator<string> {
  const decoder = new TextDecoder()
  let buffer = ''
  let data: string[] = []
  const flushLine = function* (line: string): Generator<string> {
    if (line === '') {
      if (data.length > 0) yield data.join('\n')
      data = []
      return
    }
    if (line.startsWith(':')) return
    const colon = line.indexOf(':')
    const field = colon < 0 ? line : line.slice(0, colon)
    let value = colon < 0 ? '' : line.slice(colon + 1)
    if (value.startsWith(' ')) value = value.slice(1)
    if (field === 'data') data.push(value)
  }
  for await (const bytes of body) {
    buffer += decoder.decode(bytes, { stream: true })
    let nl = buffer.search(/\r\n|\r|\n/)
    while (nl >= 0) {
      const line = buffer.slice(0, nl)
      const skip = buffer.startsWith('\r\n', nl) ? 2 : 1
      buffer = buffer.slice(nl + skip)
      yield* flushLine(line)
      nl = buffer.search(/\r\n|\r|\n/)
    }
    if (buffer.length > maxEventBytes) throw new RangeError(`SSE line longer than ${maxEventBytes} bytes`)
  }
  buffer += decoder.decode()
  if (buffer !== '') yield* flushLine(buffer)
  yield* flushLine('')
}
