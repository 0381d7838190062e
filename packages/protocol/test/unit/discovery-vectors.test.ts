import { createHash } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import * as varint from 'uint8-varint'
import { fromString as fromHex } from 'uint8arrays/from-string'
import { toString as toHex } from 'uint8arrays/to-string'
import { describe, expect, it } from 'vitest'
import {
  canonicalModelId,
  DType,
  decodeJobFrame,
  decodeOffersRequest,
  decodeOffersResponse,
  encodeJobFrame,
  encodeOffersRequest,
  encodeOffersResponse,
  type JobFrame,
  modelCid,
  modelKeyBytes,
  orderBookTopic,
} from '../../src/index.js'

// `npx vitest run test/unit/discovery-vectors.test.ts -u` rewrites discovery.json from this implementation
const MODELS = ['tiny', '  Qwen2.5-0.5B-Instruct ', 'Org/Model Name:Q4_K_M', 'Modèle-ü']

interface DiscoveryVectors {
  description: string
  models: Array<{
    input: string
    canonical: string
    topic: string
    dhtKeyInput: string
    dhtKeySha256Hex: string
    cidBytesHex: string
    cid: string
  }>
  offersFrames: Array<{ name: string; model?: string; offerVector?: string; frameHex: string }>
}

async function offerVectorHex(name: string): Promise<string> {
  const file = JSON.parse(await readFile(new URL('../vectors/offer.json', import.meta.url), 'utf8')) as {
    vectors: Array<{ name: string; encodedHex: string }>
  }
  const vector = file.vectors.find((v) => v.name === name) ?? file.vectors[0]
  if (vector === undefined) throw new Error('offer.json holds no vector')
  return vector.encodedHex
}

/** One message as `/cocoon/offers/1.0.0` sends it: unsigned varint length, then the protobuf bytes. */
function frame(body: Uint8Array): string {
  return toHex(varint.encode(body.byteLength), 'base16') + toHex(body, 'base16')
}

async function build(): Promise<DiscoveryVectors> {
  const offerName = 'llm-and-tensor'
  const offer = fromHex(await offerVectorHex(offerName), 'base16')
  const response = decodeOffersResponse(new Uint8Array([0x0a, ...varint.encode(offer.byteLength), ...offer]))
  return {
    description:
      'Discovery: canonical model ids, order-book topics and DHT keys (CIDv1, raw codec, sha256 of the UTF-8 key), and /cocoon/offers/1.0.0 frames (varint length + protobuf). See packages/protocol/README.md.',
    models: await Promise.all(
      MODELS.map(async (input) => {
        const cid = await modelCid(input)
        return {
          input,
          canonical: canonicalModelId(input),
          topic: orderBookTopic(input),
          dhtKeyInput: new TextDecoder().decode(modelKeyBytes(input)),
          dhtKeySha256Hex: toHex(cid.multihash.digest, 'base16'),
          cidBytesHex: toHex(cid.bytes, 'base16'),
          cid: cid.toString(),
        }
      }),
    ),
    offersFrames: [
      { name: 'request-one-model', model: 'tiny', frameHex: frame(encodeOffersRequest({ model: 'tiny' })) },
      { name: 'request-all-models', model: '', frameHex: frame(encodeOffersRequest({ model: '' })) },
      { name: 'response-empty', frameHex: frame(encodeOffersResponse({ offers: [] })) },
      { name: 'response-one-offer', offerVector: offerName, frameHex: frame(encodeOffersResponse(response)) },
    ],
  }
}

describe('discovery golden vectors', () => {
  it('discovery.json matches what this implementation produces', async () => {
    await expect(`${JSON.stringify(await build(), null, 2)}\n`).toMatchFileSnapshot(
      '../vectors/discovery.json',
    )
  })

  it('each DHT key is CIDv1 raw sha256 of "/cocoon/model/1/" + trim().toLowerCase() of the id', async () => {
    const stored = JSON.parse(
      await readFile(new URL('../vectors/discovery.json', import.meta.url), 'utf8'),
    ) as DiscoveryVectors
    expect(stored.models.length).toBe(MODELS.length)
    for (const m of stored.models) {
      // recomputed by hand, not through the implementation
      const canonical = m.input.trim().toLowerCase()
      expect(m.canonical).toBe(canonical)
      expect(m.topic).toBe(`/cocoon/orderbook/1/${encodeURIComponent(canonical)}`)
      expect(m.dhtKeyInput).toBe(`/cocoon/model/1/${canonical}`)
      const digest = createHash('sha256').update(Buffer.from(m.dhtKeyInput, 'utf8')).digest('hex')
      expect(m.dhtKeySha256Hex).toBe(digest)
      // CIDv1 (0x01), raw codec (0x55), sha2-256 multihash (0x12, 32 bytes)
      expect(m.cidBytesHex).toBe(`01551220${digest}`)
    }
  })

  it('offers frames are a varint length then the message, and decode', async () => {
    const stored = JSON.parse(
      await readFile(new URL('../vectors/discovery.json', import.meta.url), 'utf8'),
    ) as DiscoveryVectors
    for (const f of stored.offersFrames) {
      const bytes = fromHex(f.frameHex, 'base16')
      const length = varint.decode(bytes)
      const body = bytes.subarray(varint.encodingLength(length))
      expect(body.byteLength).toBe(length)
      if (f.name.startsWith('request')) expect(decodeOffersRequest(body).model).toBe(f.model)
      else expect(decodeOffersResponse(body).offers.length).toBe(f.offerVector === undefined ? 0 : 1)
    }
  })
})

describe('repeated scalars (TensorHeader.shape)', () => {
  const header: JobFrame = {
    tensorHeader: {
      name: 'a',
      dtype: DType.DTYPE_FLOAT32,
      shape: [2n, 3n, 300n],
      byteLength: 16n,
      sha256: new Uint8Array(0),
    },
  }
  // field 4 (tensorHeader) of JobFrame holding: name "a", dtype 1, shape, byteLength 16
  const packed = '220d' + '0a0161' + '1001' + '1a04' + '0203ac02' + '2010'
  const unpacked = '220e' + '0a0161' + '1001' + '1802' + '1803' + '18ac02' + '2010'

  it('are written packed, as proto3 does', () => {
    expect(toHex(encodeJobFrame(header), 'base16')).toBe(packed)
  })

  it('decode from the packed and from the unpacked form alike', () => {
    for (const hex of [packed, unpacked]) {
      expect(decodeJobFrame(fromHex(hex, 'base16')).tensorHeader?.shape).toEqual([2n, 3n, 300n])
    }
  })

  it('a packed run that claims more bytes than its message holds is refused', () => {
    expect(() =>
      decodeJobFrame(fromHex('220d' + '0a0161' + '1001' + '1a07' + '0203ac02' + '2010', 'base16')),
    ).toThrow(/runs past the end/)
  })
})
