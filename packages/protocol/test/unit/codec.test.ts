import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  CocoonError,
  decodeJobFrame,
  decodeOffer,
  decodeOfferCancel,
  decodeOffersRequest,
  decodeOffersResponse,
  decodeOrderBookMessage,
  decodeUsageReceipt,
  encodeJobFrame,
  encodeOffer,
  encodeOfferCancel,
  encodeOffersRequest,
  encodeOffersResponse,
  encodeOrderBookMessage,
  encodeUsageReceipt,
  isRejectable,
  JobFrame,
  jobFrameKind,
  MAX_JOB_FRAME_BYTES,
  MAX_OFFER_BYTES,
  MAX_OFFERS_PER_RESPONSE,
  MAX_ORDER_BOOK_MESSAGE_BYTES,
  MAX_TENSOR_CHUNK_BYTES,
  MalformedMessageError,
  MessageTooLargeError,
  Offer,
  OffersResponse,
  OrderBookMessage,
  UnsupportedVersionError,
} from '../../src/index.js'
import { jobFrameArb, offerArb, offerCancelArb, usageReceiptArb } from '../arbitraries.js'
import { sampleJobRequest, sampleOffer, sampleReceipt } from '../fixtures.js'

describe('round trips (fast-check)', () => {
  it('Offer', () => {
    fc.assert(
      fc.property(offerArb, (offer) => {
        expect(decodeOffer(encodeOffer(offer))).toEqual(offer)
      }),
    )
  })

  it('OfferCancel', () => {
    fc.assert(
      fc.property(offerCancelArb, (cancel) => {
        expect(decodeOfferCancel(encodeOfferCancel(cancel))).toEqual(cancel)
      }),
    )
  })

  it('OrderBookMessage', () => {
    const arb = fc.oneof(
      offerArb.map((offer) => ({ offer })),
      offerCancelArb.map((cancel) => ({ cancel })),
    )
    fc.assert(
      fc.property(arb, (m) => {
        expect(decodeOrderBookMessage(encodeOrderBookMessage(m))).toEqual(m)
      }),
    )
  })

  it('JobFrame (every kind)', () => {
    fc.assert(
      fc.property(jobFrameArb, (frame) => {
        const decoded = decodeJobFrame(encodeJobFrame(frame))
        expect(decoded).toEqual(frame)
        expect(jobFrameKind(decoded)).toBe(jobFrameKind(frame))
      }),
    )
  })

  it('UsageReceipt', () => {
    fc.assert(
      fc.property(usageReceiptArb, (receipt) => {
        expect(decodeUsageReceipt(encodeUsageReceipt(receipt))).toEqual(receipt)
      }),
    )
  })

  it('OffersRequest / OffersResponse', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 100 }), (model) => {
        expect(decodeOffersRequest(encodeOffersRequest({ model }))).toEqual({ model })
      }),
    )
    fc.assert(
      fc.property(fc.array(offerArb, { maxLength: 5 }), (offers) => {
        expect(decodeOffersResponse(encodeOffersResponse({ offers }))).toEqual({ offers })
      }),
      { numRuns: 30 },
    )
  })
})

const decoders = {
  decodeOffer,
  decodeOfferCancel,
  decodeOrderBookMessage,
  decodeJobFrame,
  decodeUsageReceipt,
  decodeOffersRequest,
  decodeOffersResponse,
}

function onlyTypedErrors(decode: (b: Uint8Array) => unknown, input: Uint8Array): void {
  try {
    decode(input)
  } catch (error) {
    if (!(error instanceof CocoonError)) throw new Error(`untyped error: ${String(error)}`, { cause: error })
    expect(isRejectable(error)).toBe(true)
  }
}

describe('bad bytes only give typed errors', () => {
  for (const [name, decode] of Object.entries(decoders)) {
    it(`${name}: random bytes`, () => {
      fc.assert(
        fc.property(fc.uint8Array({ maxLength: 2048 }), (b) => onlyTypedErrors(decode, b)),
        { numRuns: 500 },
      )
    })
  }

  it('every truncation of every valid message', () => {
    fc.assert(
      fc.property(jobFrameArb, fc.nat(), (frame, cut) => {
        const encoded = encodeJobFrame(frame)
        onlyTypedErrors(decodeJobFrame, encoded.subarray(0, cut % (encoded.byteLength + 1)))
      }),
      { numRuns: 300 },
    )
    fc.assert(
      fc.property(offerArb, (offer) => {
        const encoded = encodeOrderBookMessage({ offer })
        for (let cut = 0; cut < encoded.byteLength; cut++) {
          onlyTypedErrors(decodeOrderBookMessage, encoded.subarray(0, cut))
        }
      }),
      { numRuns: 50 },
    )
  })

  it('bit flips of a valid offer', () => {
    const encoded = encodeOffer(sampleOffer())
    fc.assert(
      fc.property(fc.nat({ max: encoded.byteLength - 1 }), fc.nat({ max: 7 }), (i, bit) => {
        const copy = encoded.slice()
        copy[i] = (copy[i] ?? 0) ^ (1 << bit)
        onlyTypedErrors(decodeOffer, copy)
      }),
      { numRuns: 500 },
    )
  })

  it('a truncated offer is a MalformedMessageError that names the type and the parser error', () => {
    const encoded = encodeOffer(sampleOffer())
    const error = (() => {
      try {
        decodeOffer(encoded.subarray(0, encoded.byteLength - 3))
      } catch (e) {
        return e
      }
    })()
    expect(error).toBeInstanceOf(MalformedMessageError)
    expect((error as MalformedMessageError).code).toBe('ERR_MALFORMED_MESSAGE')
    expect((error as MalformedMessageError).message).toMatch(/Offer/)
  })
})

