import { describe, expect, it } from 'vitest'
import {
  BadSignatureError,
  InvalidFieldError,
  OFFER_SIGNATURE_CONTEXT,
  peerIdBytes,
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
