/**
 * NVIDIA GPU attestation tokens: the signed result of NVIDIA's attestation
 * tooling (a JWT), verified offline with jose against keys the client
 * configures (NVIDIA's published keys in production, a generated key in
 * tests). A token only counts for the quote it came with: its `eat_nonce`
 * claim must be the hex of the first 32 bytes of the quote's report data, so
 * another machine's token cannot be replayed next to this quote.
 *
 * What a verified token proves is what its signer says about the GPU (for
 * NVIDIA's service: confidential-computing mode on, driver and VBIOS
 * measurements matched). It proves no more than the configured keys deserve.
 */
import { errorMessage } from '@cocoon-mesh/protocol'
import { createLocalJWKSet, type JWK, errors as joseErrors, jwtVerify } from 'jose'
import type { GpuVerdict } from './types.js'

/** The outcome of checking one GPU token. */
export interface GpuTokenResult {
  gpu: GpuVerdict
  detail: string
  /** The token's `exp` (Unix ms) when it verified, so a cached verdict ends with it. */
  expiresAt?: number
}

/** The nonce a GPU token must carry for a quote with this report data. */
export function gpuTokenNonce(reportData: Uint8Array): string {
  return Buffer.from(reportData.subarray(0, 32)).toString('hex')
}

/**
 * Checks `token` at `nowMs`: 'not-attested' when empty, 'attested' when it
 * verifies against one of `keys` with the right nonce and is not expired,
 * else 'invalid' with why. Never throws for a bad token.
 */
export async function verifyGpuToken(
  token: string,
  keys: readonly JWK[] | undefined,
  reportData: Uint8Array,
  nowMs: number,
): Promise<GpuTokenResult> {
  if (token.length === 0) return { gpu: 'not-attested', detail: 'no GPU attestation token in the evidence' }
  if (keys === undefined || keys.length === 0) {
    return { gpu: 'invalid', detail: 'a GPU token is present but no NVIDIA keys are configured to verify it' }
  }
  try {
    const jwks = createLocalJWKSet({ keys: [...keys] })
    const { payload } = await jwtVerify(token, jwks, {
      currentDate: new Date(nowMs),
      requiredClaims: ['exp'],
    })
    const expected = gpuTokenNonce(reportData)
    if (payload.eat_nonce !== expected) {
      return {
        gpu: 'invalid',
        detail: `GPU token nonce ${String(payload.eat_nonce)} is not ${expected} (this quote's report data)`,
      }
    }
    return {
      gpu: 'attested',
      detail: `GPU token signed by a configured key, nonce bound to the quote`,
      expiresAt: (payload.exp ?? 0) * 1000,
    }
  } catch (error) {
    if (error instanceof joseErrors.JOSEError)
      return { gpu: 'invalid', detail: `GPU token refused: ${error.message}` }
    if (error instanceof TypeError)
      return { gpu: 'invalid', detail: `GPU token refused: ${errorMessage(error)}` }
    throw error
  }
}
