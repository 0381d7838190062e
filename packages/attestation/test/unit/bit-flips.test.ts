/**
 * A hostile provider's cheapest forgery is an edit to honest evidence. Every
 * single-bit flip across the whole encoded evidence (quote, PEM chains, CRLs,
 * TCB info, QE identity, protobuf framing) that changes what it says must
 * leave it not attested, and verifyEvidence must answer rather than throw.
 */
import {
  attestationReportData,
  decodeAttestationEvidence,
  encodeAttestationEvidence,
} from '@cocoon-mesh/protocol'
import { describe, expect, it } from 'vitest'
import { verifyEvidence } from '../../src/index.js'
import { createTestCa } from '../../src/testing/index.js'

const peerPublicKey = new Uint8Array(36).fill(1)
const settlementPublicKey = new Uint8Array(32).fill(2)

/**
 * The base64 character right before a PEM block's `=` padding carries bits
 * the decoder drops, so flipping those yields the same certificate bytes:
 * not a forgery.
 */
function isDroppedBase64Bit(bytes: Uint8Array, position: number): boolean {
  return bytes[position + 1] === 0x3d
}

/** A flip the protobuf decoder reads past (e.g. a tag's wire type it does not check): the same evidence. */
function sameEvidence(original: Uint8Array, flipped: Uint8Array): boolean {
  const reencoded = encodeAttestationEvidence(decodeAttestationEvidence(flipped))
  return Buffer.from(reencoded).equals(Buffer.from(original))
}

describe('single-bit flips of test CA evidence', () => {
  it('none of ~180 flips spread over the evidence is attested, and none throws', async () => {
    const ca = await createTestCa()
    const reportData = attestationReportData(peerPublicKey, settlementPublicKey)
    const bytes = encodeAttestationEvidence(ca.evidence({ reportData }))
    const policy = ca.policy()
    const base = await verifyEvidence({
      evidence: bytes,
      peerPublicKey,
      settlementPublicKey,
      policy,
      now: ca.now,
    })
    expect(base.tier).toBe('attested')
    const stride = Math.floor(bytes.byteLength / 180)
    const attested: number[] = []
    for (let position = 0; position < bytes.byteLength; position += stride) {
      const copy = new Uint8Array(bytes)
      copy[position] = (copy[position] ?? 0) ^ (1 << (position % 8))
      const verdict = await verifyEvidence({
        evidence: copy,
        peerPublicKey,
        settlementPublicKey,
        policy,
        now: ca.now,
      })
      if (verdict.tier === 'attested' && !isDroppedBase64Bit(bytes, position) && !sameEvidence(bytes, copy)) {
        attested.push(position)
      } else if (verdict.tier === 'open') expect(verdict.reason).toBeDefined()
    }
    expect(attested).toEqual([])
  })
})
