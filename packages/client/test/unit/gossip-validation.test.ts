import { encodeOrderBookMessage, peerIdBytes, signOffer, signOfferCancel } from '@cocoon-mesh/protocol'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { describe, expect, it } from 'vitest'
import {
  buildOffer,
  buildOfferCancel,
  OfferBook,
  signatureVerifier,
  validateOrderBookMessage,
} from '../../src/market/index.js'

const prices = { perKPromptTokens: 10n, perKCompletionTokens: 20n, perTensorGflop: 0n }
const key = await generateKeyPair('Ed25519')
const provider = peerIdBytes(key)
let t = 1_800_000_000_000
const now = (): number => t

async function offerBytes(sequence: bigint, at = t, ttlMs = 60_000, models = ['m']): Promise<Uint8Array> {
  const offer = await signOffer(buildOffer({ models, prices }, { provider, now: at, ttlMs, sequence }), key)
  return encodeOrderBookMessage({ offer })
}

function validate(data: Uint8Array, book: OfferBook, topicModel = 'm') {
  return validateOrderBookMessage({ data, topicModel, book, now, verifier: signatureVerifier })
}

describe('validateOrderBookMessage', () => {
  it('accepts a signed offer and classifies stale sequences as IGNORE', async () => {
    const book = new OfferBook({ now })
    const first = await validate(await offerBytes(5n), book)
    expect(first).toMatchObject({ verdict: 'accept', reason: 'added' })
    if (first.message?.offer !== undefined) book.add(first.message.offer)
    expect(await validate(await offerBytes(4n), book)).toMatchObject({ verdict: 'ignore', reason: 'stale' })
    expect(await validate(await offerBytes(6n), book)).toMatchObject({
      verdict: 'accept',
      reason: 'replaced',
    })
  })

  it('rejects garbage, oversize, wrong-topic and badly-signed messages without throwing', async () => {
    const book = new OfferBook({ now })
    expect((await validate(new Uint8Array([0xff, 0xff, 0xff, 0x01, 0x02]), book)).verdict).toBe('reject')
    expect((await validate(new Uint8Array(), book)).verdict).toBe('reject')
    expect(await validate(new Uint8Array(100_000), book)).toMatchObject({
      verdict: 'reject',
      reason: 'too-large',
    })
    expect(await validate(await offerBytes(1n), book, 'other')).toMatchObject({
      verdict: 'reject',
      reason: 'wrong-topic',
    })
    const signed = await signOffer(
      buildOffer({ models: ['m'], prices }, { provider, now: t, ttlMs: 60_000, sequence: 1n }),
      key,
    )
    const tampered = encodeOrderBookMessage({ offer: { ...signed, maxConcurrency: 99 } })
    expect(await validate(tampered, book)).toMatchObject({ verdict: 'reject', reason: 'bad-signature' })
    for (let i = 0; i < 200; i++) {
      const random = new Uint8Array(1 + (i % 64)).map((_, j) => (i * 31 + j * 17) & 0xff)
      expect(['reject', 'ignore']).toContain((await validate(random, book)).verdict)
    }
    expect(book.size).toBe(0)
  })

  it('ignores offers from the future or the past beyond the clock drift', async () => {
    const book = new OfferBook({ now })
    expect(await validate(await offerBytes(1n, t + 120_000), book)).toMatchObject({
      verdict: 'ignore',
      reason: 'not-yet-valid',
    })
    expect(await validate(await offerBytes(2n, t - 200_000, 60_000), book)).toMatchObject({
      verdict: 'ignore',
      reason: 'expired',
    })
  })

  it('validates cancels: signed ones are accepted once, forged ones rejected', async () => {
    const book = new OfferBook({ now })
    const cancel = await signOfferCancel(buildOfferCancel({ provider, now: t, sequence: 3n }), key)
    const data = encodeOrderBookMessage({ cancel })
    expect(await validate(data, book)).toMatchObject({ verdict: 'accept', reason: 'cancel' })
    book.cancel(cancel)
    expect(await validate(data, book)).toMatchObject({ verdict: 'ignore', reason: 'stale' })
    const forged = encodeOrderBookMessage({ cancel: { ...cancel, sequence: 9n } })
    expect(await validate(forged, book)).toMatchObject({ verdict: 'reject', reason: 'bad-signature' })
    t += 1
  })
})
