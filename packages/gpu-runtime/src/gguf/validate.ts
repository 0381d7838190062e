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
  const reader = new HeaderReader(bytes, fileSize)
  const { version, tensorCount, metadataCount } = readPreamble(reader)
  const { architecture, alignment } = readMetadata(reader, metadataCount)
  const offsets = readTensorOffsets(reader, tensorCount)
  if (alignment === 0) throw new GgufFormatError('general.alignment is 0')
  const dataOffset = Math.ceil(reader.pos / alignment) * alignment
  checkTensorsInFile(offsets, dataOffset, fileSize)
  return { version, tensorCount, metadataCount, architecture, dataOffset, fileSize }
}

/**
 * Little-endian reads from the first bytes of a GGUF file: a read past
 * `bytes` throws NeedMoreBytes while the file goes on, and a
 * GgufFormatError when the file itself ends there.
 */
class HeaderReader {
  pos = 0
  private readonly view: DataView

  constructor(
    private readonly bytes: Uint8Array,
    private readonly fileSize: number,
  ) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  }

  need(n: number): void {
    if (this.pos + n > this.bytes.length) {
      if (this.bytes.length >= this.fileSize)
        throw new GgufFormatError(`the file ends inside its header (at byte ${this.pos})`)
      throw new NeedMoreBytes()
    }
  }

  skip(n: number): void {
    this.need(n)
    this.pos += n
  }

  u32(): number {
    this.need(4)
    const v = this.view.getUint32(this.pos, true)
    this.pos += 4
    return v
  }

  u64(): number {
    this.need(8)
    const v = this.view.getBigUint64(this.pos, true)
    this.pos += 8
    if (v > BigInt(Number.MAX_SAFE_INTEGER))
      throw new GgufFormatError(`implausible 64-bit value at byte ${this.pos - 8}`)
    return Number(v)
  }

  str(): string {
    const n = this.u64()
    if (n > MAX_STRING) throw new GgufFormatError(`implausible string length ${n} at byte ${this.pos - 8}`)
    this.need(n)
    const s = new TextDecoder().decode(this.bytes.subarray(this.pos, this.pos + n))
    this.pos += n
    return s
  }

  /** Skips a metadata value of `type`; returns it when it is a string (type 8). */
  skipValue(type: number, depth: number): string | undefined {
    if (type === 8) return this.str()
    if (type === 9) {
      this.skipArray(depth)
      return undefined
    }
    const size = VALUE_SIZES[type]
    if (size === undefined)
      throw new GgufFormatError(`unknown metadata value type ${type} at byte ${this.pos}`)
    this.skip(size)
    return undefined
  }

  /** Skips an array value (element type, count, elements), at most 3 levels deep. */
  private skipArray(depth: number): void {
    if (depth > 2) throw new GgufFormatError('nested arrays too deep')
    const elem = this.u32()
    const count = this.u64()
    if (count > MAX_COUNT) throw new GgufFormatError(`implausible array length ${count}`)
    const size = VALUE_SIZES[elem]
    if (size !== undefined) this.skip(size * count)
    else for (let i = 0; i < count; i++) this.skipValue(elem, depth + 1)
  }
}

/** Magic, version (2 or 3) and the tensor and metadata counts. */
function readPreamble(reader: HeaderReader): { version: number; tensorCount: number; metadataCount: number } {
  const magic = reader.u32()
  if (magic !== 0x46554747) throw new GgufFormatError('the file does not start with "GGUF"')
  const version = reader.u32()
  if (version < 2 || version > 3)
    throw new GgufFormatError(`unsupported GGUF version ${version} (llama.cpp reads 2 and 3)`)
  const tensorCount = reader.u64()
  const metadataCount = reader.u64()
  if (tensorCount > MAX_COUNT || metadataCount > MAX_COUNT) {
    throw new GgufFormatError(`implausible counts: ${tensorCount} tensors, ${metadataCount} metadata entries`)
  }
  return { version, tensorCount, metadataCount }
}

/** Skips the metadata entries, keeping `general.architecture` and `general.alignment` (default 32). */
function readMetadata(
  reader: HeaderReader,
  count: number,
): { architecture: string | undefined; alignment: number } {
  let architecture: string | undefined
  let alignment = 32
  for (let i = 0; i < count; i++) {
    const key = reader.str()
    const type = reader.u32()
    if (key === 'general.alignment' && type === 4) {
      alignment = reader.u32()
      continue
    }
    const value = reader.skipValue(type, 0)
    if (key === 'general.architecture') architecture = value
  }
  return { architecture, alignment }
}

/** Reads the tensor infos (name, dimensions, type, offset); returns each tensor's data offset. */
function readTensorOffsets(reader: HeaderReader, count: number): number[] {
  const offsets: number[] = []
  for (let i = 0; i < count; i++) {
    reader.str()
    const dims = reader.u32()
    if (dims > 8) throw new GgufFormatError(`tensor ${i} has ${dims} dimensions`)
    for (let d = 0; d < dims; d++) reader.u64()
    reader.u32()
    offsets.push(reader.u64())
  }
  return offsets
}

/** Every tensor's data must start inside the file: a truncated download fails here. */
function checkTensorsInFile(offsets: number[], dataOffset: number, fileSize: number): void {
  for (const [i, offset] of offsets.entries()) {
    if (dataOffset + offset >= fileSize) {
      throw new GgufFormatError(
        `tensor ${i} starts at byte ${dataOffset + offset}, past the end of the ${fileSize}-byte file (truncated download?)`,
      )
    }
  }
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
