/**
 * Large received tensors in a browser: reassembled and hashed on the page's
 * thread (no worker_threads; a Web Worker would need a bundler's help to
 * load). `#tensor-offload` resolves here in browsers and to tensor-offload.ts
 * under Node; both export the same functions.
 */
import { createSha256 } from '#sha'
import type { OffloadedTensor } from './tensor-offload.js'

export type { OffloadedTensor } from './tensor-offload.js'

/** Same threshold as under Node; here it only decides which sink a tensor goes to. */
export const OFFLOAD_MIN_BYTES = 4 * 1024 * 1024

export function tensorOffload(): { open(byteLength: number): OffloadedTensor } {
  return {
    open(byteLength) {
      const buffer = new Uint8Array(byteLength)
      const hash = createSha256()
      let filled = 0
      return {
        write(parts) {
          for (const part of parts) {
            buffer.set(part, filled)
            hash.update(part)
            filled += part.byteLength
          }
        },
        finish: async () => ({ data: buffer, digest: hash.digest() }),
        drop() {},
      }
    },
  }
}
