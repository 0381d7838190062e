/**
 * A structural check of a GGUF file before llama.cpp sees it: header,
 * metadata and tensor table must parse, and every tensor must start inside
 * the file. node-llama-cpp can hang on a truncated header, so a corrupt file
 * is caught here with a clear error instead.
 */
import { open } from 'node:fs/promises'
import { GgufFormatError } from '../errors.js'

export interface GgufSummary {
  version: number
  tensorCount: number
  metadataCount: number
  architecture: string | undefined
  /** Byte offset where tensor data starts. */
  dataOffset: number
  fileSize: number
}

/**
 * Control flow inside this module, not an error a caller sees: the header
 * parser throws it from deep in its readers when the bytes read so far end
 * before the header does, and {@link parseGgufHeader} turns it into
 * `undefined` ("read more bytes"). It never leaves the module, so it is a
 * private plain `Error` rather than a `CocoonError`.
 */
class NeedMoreBytes extends Error {}

const VALUE_SIZES: Record<number, number> = {
  0: 1,
  1: 1,
  2: 2,
  3: 2,
  4: 4,
  5: 4,
  6: 4,
  7: 1,
  10: 8,
  11: 8,
  12: 8,
}
const MAX_COUNT = 1 << 24
const MAX_STRING = 1 << 26

/** The errors {@link parseGgufHeader} throws. */
export type ParseGgufHeaderErrorType = GgufFormatError

/**
 * Parses header, metadata and tensor infos from the first bytes of a GGUF
 * file of `fileSize` bytes. Returns `undefined` when `bytes` end before the
 * header does but the file goes on (read more and call again).
 * @throws {ParseGgufHeaderErrorType} when the header is malformed.
 */
export function parseGgufHeader(bytes: Uint8Array, fileSize: number): GgufSummary | undefined {
  try {
    return parseHeader(bytes, fileSize)
  } catch (error) {
    if (error instanceof NeedMoreBytes) return undefined
    throw error
  }
}

function parseHeader(bytes: Uint8Array, fileSize: number): GgufSummary {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  let pos = 0
  const need = (n: number): void => {
    if (pos + n > bytes.length) {
      if (bytes.length >= fileSize)
        throw new GgufFormatError(`the file ends inside its header (at byte ${pos})`)
      throw new NeedMoreBytes()
    }
  }
  const u32 = (): number => {
    need(4)
    const v = view.getUint32(pos, true)
    pos += 4
    return v
  }
  const u64 = (): number => {
    need(8)
    const v = view.getBigUint64(pos, true)
    pos += 8
    if (v > BigInt(Number.MAX_SAFE_INTEGER))
      throw new GgufFormatError(`implausible 64-bit value at byte ${pos - 8}`)
    return Number(v)
  }
  const str = (): string => {
    const n = u64()
    if (n > MAX_STRING) throw new GgufFormatError(`implausible string length ${n} at byte ${pos - 8}`)
    need(n)
    const s = new TextDecoder().decode(bytes.subarray(pos, pos + n))
    pos += n
    return s
  }
  const skipValue = (type: number, depth: number): string | undefined => {
    if (type === 8) return str()
    if (type === 9) {
      if (depth > 2) throw new GgufFormatError('nested arrays too deep')
      const elem = u32()
      const count = u64()
      if (count > MAX_COUNT) throw new GgufFormatError(`implausible array length ${count}`)
      const size = VALUE_SIZES[elem]
      if (size !== undefined) {
        need(size * count)
        pos += size * count
      } else {
        for (let i = 0; i < count; i++) skipValue(elem, depth + 1)
      }
      return undefined
    }
    const size = VALUE_SIZES[type]
    if (size === undefined) throw new GgufFormatError(`unknown metadata value type ${type} at byte ${pos}`)
    need(size)
    pos += size
    return undefined
  }

  const magic = u32()
  if (magic !== 0x46554747) throw new GgufFormatError('the file does not start with "GGUF"')
  const version = u32()
  if (version < 2 || version > 3)
    throw new GgufFormatError(`unsupported GGUF version ${version} (llama.cpp reads 2 and 3)`)
  const tensorCount = u64()
  const metadataCount = u64()
  if (tensorCount > MAX_COUNT || metadataCount > MAX_COUNT) {
    throw new GgufFormatError(`implausible counts: ${tensorCount} tensors, ${metadataCount} metadata entries`)
  }
  let architecture: string | undefined
  let alignment = 32
  for (let i = 0; i < metadataCount; i++) {
    const key = str()
    const type = u32()
    if (key === 'general.alignment' && type === 4) {
      alignment = u32()
      continue
    }
    const value = skipValue(type, 0)
    if (key === 'general.architecture') architecture = value
  }
  const offsets: number[] = []
  for (let i = 0; i < tensorCount; i++) {
    str()
    const dims = u32()
    if (dims > 8) throw new GgufFormatError(`tensor ${i} has ${dims} dimensions`)
    for (let d = 0; d < dims; d++) u64()
    u32()
    offsets.push(u64())
  }
  if (alignment === 0) throw new GgufFormatError('general.alignment is 0')
  const dataOffset = Math.ceil(pos / alignment) * alignment
  for (const [i, offset] of offsets.entries()) {
    if (dataOffset + offset >= fileSize) {
      throw new GgufFormatError(
        `tensor ${i} starts at byte ${dataOffset + offset}, past the end of the ${fileSize}-byte file (truncated download?)`,
      )
    }
  }
  return { version, tensorCount, metadataCount, architecture, dataOffset, fileSize }
}

/** The errors {@link readGgufSummary} throws: a malformed header, or the file system's own. */
export type ReadGgufSummaryErrorType = GgufFormatError | Error

/**
 * Reads just enough of a GGUF file to run {@link parseGgufHeader}.
 * @throws {ReadGgufSummaryErrorType} `GgufFormatError` for a malformed header;
 * node's `ENOENT`/`EACCES` errors when the file cannot be read.
 */
export async function readGgufSummary(path: string): Promise<GgufSummary> {
  const handle = await open(path, 'r')
  try {
    const { size } = await handle.stat()
    let length = Math.min(size, 1 << 20)
    while (true) {
      const buf = new Uint8Array(length)
      const { bytesRead } = await handle.read(buf, 0, length, 0)
      const summary = parseGgufHeader(buf.subarray(0, bytesRead), size)
      if (summary !== undefined) return summary
      // the whole file was read and still ends early: it shrank after the stat
      if (length >= size) throw new GgufFormatError(`the file ends inside its header (at byte ${bytesRead})`)
      length = Math.min(size, length * 4)
    }
  } finally {
    await handle.close()
  }
}
