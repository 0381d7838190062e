import { generateKeyPairFromSeed } from '@libp2p/crypto/keys'
import type { PrivateKey } from '@libp2p/interface'
import {
  JobKind,
  type JobRequest,
  type Offer,
  type OfferCancel,
  PROTOCOL_VERSION,
  TrustTier,
  type UsageReceipt,
} from '../src/index.js'

/** A fixed Ed25519 key: seed bytes 0x00..0x1f. */
export async function fixedKey(offset = 0): Promise<PrivateKey> {
  const seed = new Uint8Array(32).map((_, i) => (i + offset) & 0xff)
  return generateKeyPairFromSeed('Ed25519', seed)
}

export const NOW = 1_800_000_000_000

export function sampleOffer(overrides: Partial<Offer> = {}): Offer {
  return {
    version: PROTOCOL_VERSION,
    provider: new Uint8Array(0),
    gpu: { model: 'NVIDIA RTX 4090', vramMb: 24_576, backend: 'cuda' },
    jobKinds: ['llm', 'tensor'],
    models: ['qwen2.5-0.5b-instruct', 'matmul'],
    prices: { perKPromptTokens: 1_000n, perKCompletionTokens: 3_000n, perTensorGflop: 50n },
    maxConcurrency: 4,
    region: 'eu-west',
    payoutAddress: 'EQCD39VS5jcptHL8vMjEXrzGaRcCVYto7HUn4bpAOg8xqB2N',
    attestation: new Uint8Array(0),
    issuedAt: BigInt(NOW),
    expiresAt: BigInt(NOW + 10 * 60_000),
    sequence: 1n,
    trustTier: TrustTier.TRUST_TIER_OPEN,
    tokensPerSecond: 42.5,
    gflops: 1234.5,
    settlementKey: new Uint8Array(32).fill(7),
    addrs: [],
    features: [],
    contextSize: 0,
    modelPrices: [],
    signature: new Uint8Array(0),
    ...overrides,
  }
}

export function sampleCancel(overrides: Partial<OfferCancel> = {}): OfferCancel {
  return {
    version: PROTOCOL_VERSION,
    provider: new Uint8Array(0),
    sequence: 1n,
    issuedAt: BigInt(NOW + 1000),
    signature: new Uint8Array(0),
    ...overrides,
  }
}

export function sampleReceipt(overrides: Partial<UsageReceipt> = {}): UsageReceipt {
  return {
    version: PROTOCOL_VERSION,
    jobId: 'job-0001',
    provider: new Uint8Array(0),
    client: new Uint8Array([0, 36, 8, 1, 18, 32, ...new Uint8Array(32).fill(9)]),
    model: 'qwen2.5-0.5b-instruct',
    usage: {
      promptTokens: 120,
      cachedTokens: 20,
      completionTokens: 64,
      reasoningTokens: 0,
      gflop: 0,
      cost: 312n,
    },
    startedAt: BigInt(NOW),
    finishedAt: BigInt(NOW + 2500),
    signature: new Uint8Array(0),
    ...overrides,
  }
}

import { noLlmConstraints, UNSIGNED_JOB_REQUEST } from '../src/index.js'

export function sampleJobRequest(overrides: Partial<JobRequest> = {}): JobRequest {
  return {
    version: PROTOCOL_VERSION,
    jobId: 'job-0001',
    kind: JobKind.JOB_KIND_LLM,
    model: 'qwen2.5-0.5b-instruct',
    maxPrice: { perKPromptTokens: 2_000n, perKCompletionTokens: 5_000n, perTensorGflop: 0n },
    budget: 1_000_000n,
    channel: '',
    deadline: BigInt(NOW + 60_000),
    llm: {
      prompt: '',
      messages: [{ role: 'user', content: 'hello', toolCalls: [], toolCallId: '' }],
      maxTokens: 64,
      temperature: 0,
      seed: 1,
      continuation: '',
      ...noLlmConstraints(),
    },
    minTrustTier: TrustTier.TRUST_TIER_OPEN,
    ...UNSIGNED_JOB_REQUEST,
    ...overrides,
  }
}
