import fc from 'fast-check'
import {
  DType,
  JobErrorCode,
  type JobFrame,
  JobKind,
  type Offer,
  type OfferCancel,
  OutputConstraintKind,
  PROTOCOL_VERSION,
  type Prices,
  RejectReason,
  TrustTier,
  type Usage,
  type UsageReceipt,
} from '../src/index.js'

/** The string members of a protons enum (its namespace also merges a `codec` function in). */
function enumValues<T>(e: Record<string, unknown>): T[] {
  return Object.values(e).filter((v) => typeof v === 'string') as T[]
}

const u32 = fc.nat({ max: 0xffff_ffff })
// every width of varint, including [2^31, 2^32) where protons-runtime once wrote zeros
const u64 = fc.oneof(
  fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }),
  fc.bigInt({ min: 2n ** 31n, max: 2n ** 32n - 1n }),
  fc.bigInt({ min: 0n, max: 2n ** 31n }),
)
// -0 is written as a default and reads back as 0, NaN never equals itself: both excluded.
const f64 = fc.double({ noNaN: true }).map((d) => (Object.is(d, -0) ? 0 : d))
const str = (maxLength = 40) => fc.string({ unit: 'grapheme', maxLength })
const bytes = (maxLength = 64) => fc.uint8Array({ maxLength }).map((b) => new Uint8Array(b))

export const pricesArb: fc.Arbitrary<Prices> = fc.record({
  perKPromptTokens: u64,
  perKCompletionTokens: u64,
  perTensorGflop: u64,
})

export const offerArb: fc.Arbitrary<Offer> = fc.record({
  version: fc.constant(PROTOCOL_VERSION),
  provider: bytes(40),
  gpu: fc.option(fc.record({ model: str(), vramMb: u32, backend: str(8) }), { nil: undefined }),
  jobKinds: fc.array(str(8), { maxLength: 3 }),
  models: fc.array(str(), { maxLength: 5 }),
  prices: fc.option(pricesArb, { nil: undefined }),
  maxConcurrency: u32,
  region: str(10),
  payoutAddress: str(48),
  attestation: bytes(128),
  issuedAt: u64,
  expiresAt: u64,
  sequence: u64,
  trustTier: fc.constantFrom(...enumValues<TrustTier>(TrustTier)),
  tokensPerSecond: f64,
  gflops: f64,
  settlementKey: bytes(32),
  addrs: fc.array(bytes(32), { maxLength: 3 }),
  features: fc.array(str(12), { maxLength: 3 }),
  contextSize: fc.integer({ min: 0, max: 16 * 1024 * 1024 }),
  modelPrices: fc.array(fc.record({ model: str(16), prices: pricesArb }), { maxLength: 3 }),
  signature: bytes(64),
})

export const offerCancelArb: fc.Arbitrary<OfferCancel> = fc.record({
  version: fc.constant(PROTOCOL_VERSION),
  provider: bytes(40),
  sequence: u64,
  issuedAt: u64,
  signature: bytes(64),
})

export const usageArb: fc.Arbitrary<Usage> = fc.record({
  promptTokens: u32,
  cachedTokens: u32,
  completionTokens: u32,
  reasoningTokens: u32,
  gflop: f64,
  cost: u64,
})

export const usageReceiptArb: fc.Arbitrary<UsageReceipt> = fc.record({
  version: fc.constant(PROTOCOL_VERSION),
  jobId: str(),
  provider: bytes(40),
  client: bytes(40),
  model: str(),
  usage: fc.option(usageArb, { nil: undefined }),
  startedAt: u64,
  finishedAt: u64,
  signature: bytes(64),
})

const jobRequestArb = fc.record({
  version: fc.constant(PROTOCOL_VERSION),
  jobId: str(),
  kind: fc.constantFrom(...enumValues<JobKind>(JobKind)),
  model: str(),
  maxPrice: fc.option(pricesArb, { nil: undefined }),
  budget: u64,
  channel: str(48),
  deadline: u64,
  llm: fc.option(
    fc.record({
      prompt: str(200),
      messages: fc.array(
        fc.record({
          role: str(10),
          content: str(200),
          toolCalls: fc.array(fc.record({ id: str(8), name: str(10), arguments: str(40) }), { maxLength: 2 }),
          toolCallId: str(16),
        }),
        { maxLength: 4 },
      ),
      maxTokens: u32,
      temperature: f64,
      seed: u32,
      continuation: str(100),
      stop: fc.array(str(8), { maxLength: 4 }),
      topP: f64,
      presencePenalty: f64,
      frequencyPenalty: f64,
      constraint: fc.option(
        fc.record({
          kind: fc.constantFrom(...enumValues<OutputConstraintKind>(OutputConstraintKind)),
          jsonSchema: str(40),
          grammar: str(40),
        }),
        { nil: undefined },
      ),
      tools: fc.array(fc.record({ name: str(10), description: str(20), parameters: str(40) }), {
        maxLength: 2,
      }),
      toolChoice: str(8),
      toolChoiceName: str(8),
    }),
    { nil: undefined },
  ),
  tensor: fc.option(
    fc.record({ op: str(10), inputCount: u32, outputNames: fc.array(str(10), { maxLength: 3 }) }),
    { nil: undefined },
  ),
  embedding: fc.option(fc.record({ inputs: fc.array(str(20), { maxLength: 3 }) }), { nil: undefined }),
  minTrustTier: fc.constantFrom(...enumValues<TrustTier>(TrustTier)),
  provider: bytes(40),
  issuedAt: u64,
  clientKey: bytes(32),
  clientSignature: bytes(64),
})

/** Each JobFrame kind with exactly one field set. */
export const jobFrameArb: fc.Arbitrary<JobFrame> = fc.oneof(
  jobRequestArb.map((request) => ({ request })),
  fc
    .record({
      jobId: str(),
      price: fc.option(pricesArb, { nil: undefined }),
      creditWindow: u64,
      queueDepth: u32,
    })
    .map((accept) => ({ accept })),
  fc
    .record({
      jobId: str(),
      reason: fc.constantFrom(...enumValues<RejectReason>(RejectReason)),
      message: str(),
      retryAfterMs: u32,
      queueDepth: u32,
    })
    .map((reject) => ({ reject })),
  fc
    .record({
      name: str(),
      dtype: fc.constantFrom(...enumValues<DType>(DType)),
      shape: fc.array(u64, { maxLength: 8 }),
      byteLength: u64,
      sha256: bytes(32),
    })
    .map((tensorHeader) => ({ tensorHeader })),
  fc.record({ index: u32, offset: u64, data: bytes(4096) }).map((tensorChunk) => ({ tensorChunk })),
  fc.record({ text: str(100), tokens: u32, totalTokens: u32 }).map((tokenChunk) => ({ tokenChunk })),
  fc
    .record({
      jobId: str(),
      usage: fc.option(usageArb, { nil: undefined }),
      backend: str(),
      finishReason: str(10),
      toolCalls: fc.array(fc.record({ id: str(8), name: str(10), arguments: str(40) }), { maxLength: 2 }),
    })
    .map((result) => ({ result })),
  fc
    .record({
      jobId: str(),
      code: fc.constantFrom(...enumValues<JobErrorCode>(JobErrorCode)),
      message: str(),
    })
    .map((error) => ({ error })),
  fc
    .record({ channel: str(48), amount: u64, jobId: str(), signature: bytes(64) })
    .map((voucher) => ({ voucher })),
  usageReceiptArb.map((receipt) => ({ receipt })),
  fc.record({ jobId: str() }).map((cancel) => ({ cancel })),
)
