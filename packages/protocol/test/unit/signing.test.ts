import { describe, expect, it } from 'vitest'
import {
  BadSignatureError,
  decodeOffer,
  encodeOffer,
  InvalidFieldError,
  isRejectable,
  OFFER_SIGNATURE_CONTEXT,
  Offer,
  OfferCancel,
  offerCancelSigningBytes,
  offerSigningBytes,
  peerIdBytes,
  SIGNATURE_CONTEXTS,
  signOffer,
  signOfferCancel,
  signUsageReceipt,
  verifyOffer,
  verifyOfferCancel,
  verifyUsageReceipt,
} from '../../src/index.js'
import { fixedKey, sampleCancel, sampleOffer, sampleReceipt } from '../fixtures.js'

describe('signing', () => {
  it('signs and verifies an offer, filling in the provider', async () => {
    const key = await fixedKey()
    const signed = await signOffer(sampleOffer(), key)
    expect(signed.provider).toEqual(peerIdBytes(key))
    expect(signed.signature.byteLength).toBe(64)
    await expect(verifyOffer(signed)).resolves.toBeUndefined()
  })

  it('rejects a tampered offer with BadSignatureError', async () => {
    const signed = await signOffer(sampleOffer(), await fixedKey())
    const tampered = {
      ...signed,
      prices: { perKPromptTokens: 1n, perKCompletionTokens: 1n, perTensorGflop: 1n },
    }
    const error = await verifyOffer(tampered).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(BadSignatureError)
    expect((error as BadSignatureError).code).toBe('ERR_BAD_SIGNATURE')
    expect((error as BadSignatureError).message).toContain(OFFER_SIGNATURE_CONTEXT)
  })

  it('rejects an unsigned offer and one signed by another key', async () => {
    const a = await fixedKey(0)
    const b = await fixedKey(1)
    await expect(verifyOffer(sampleOffer({ provider: peerIdBytes(a) }))).rejects.toThrow(BadSignatureError)
    const byB = await signOffer(sampleOffer(), b)
    await expect(verifyOffer({ ...byB, provider: peerIdBytes(a) })).rejects.toThrow(BadSignatureError)
    await expect(verifyOffer({ ...byB, provider: new Uint8Array([1, 2, 3]) })).rejects.toThrow(
      BadSignatureError,
    )
  })

  it('refuses to sign for another provider', async () => {
    const a = await fixedKey(0)
    const b = await fixedKey(1)
    await expect(signOffer(sampleOffer({ provider: peerIdBytes(a) }), b)).rejects.toThrow(InvalidFieldError)
  })

  it('signs and verifies cancels and receipts', async () => {
    const key = await fixedKey()
    await expect(verifyOfferCancel(await signOfferCancel(sampleCancel(), key))).resolves.toBeUndefined()
    await expect(verifyUsageReceipt(await signUsageReceipt(sampleReceipt(), key))).resolves.toBeUndefined()
  })
})

describe('domain separation', () => {
  it('a signature made for one message type never verifies as another, even over identical protobuf bytes', async () => {
    const key = await fixedKey()
    const provider = peerIdBytes(key)
    // Offer and OfferCancel share field 1 (uint32 version) and field 2 (bytes provider):
    // with only those set, both encode to exactly the same bytes.
    const cancel = await signOfferCancel(
      { version: 1, provider, sequence: 0n, issuedAt: 0n, signature: new Uint8Array(0) },
      key,
    )
    const offer = { ...sampleOffer({ provider }), ...emptyOfferFields(), signature: cancel.signature }
    expect(Offer.encode({ ...offer, signature: new Uint8Array(0) })).toEqual(
      OfferCancel.encode({ ...cancel, signature: new Uint8Array(0) }),
    )
    // without a context the body signature would be valid for both types
    const body = Offer.encode({ ...offer, signature: new Uint8Array(0) })
    expect(await key.publicKey.verify(offerCancelSigningBytes(cancel), cancel.signature)).toBe(true)
    await expect(verifyOfferCancel(cancel)).resolves.toBeUndefined()
    await expect(verifyOffer(offer)).rejects.toThrow(BadSignatureError)
    expect(body.byteLength).toBeGreaterThan(0)
  })

  it('offers, cancels and receipts never cross-verify', async () => {
    const key = await fixedKey()
    const offer = await signOffer(sampleOffer(), key)
    const cancel = await signOfferCancel(sampleCancel(), key)
    const receipt = await signUsageReceipt(sampleReceipt(), key)
    await expect(verifyOfferCancel({ ...cancel, signature: offer.signature })).rejects.toThrow(
      BadSignatureError,
    )
    await expect(verifyUsageReceipt({ ...receipt, signature: offer.signature })).rejects.toThrow(
      BadSignatureError,
    )
    await expect(verifyOffer({ ...offer, signature: receipt.signature })).rejects.toThrow(BadSignatureError)
    await expect(verifyOffer({ ...offer, signature: cancel.signature })).rejects.toThrow(BadSignatureError)
  })

  it('the signed bytes are the length-prefixed context followed by the unsigned encoding', async () => {
    const offer = await signOffer(sampleOffer(), await fixedKey())
    const bytes = offerSigningBytes(offer)
    const ctx = new TextEncoder().encode(OFFER_SIGNATURE_CONTEXT)
    expect(bytes[0]).toBe(ctx.byteLength)
    expect(bytes.subarray(1, 1 + ctx.byteLength)).toEqual(ctx)
    expect(bytes.subarray(1 + ctx.byteLength)).toEqual(
      Offer.encode({ ...offer, signature: new Uint8Array(0) }),
    )
    expect(Object.values(SIGNATURE_CONTEXTS).length).toBe(new Set(Object.values(SIGNATURE_CONTEXTS)).size)
  })

  it('any single-bit change of a signed offer either fails or decodes to the very same offer', async () => {
    const offer = await signOffer(sampleOffer(), await fixedKey())
    const encoded = encodeOffer(offer)
    let rejected = 0
    for (let i = 0; i < encoded.byteLength; i += 3) {
      const copy = encoded.slice()
      copy[i] = (copy[i] ?? 0) ^ 0x01
      let decoded: Offer
      try {
        decoded = decodeOffer(copy)
        await verifyOffer(decoded)
      } catch (error) {
        expect(isRejectable(error)).toBe(true)
        rejected++
        continue
      }
      // protons ignores the wire type of a known field, so a flipped tag bit can
      // be a non-canonical encoding of the same content: what is signed is the
      // content, so it must then be exactly the original offer.
      expect(decoded).toEqual(offer)
    }
    expect(rejected).toBeGreaterThan(encoded.byteLength / 3 - 10)
  })
})

function emptyOfferFields(): Partial<ReturnType<typeof sampleOffer>> {
  return {
    gpu: undefined,
    jobKinds: [],
    models: [],
    prices: undefined,
    maxConcurrency: 0,
    region: '',
    payoutAddress: '',
    attestation: new Uint8Array(0),
    issuedAt: 0n,
    expiresAt: 0n,
    sequence: 0n,
    trustTier: 'TRUST_TIER_UNSPECIFIED' as never,
    tokensPerSecond: 0,
    gflops: 0,
    settlementKey: new Uint8Array(0),
  }
}
