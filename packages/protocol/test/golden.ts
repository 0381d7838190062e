/**
 * Builds the golden vectors in test/vectors/*.json: fixed messages signed with
 * a fixed Ed25519 key, with their exact encodings, the bytes each signature
 * covers and the signatures. Another implementation checks itself against
 * these files; `npm run vectors -w @cocoon-mesh/protocol` rewrites them.
 */
import type { PrivateKey } from '@libp2p/interface'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { toString as toHex } from 'uint8arrays/to-string'
import {
  DType,
  encodeJobFrame,
  encodeOffer,
  encodeOfferCancel,
  encodeOrderBookMessage,
  encodeUsageReceipt,
  JOB_REQUEST_SIGNATURE_CONTEXT,
  JobErrorCode,
  type JobFrame,
  JobKind,
  JobRequest,
  jobRequestSigningBytes,
  OFFER_CANCEL_SIGNATURE_CONTEXT,
  OFFER_SIGNATURE_CONTEXT,
  offerCancelSigningBytes,
  offerSigningBytes,
  RejectReason,
  signOffer,
  signOfferCancel,
  signUsageReceipt,
  USAGE_RECEIPT_SIGNATURE_CONTEXT,
  usageReceiptSigningBytes,
} from '../src/index.js'
import { fixedKey, sampleCancel, sampleJobRequest, sampleOffer, sampleReceipt } from './fixtures.js'

export const VECTOR_SEED_HEX = '000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f'

export interface GoldenVector {
  name: string
  /** The message as JSON: bigints as decimal strings, bytes as hex. */
  message: unknown
  encodedHex: string
  signingBytesHex?: string
  signatureHex?: string
}

export interface GoldenVectorFile {
  description: string
  messageType: string
  key?: { type: 'Ed25519'; seedHex: string; publicKeyHex: string; peerId: string; peerIdHex: string }
  signatureContext?: string
  /** The message field holding the signature, when it is not `signature`. */
  signatureField?: string
  vectors: GoldenVector[]
}

/** JSON form used in the files: bigint -> decimal string, bytes -> hex. */
export function toJson(value: unknown): unknown {
  if (typeof value === 'bigint') return value.toString()
  if (value instanceof Uint8Array) return toHex(value, 'base16')
  if (Array.isArray(value)) return value.map(toJson)
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value)
        .filter(([, v]) => v !== undefined)
        .map(([k, v]) => [k, toJson(v)]),
    )
  }
  return value
}

function hex(bytes: Uint8Array): string {
  return toHex(bytes, 'base16')
}

async function keyInfo(key: PrivateKey): Promise<NonNullable<GoldenVectorFile['key']>> {
  const peerId = peerIdFromPrivateKey(key)
  return {
    type: 'Ed25519',
    seedHex: VECTOR_SEED_HEX,
    publicKeyHex: hex(key.publicKey.raw),
    peerId: peerId.toString(),
    peerIdHex: hex(peerId.toMultihash().bytes),
  }
}