describe('limits', () => {
  it('rejects oversized bytes before decoding, stating size and limit', () => {
    const big = new Uint8Array(MAX_ORDER_BOOK_MESSAGE_BYTES + 1)
    let error: unknown
    try {
      decodeOrderBookMessage(big)
    } catch (e) {
      error = e
    }
    expect(error).toBeInstanceOf(MessageTooLargeError)
    const e = error as MessageTooLargeError
    expect(e.code).toBe('ERR_MESSAGE_TOO_LARGE')
    expect(e.size).toBe(MAX_ORDER_BOOK_MESSAGE_BYTES + 1)
    expect(e.limit).toBe(MAX_ORDER_BOOK_MESSAGE_BYTES)
    expect(e.message).toContain(`${MAX_ORDER_BOOK_MESSAGE_BYTES + 1} bytes`)
    expect(e.message).toContain(`limit is ${MAX_ORDER_BOOK_MESSAGE_BYTES} bytes`)
  })

  it('refuses to encode an offer over the limit', () => {
    const offer = sampleOffer({ attestation: new Uint8Array(MAX_OFFER_BYTES) })
    expect(() => encodeOffer(offer)).toThrow(MessageTooLargeError)
    expect(() => encodeOrderBookMessage({ offer })).toThrow(MessageTooLargeError)
    // and a peer that skips the encoder check still cannot get it decoded
    expect(() => decodeOffer(Offer.encode(offer))).toThrow(MessageTooLargeError)
  })

  it('a full tensor chunk fits a JobFrame, one byte more of data does not', () => {
    const ok = { tensorChunk: { index: 3, offset: 2n ** 40n, data: new Uint8Array(MAX_TENSOR_CHUNK_BYTES) } }
    expect(decodeJobFrame(encodeJobFrame(ok)).tensorChunk?.data.byteLength).toBe(MAX_TENSOR_CHUNK_BYTES)
    const tooBig = { tensorChunk: { index: 0, offset: 0n, data: new Uint8Array(MAX_JOB_FRAME_BYTES) } }
    expect(() => encodeJobFrame(tooBig)).toThrow(MessageTooLargeError)
  })

  it('caps the number of offers in a response', () => {
    const offers = Array.from({ length: MAX_OFFERS_PER_RESPONSE + 1 }, () => sampleOffer())
    expect(() => encodeOffersResponse({ offers })).toThrow(MessageTooLargeError)
    expect(() => decodeOffersResponse(OffersResponse.encode({ offers }))).toThrow(MessageTooLargeError)
    expect(decodeOffersResponse(OffersResponse.encode({ offers: offers.slice(1) })).offers).toHaveLength(
      MAX_OFFERS_PER_RESPONSE,
    )
  })

  it('checks the version of a JobRequest or UsageReceipt inside a frame', () => {
    expect(() => decodeJobFrame(JobFrame.encode({ request: sampleJobRequest({ version: 0 }) }))).toThrow(
      UnsupportedVersionError,
    )
    expect(() => decodeJobFrame(JobFrame.encode({ receipt: sampleReceipt({ version: 9 }) }))).toThrow(
      UnsupportedVersionError,
    )
  })
})

describe('versions and envelopes', () => {
  it('rejects an unknown version with UnsupportedVersionError', () => {
    const bytes = Offer.encode(sampleOffer({ version: 2 }))
    let error: unknown
    try {
      decodeOffer(bytes)
    } catch (e) {
      error = e
    }
    expect(error).toBeInstanceOf(UnsupportedVersionError)
    expect((error as UnsupportedVersionError).code).toBe('ERR_UNSUPPORTED_VERSION')
    expect((error as UnsupportedVersionError).message).toContain('version 2')
    expect(() =>
      decodeOrderBookMessage(OrderBookMessage.encode({ offer: sampleOffer({ version: 2 }) })),
    ).toThrow(UnsupportedVersionError)
    expect(() => encodeOffer(sampleOffer({ version: 0 }))).toThrow(/PROTOCOL_VERSION/)
  })

  it('an envelope needs exactly one field', () => {
    expect(() => decodeOrderBookMessage(new Uint8Array(0))).toThrow(MalformedMessageError)
    const both = OrderBookMessage.encode({ offer: sampleOffer(), cancel: { ...sampleOffer(), sequence: 1n } })
    expect(() => decodeOrderBookMessage(both)).toThrow(/exactly one field/)
    expect(() => encodeJobFrame({})).toThrow(MalformedMessageError)
    expect(() =>
      decodeJobFrame(
        JobFrame.encode({ cancel: { jobId: 'a' }, accept: { jobId: 'a', creditWindow: 0n, queueDepth: 0 } }),
      ),
    ).toThrow(MalformedMessageError)
  })

  it('an unknown enum value is malformed, not a crash', () => {
    // JobFrame.reject (field 3) { reason (field 2) = 99 }
    const bytes = new Uint8Array([0x1a, 0x02, 0x10, 99])
    expect(() => decodeJobFrame(bytes)).toThrow(MalformedMessageError)
  })
})
