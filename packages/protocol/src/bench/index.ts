/**
 * Protocol benchmarks, each against a baseline measured in the same run:
 *
 * - offer-verify: decode + validate + verify of a signed Offer (what a gossip
 *   validator does per message) vs a raw node:crypto Ed25519 verify of the same
 *   signed bytes with a cached key object.
 * - offer-sign: signOffer vs a raw node:crypto Ed25519 sign of the same bytes.
 * - jobframe-encode / jobframe-decode: 256 KiB TensorChunk frames vs copying the
 *   same bytes (Buffer.concat of header + payload / Uint8Array.slice).
 *
 * Run with `npm run bench -w @cocoon-mesh/protocol` (after a build).
 */
import {
  createPrivateKey,
  createPublicKey,
  type KeyObject,
  sign as rawSign,
  verify as rawVerify,
} from 'node:crypto'
import { generateKeyPairFromSeed } from '@libp2p/crypto/keys'
import { reportBench } from '../bench-report.js'
import { decodeJobFrame, decodeOffer, encodeJobFrame, encodeOffer } from '../codec.js'
import { type Offer, TrustTier } from '../generated/cocoon.js'
import { TENSOR_CHUNK_SIZE } from '../limits.js'
import { PROTOCOL_VERSION } from '../protocol-ids.js'
import { offerSigningBytes, signOffer, verifyOffer } from '../signing.js'
import { validateOffer } from '../validate.js'

const DURATION_MS = Number(process.env.COCOON_BENCH_MS ?? 1500)

/** Runs `fn` repeatedly for about DURATION_MS (after a short warm-up) and returns operations per second. */
async function opsPerSecond(fn: () => unknown | Promise<unknown>, batch = 64): Promise<number> {
  const warmUntil = performance.now() + DURATION_MS / 5
  while (performance.now() < warmUntil) for (let i = 0; i < batch; i++) await fn()
  ;(globalThis as { gc?: () => void }).gc?.()
  let ops = 0
  const start = performance.now()
  let elapsed = 0
  while (elapsed < DURATION_MS) {
    for (let i = 0; i < batch; i++) await fn()
    ops += batch
    elapsed = performance.now() - start
  }
  return (ops * 1000) / elapsed
}

async function main(): Promise<void> {
  await offerBenches()
  await jobFrameBenches()
}

/** offer-verify and offer-sign, each against raw node:crypto Ed25519 on the same signed bytes. */
async function offerBenches(): Promise<void> {
  const seed = new Uint8Array(32).map((_, i) => i)
  const key = await generateKeyPairFromSeed('Ed25519', seed)
  const now = Date.now()
  const signed = await signOffer(sampleOffer(now), key)
  const wire = encodeOffer(signed)
  const signingBytes = offerSigningBytes(signed)
  const raw = rawEd25519(seed, signingBytes, signed.signature)

  const verifyRate = await opsPerSecond(async () => {
    const decoded = decodeOffer(wire)
    validateOffer(decoded, { now })
    await verifyOffer(decoded)
  })
  const rawVerifyRate = await opsPerSecond(() => rawVerify(null, signingBytes, raw.publicKey, raw.signature))
  reportBench({
    bench: 'protocol/offer-decode-validate-verify',
    value: verifyRate,
    unit: 'ops/s',
    baseline: rawVerifyRate,
  })

  const signRate = await opsPerSecond(() => signOffer(signed, key))
  const rawSignRate = await opsPerSecond(() => rawSign(null, signingBytes, raw.privateKey))
  reportBench({ bench: 'protocol/offer-sign', value: signRate, unit: 'ops/s', baseline: rawSignRate })
}

/** A realistic unsigned offer issued at `now`, valid for 10 minutes. */
function sampleOffer(now: number): Offer {
  return {
    version: PROTOCOL_VERSION,
    provider: new Uint8Array(0),
    gpu: { model: 'NVIDIA RTX 4090', vramMb: 24_576, backend: 'cuda' },
    jobKinds: ['llm', 'tensor'],
    models: ['qwen2.5-0.5b-instruct', 'llama-3.1-8b-instruct', 'matmul'],
    prices: { perKPromptTokens: 1_000n, perKCompletionTokens: 3_000n, perTensorGflop: 50n },
    maxConcurrency: 4,
    region: 'eu-west',
    payoutAddress: 'EQCD39VS5jcptHL8vMjEXrzGaRcCVYto7HUn4bpAOg8xqB2N',
    attestation: new Uint8Array(0),
    issuedAt: BigInt(now),
    expiresAt: BigInt(now + 600_000),
    sequence: 1n,
    trustTier: TrustTier.TRUST_TIER_OPEN,
    tokensPerSecond: 40,
    gflops: 1000,
    settlementKey: new Uint8Array(32).fill(7),
    addrs: [],
    features: ['stop', 'top_p', 'penalties', 'json_schema'],
    contextSize: 32_768,
    modelPrices: [],
    signature: new Uint8Array(0),
  }
}

/**
 * node:crypto key objects for the Ed25519 `seed`, built once (the cheapest possible
 * Ed25519 path), and their signature of `signingBytes`.
 * @throws {Error} when that signature differs from `expected`: the comparison would be unfair.
 */
function rawEd25519(
  seed: Uint8Array,
  signingBytes: Uint8Array,
  expected: Uint8Array,
): { privateKey: KeyObject; publicKey: KeyObject; signature: Buffer } {
  const pkcs8 = Buffer.concat([Buffer.from('302e020100300506032b657004220420', 'hex'), Buffer.from(seed)])
  const privateKey = createPrivateKey({ key: pkcs8, format: 'der', type: 'pkcs8' })
  const publicKey = createPublicKey(privateKey)
  const signature = rawSign(null, signingBytes, privateKey)
  if (!Buffer.from(signature).equals(Buffer.from(expected))) {
    throw new Error('baseline key does not produce the same signature: the comparison would be unfair')
  }
  return { privateKey, publicKey, signature }
}

/** jobframe-encode / jobframe-decode of a 256 KiB TensorChunk vs copying the same bytes. */
async function jobFrameBenches(): Promise<void> {
  const data = new Uint8Array(TENSOR_CHUNK_SIZE).map((_, i) => i & 0xff)
  const header = new Uint8Array(16).fill(1)
  const frame = { tensorChunk: { index: 1, offset: 1n << 30n, data } }
  const encoded = encodeJobFrame(frame)
  const mb = TENSOR_CHUNK_SIZE / 1e6

  const encodeRate = await opsPerSecond(() => encodeJobFrame(frame), 8)
  const concatRate = await opsPerSecond(() => Buffer.concat([header, data]), 8)
  reportBench({
    bench: 'protocol/jobframe-encode-256k',
    value: encodeRate * mb,
    unit: 'MB/s',
    baseline: concatRate * mb,
  })

  const decodeRate = await opsPerSecond(() => decodeJobFrame(encoded), 8)
  const sliceRate = await opsPerSecond(() => encoded.slice(), 8)
  reportBench({
    bench: 'protocol/jobframe-decode-256k',
    value: decodeRate * mb,
    unit: 'MB/s',
    baseline: sliceRate * mb,
  })
}

await main()
