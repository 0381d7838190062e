/** A test signing key for NVIDIA-style GPU attestation tokens (ES384 JWTs). */
import type { JWK } from 'jose'

export interface TestGpuKey {
  /** The public JWK: put it in `policy.nvidiaKeys`. */
  publicJwk: JWK
  /** A token for this report data (nonce = its first 32 bytes, hex), valid from `now` for `ttlSeconds`. */
  token(options: {
    reportData: Uint8Array
    now: number
    ttlSeconds?: number
    claims?: Record<string, unknown>
  }): Promise<string>
}

export async function createTestGpuKey(): Promise<TestGpuKey> {
  throw new Error('createTestGpuKey: implementation follows in the next commit')
}
