/** A test signing key for NVIDIA-style GPU attestation tokens (ES384 JWTs, as NVIDIA's service signs). */
import { exportJWK, generateKeyPair, type JWK, SignJWT } from 'jose'
import { gpuTokenNonce } from '../gpu.js'

export interface TestGpuKey {
  /** The public JWK: put it in `policy.nvidiaKeys`. */
  publicJwk: JWK
  /** A token for this report data (nonce = its first 32 bytes, hex), valid from `now` (Unix ms) for `ttlSeconds`. */
  token(options: {
    reportData: Uint8Array
    now: number
    ttlSeconds?: number
    claims?: Record<string, unknown>
  }): Promise<string>
}

export async function createTestGpuKey(): Promise<TestGpuKey> {
  const { publicKey, privateKey } = await generateKeyPair('ES384', { extractable: true })
  const publicJwk = { ...(await exportJWK(publicKey)), kid: 'cocoon-test-gpu', alg: 'ES384' }
  return {
    publicJwk,
    token: ({ reportData, now, ttlSeconds = 3600, claims = {} }) => {
      const issuedAt = Math.floor(now / 1000)
      return new SignJWT({
        'x-nvidia-overall-att-result': true,
        eat_nonce: gpuTokenNonce(reportData),
        ...claims,
      })
        .setProtectedHeader({ alg: 'ES384', kid: publicJwk.kid })
        .setIssuer('cocoon-test-nras')
        .setIssuedAt(issuedAt)
        .setNotBefore(issuedAt)
        .setExpirationTime(issuedAt + ttlSeconds)
        .sign(privateKey)
    },
  }
}
