import type { Writer } from 'protons-runtime'

const TWO_32 = 0x1_0000_0000n

/**
 * Writes a uint64 field's varint. protons-runtime (7.1.2 and 8.0.1, the
 * newest) writes every value in [2^31, 2^32) as zero: its LongBits keeps the
 * low word signed and its varint loop stops on a negative word. Prices of
 * 2.1–4.3 TON per 1k tokens, budgets and voucher amounts in that range were
 * sent as 0 (or as a malformed message). Below 2^32 the uint32 writer emits
 * the same varint bytes and is correct; above, protons' path is correct.
 * The generated code calls this instead of `w.uint64` (scripts/patch-generated.mjs).
 */
export function writeUint64(w: Writer, value: bigint): void {
  if (value >= 0n && value < TWO_32) w.uint32(Number(value))
  else w.uint64(value)
}
