/** JSON with bigints and bytes, for small store records. */
export function encodeRecord(value: unknown): Uint8Array {
  return new TextEncoder().encode(
    JSON.stringify(value, (_key, v: unknown) => {
      if (typeof v === 'bigint') return { $n: v.toString() }
      if (v instanceof Uint8Array) return { $b: Buffer.from(v).toString('base64') }
      return v
    }),
  )
}

export function decodeRecord<T>(bytes: Uint8Array): T {
  return JSON.parse(new TextDecoder().decode(bytes), (_key, v: unknown) => {
    if (v !== null && typeof v === 'object') {
      const o = v as { $n?: string; $b?: string }
      if (typeof o.$n === 'string') return BigInt(o.$n)
      if (typeof o.$b === 'string') return Uint8Array.from(Buffer.from(o.$b, 'base64'))
    }
    return v
  }) as T
}
