import { readFile } from 'node:fs/promises'
import { publicKeyFromRaw } from '@libp2p/crypto/keys'
import { fromString as fromHex } from 'uint8arrays/from-string'
import { describe, expect, it } from 'vitest'
import {
  decodeJobFrame,
  decodeOffer,
  decodeOfferCancel,
  decodeOrderBookMessage,
  decodeUsageReceipt,
  domainSeparatedBytes,
  JobRequest,
  jobRequestSigningBytes,
  verifyOffer,
  verifyOfferCancel,
  verifyUsageReceipt,
} from '../../src/index.js'
import { buildGoldenVectors, type GoldenVectorFile, toJson } from '../golden.js'

// `npm run vectors` runs this file with -u, which rewrites the files from buildGoldenVectors().
const vectorsDir = new URL('../vectors/', import.meta.url)

const decoders: Record<string, (b: Uint8Array) => unknown> = {
  Offer: decodeOffer,
  OfferCancel: decodeOfferCancel,
  UsageReceipt: decodeUsageReceipt,
  OrderBookMessage: decodeOrderBookMessage,
  JobFrame: decodeJobFrame,
  JobRequest: (b) => JobRequest.decode(b),
}

/** A JobRequest's channel proof: clientSignature by clientKey over jobRequestSigningBytes. */
async function verifyChannelProof(request: JobRequest): Promise<void> {
  const ok = await publicKeyFromRaw(request.clientKey).verify(
    jobRequestSigningBytes(request),
    request.clientSignature,
  )
  if (!ok) throw new Error('JobRequest.clientSignature does not verify against clientKey')
}

const verifiers: Record<string, (m: never) => Promise<void>> = {
  Offer: verifyOffer,
  OfferCancel: verifyOfferCancel,
  UsageReceipt: verifyUsageReceipt,
  JobRequest: verifyChannelProof,
}

describe('golden vectors', async () => {
  const built = await buildGoldenVectors()

  for (const [file, content] of Object.entries(built)) {
    it(`${file}.json matches what this implementation produces`, async () => {
      await expect(`${JSON.stringify(content, null, 2)}\n`).toMatchFileSnapshot(`../vectors/${file}.json`)
    })

    it(`${file}.json decodes and verifies on its own`, async () => {
      const stored = JSON.parse(
        await readFile(new URL(`${file}.json`, vectorsDir), 'utf8'),
      ) as GoldenVectorFile
      const decode = decoders[stored.messageType]
      expect(decode).toBeDefined()
      const signed = verifiers[stored.messageType] !== undefined
      for (const vector of stored.vectors) {
        const decoded = decode?.(fromHex(vector.encodedHex, 'base16'))
        expect(toJson(decoded)).toEqual(vector.message)
        // a signed type's vectors must carry what the check below needs, or it would be skipped
        if (signed) {
          expect(vector.signatureHex).toBeDefined()
          expect(stored.key).toBeDefined()
          expect(stored.signatureContext).toBeDefined()
        }
        if (
          vector.signatureHex !== undefined &&
          stored.key !== undefined &&
          stored.signatureContext !== undefined
        ) {
          const signingBytes = fromHex(vector.signingBytesHex ?? '', 'base16')
          const unsigned = {
            ...(decoded as Record<string, unknown>),
            [stored.signatureField ?? 'signature']: new Uint8Array(0),
          }
          // signing bytes = varint(len(ctx)) || ctx || encoding without the signature field
          const body = signingBytes.subarray(1 + stored.signatureContext.length)
          expect(domainSeparatedBytes(stored.signatureContext, body)).toEqual(signingBytes)
          expect(toJson(decode?.(body))).toEqual(toJson(unsigned))
          const publicKey = publicKeyFromRaw(fromHex(stored.key.publicKeyHex, 'base16'))
          expect(await publicKey.verify(signingBytes, fromHex(vector.signatureHex, 'base16'))).toBe(true)
          await expect(verifiers[stored.messageType]?.(decoded as never)).resolves.toBeUndefined()
        }
      }
    })
  }
})