export async function buildGoldenVectors(): Promise<Record<string, GoldenVectorFile>> {
  const key = await fixedKey(0)
  const info = await keyInfo(key)

  const offers = [
    { name: 'llm-and-tensor', offer: sampleOffer() },
    {
      name: 'attested-single-model',
      offer: sampleOffer({
        jobKinds: ['llm'],
        models: ['llama-3.1-8b-instruct'],
        attestation: new Uint8Array(48).map((_, i) => i),
        trustTier: 'TRUST_TIER_ATTESTED' as never,
        sequence: 2n ** 40n + 7n,
        prices: {
          perKPromptTokens: 0n,
          perKCompletionTokens: 18_446_744_073_709_551_615n,
          perTensorGflop: 1n,
        },
      }),
    },
    {
      name: 'per-model-prices',
      offer: sampleOffer({
        jobKinds: ['llm'],
        models: ['qwen2.5-0.5b-instruct', 'llama-3.1-70b-instruct'],
        modelPrices: [
          {
            model: 'llama-3.1-70b-instruct',
            prices: { perKPromptTokens: 20_000n, perKCompletionTokens: 60_000n, perTensorGflop: 50n },
          },
        ],
      }),
    },
  ]
  const offerVectors: GoldenVector[] = []
  for (const { name, offer } of offers) {
    const signed = await signOffer(offer, key)
    offerVectors.push({
      name,
      message: toJson(signed),
      encodedHex: hex(encodeOffer(signed)),
      signingBytesHex: hex(offerSigningBytes(signed)),
      signatureHex: hex(signed.signature),
    })
  }

  // a JobRequest naming a channel, made out to provider fixedKey(1), signed by the channel's
  // client key (here the file's key: `clientKey` is its raw 32-byte public key)
  const providerKey = await fixedKey(1)
  const unsignedRequest = sampleJobRequest({
    channel: `0:${'ab'.repeat(32)}`,
    provider: Uint8Array.from(peerIdFromPrivateKey(providerKey).toMultihash().bytes),
    issuedAt: 1_800_000_000_000n,
    clientKey: Uint8Array.from(key.publicKey.raw),
  })
  const signedRequest: JobRequest = {
    ...unsignedRequest,
    clientSignature: Uint8Array.from(await key.sign(jobRequestSigningBytes(unsignedRequest))),
  }

  const cancel = await signOfferCancel(sampleCancel({ sequence: 3n }), key)
  const receipt = await signUsageReceipt(sampleReceipt(), key)
  const signedOffer = await signOffer(sampleOffer(), key)

  const frames: Array<{ name: string; frame: JobFrame }> = [
    { name: 'request-llm', frame: { request: sampleJobRequest() } },
    {
      name: 'request-tensor',
      frame: {
        request: sampleJobRequest({
          kind: JobKind.JOB_KIND_TENSOR,
          model: 'matmul',
          llm: undefined,
          tensor: { op: 'matmul', inputCount: 2, outputNames: ['c'] },
        }),
      },
    },
    {
      name: 'request-llm-constrained',
      frame: {
        request: sampleJobRequest({
          llm: {
            ...sampleJobRequest().llm!,
            stop: ['\n\n', 'END'],
            topP: 0.9,
            presencePenalty: 0.5,
            frequencyPenalty: -0.25,
            tools: [
              {
                name: 'get_weather',
                description: 'Weather in a city',
                parameters: '{"type":"object","properties":{"city":{"type":"string"}},"required":["city"]}',
              },
            ],
            toolChoice: 'function',
            toolChoiceName: 'get_weather',
          },
        }),
      },
    },
    {
      name: 'request-embedding',
      frame: {
        request: sampleJobRequest({
          kind: JobKind.JOB_KIND_EMBEDDING,
          llm: undefined,
          embedding: { inputs: ['hello', 'wörld'] },
        }),
      },
    },
    {
      name: 'result-tool-call',
      frame: {
        result: {
          jobId: 'job-0001',
          usage: {
            promptTokens: 30,
            cachedTokens: 0,
            completionTokens: 14,
            reasoningTokens: 0,
            gflop: 0,
            cost: 9n,
          },
          backend: 'llama.cpp/cpu',
          finishReason: 'tool_calls',
          toolCalls: [{ id: 'call_0', name: 'get_weather', arguments: '{"city":"Oslo"}' }],
        },
      },
    },
    {
      name: 'accept',
      frame: {
        accept: {
          jobId: 'job-0001',
          price: { perKPromptTokens: 1000n, perKCompletionTokens: 3000n, perTensorGflop: 0n },
          creditWindow: 50_000n,
          queueDepth: 0,
        },
      },
    },
    {
      name: 'reject',
      frame: {
        reject: {
          jobId: 'job-0001',
          reason: RejectReason.REJECT_REASON_OVER_CAPACITY,
          message: '4/4 busy',
          retryAfterMs: 0,
          queueDepth: 0,
        },
      },
    },
    {
      name: 'tensor-header',
      frame: {
        tensorHeader: {
          name: 'a',
          dtype: DType.DTYPE_FLOAT32,
          shape: [2n, 2n],
          byteLength: 16n,
          sha256: new Uint8Array(32).fill(0xab),
        },
      },
    },
    {
      name: 'tensor-chunk',
      frame: { tensorChunk: { index: 0, offset: 0n, data: new Uint8Array([0, 0, 128, 63, 0, 0, 0, 64]) } },
    },
    { name: 'token-chunk', frame: { tokenChunk: { text: 'Héllo 👋', tokens: 3, totalTokens: 10 } } },
    {
      name: 'result',
      frame: {
        result: {
          jobId: 'job-0001',
          usage: {
            promptTokens: 12,
            cachedTokens: 0,
            completionTokens: 10,
            reasoningTokens: 0,
            gflop: 0,
            cost: 42n,
          },
          backend: 'llama.cpp/cpu',
          finishReason: 'stop',
          toolCalls: [],
        },
      },
    },
    {
      name: 'error',
      frame: {
        error: { jobId: 'job-0001', code: JobErrorCode.JOB_ERROR_CODE_HASH_MISMATCH, message: 'input a' },
      },
    },
    {
      name: 'voucher',
      frame: {
        voucher: {
          channel: 'EQabc',
          amount: 1_000_000n,
          jobId: 'job-0001',
          signature: new Uint8Array(64).fill(1),
        },
      },
    },
    { name: 'receipt', frame: { receipt } },
    { name: 'cancel', frame: { cancel: { jobId: 'job-0001' } } },
  ]

  return {
    offer: {
      description:
        'Signed Offer messages (protobuf Offer), signature over varint(len(ctx)) || ctx || Offer with signature emptied.',
      messageType: 'Offer',
      key: info,
      signatureContext: OFFER_SIGNATURE_CONTEXT,
      vectors: offerVectors,
    },
    'offer-cancel': {
      description: 'Signed OfferCancel.',
      messageType: 'OfferCancel',
      key: info,
      signatureContext: OFFER_CANCEL_SIGNATURE_CONTEXT,
      vectors: [
        {
          name: 'cancel-up-to-3',
          message: toJson(cancel),
          encodedHex: hex(encodeOfferCancel(cancel)),
          signingBytesHex: hex(offerCancelSigningBytes(cancel)),
          signatureHex: hex(cancel.signature),
        },
      ],
    },
    'usage-receipt': {
      description: 'Signed UsageReceipt (signed by the provider).',
      messageType: 'UsageReceipt',
      key: info,
      signatureContext: USAGE_RECEIPT_SIGNATURE_CONTEXT,
      vectors: [
        {
          name: 'llm-receipt',
          message: toJson(receipt),
          encodedHex: hex(encodeUsageReceipt(receipt)),
          signingBytesHex: hex(usageReceiptSigningBytes(receipt)),
          signatureHex: hex(receipt.signature),
        },
      ],
    },
    'job-request': {
      description:
        "A JobRequest naming a payment channel with its channel proof: clientSignature is the ed25519 signature by clientKey (the channel client key, raw 32 bytes; here the file key) over varint(len(ctx)) || ctx || JobRequest with clientSignature emptied. provider is the intended provider's peer id bytes, issuedAt Unix ms.",
      messageType: 'JobRequest',
      key: info,
      signatureContext: JOB_REQUEST_SIGNATURE_CONTEXT,
      signatureField: 'clientSignature',
      vectors: [
        {
          name: 'llm-on-channel',
          message: toJson(signedRequest),
          encodedHex: hex(JobRequest.encode(signedRequest)),
          signingBytesHex: hex(jobRequestSigningBytes(signedRequest)),
          signatureHex: hex(signedRequest.clientSignature),
        },
      ],
    },
    'order-book-message': {
      description: 'OrderBookMessage envelopes as published on /cocoon/orderbook/1/<model>.',
      messageType: 'OrderBookMessage',
      vectors: [
        {
          name: 'offer',
          message: toJson({ offer: signedOffer }),
          encodedHex: hex(encodeOrderBookMessage({ offer: signedOffer })),
        },
        { name: 'cancel', message: toJson({ cancel }), encodedHex: hex(encodeOrderBookMessage({ cancel })) },
      ],
    },
    'job-frame': {
      description: 'One JobFrame of each kind, as carried (length-prefixed) on /cocoon/job/1.0.0.',
      messageType: 'JobFrame',
      vectors: frames.map(({ name, frame }) => ({
        name,
        message: toJson(frame),
        encodedHex: hex(encodeJobFrame(frame)),
      })),
    },
  }
}
