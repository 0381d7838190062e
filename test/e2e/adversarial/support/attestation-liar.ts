/**
 * A hostile provider process for the attestation e2e test: a real peer that
 * publishes a correctly signed, cheap offer for the model claiming the
 * attested tier, with whatever evidence the test hands it (a quote that binds
 * another key, one of a measurement no client allows, or none at all). It
 * answers `/cocoon/job/1.0.0` by printing `job <id>` and closing: a client
 * that trusted the claim would show up there.
 *
 * Env: `COCOON_LIAR_KEY` (hex protobuf Ed25519 private key, so the test can
 * bind evidence to it), `COCOON_LIAR_SETTLEMENT_KEY` (hex, 32 bytes),
 * `COCOON_LIAR_EVIDENCE` (hex AttestationEvidence bytes, may be empty),
 * `COCOON_LIAR_BOOTSTRAP` (comma-separated multiaddrs), `COCOON_LIAR_MODEL`.
 * Prints `ready <peerId>` once listening; exits on SIGTERM/SIGINT.
 *
 * Run: `node test/e2e/adversarial/support/attestation-liar.ts` (Node 24 strips
 * the types; the packages resolve to their built dist/).
 */
import { createPeer } from '@cocoon-mesh/peer'
import { JOB_PROTOCOL, TrustTier } from '@cocoon-mesh/protocol'
import { privateKeyFromProtobuf } from '@libp2p/crypto/keys'

const env = (name: string): string => {
  const value = process.env[name]
  if (value === undefined) throw new Error(`attestation-liar needs ${name}`)
  return value
}
const model = env('COCOON_LIAR_MODEL')
const peer = await createPeer({
  privateKey: privateKeyFromProtobuf(Buffer.from(env('COCOON_LIAR_KEY'), 'hex')),
  listen: ['/ip4/127.0.0.1/tcp/0'],
  bootstrap: env('COCOON_LIAR_BOOTSTRAP')
    .split(',')
    .filter((a) => a !== ''),
  provide: {
    models: [model],
    jobKinds: ['llm'],
    prices: { perKPromptTokens: 1n, perKCompletionTokens: 1n, perTensorGflop: 0n },
    attestedPrices: { perKPromptTokens: 1n, perKCompletionTokens: 1n, perTensorGflop: 0n },
    trustTier: TrustTier.TRUST_TIER_ATTESTED,
    attestation: new Uint8Array(Buffer.from(env('COCOON_LIAR_EVIDENCE'), 'hex')),
    settlementKey: new Uint8Array(Buffer.from(env('COCOON_LIAR_SETTLEMENT_KEY'), 'hex')),
    tokensPerSecond: 1000,
  },
})
await peer.libp2p.handle(JOB_PROTOCOL, (stream) => {
  console.log('job received')
  stream.abort(new Error('a hostile provider'))
})
console.log(`ready ${peer.libp2p.peerId.toString()}`)

for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.once(signal, () => {
    void peer.stop().finally(() => process.exit(0))
  })
}
