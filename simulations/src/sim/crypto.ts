import type { OrderBookVerifier } from '@cocoon-mesh/client/market'
import {
  type Offer,
  type OfferCancel,
  peerIdBytes,
  signOffer,
  verifyOffer,
  verifyOfferCancel,
} from '@cocoon-mesh/protocol'
import { generateKeyPairFromSeed } from '@libp2p/crypto/keys'
import type { PrivateKey } from '@libp2p/interface'
import type { Rng } from '../engine/prng.js'

/**
 * Signing and verification of offers in the simulation.
 *
 * - `real`: every provider has an ed25519 key; every offer is signed with the
 *   protocol's `signOffer` and every validation calls the protocol's
 *   `verifyOffer` (node:crypto). Exact, ~10k verifies/s: small scenarios.
 * - `table`: no ed25519. Provider ids are well-formed identity peer ids, a
 *   signature is 64 random bytes that the signer records in a table, and the
 *   verifier accepts exactly the recorded signatures (a forged or corrupted
 *   one is not in the table and is rejected, as a real verify would). All the
 *   rest of validation runs for real. Used at 100k-peer scale.
 */
export interface SimCrypto {
  readonly mode: 'real' | 'table'
  /** Provider `index`'s peer id bytes: always the same one copy, which every offer of it shares. */
  providerBytes(index: number): Uint8Array<ArrayBuffer>
  sign(index: number, offer: Offer): Promise<Offer> | Offer
  /** A signature that is not the provider's (for bad-signature spam). */
  forge(offer: Offer): Offer
  readonly verifier: OrderBookVerifier
  signs: number
  verifies: number
}

export async function createSimCrypto(mode: 'real' | 'table', count: number, rng: Rng): Promise<SimCrypto> {
  return mode === 'real' ? realCrypto(count, rng) : tableCrypto(count, rng)
}

/** ed25519 keys from the run's PRNG (so runs are reproducible), the protocol's signOffer and verifyOffer. */
async function realCrypto(count: number, rng: Rng): Promise<SimCrypto> {
  const keys: PrivateKey[] = []
  const bytes: Uint8Array<ArrayBuffer>[] = []
  for (let i = 0; i < count; i++) {
    const key = await generateKeyPairFromSeed('Ed25519', randomBytes(rng, 32))
    keys.push(key)
    bytes.push(peerIdBytes(key))
  }
  const c: SimCrypto = {
    mode: 'real',
    providerBytes: (i) => bytes[i] as Uint8Array<ArrayBuffer>,
    sign: async (i, offer) => {
      c.signs++
      return signOffer(offer, keys[i] as PrivateKey)
    },
    forge: (offer) => ({ ...offer, signature: new Uint8Array(64).fill(7) }),
    verifier: {
      verifyOffer: async (offer: Offer) => {
        c.verifies++
        await verifyOffer(offer)
      },
      verifyCancel: (cancel: OfferCancel) => verifyOfferCancel(cancel),
    },
    signs: 0,
    verifies: 0,
  }
  return c
}

/** Recorded random signatures: the verifier accepts exactly the ones a signer made. */
function tableCrypto(count: number, rng: Rng): SimCrypto {
  const bytes = Array.from({ length: count }, (_, i) => tablePeerIdBytes(i))
  const table = new Set<string>()
  const key = (sig: Uint8Array): string =>
    Buffer.from(sig.buffer, sig.byteOffset, sig.byteLength).toString('base64')
  const c: SimCrypto = {
    mode: 'table',
    providerBytes: (i) => bytes[i] as Uint8Array<ArrayBuffer>,
    sign: (_i, offer) => {
      c.signs++
      const sig = randomBytes(rng, 64)
      table.add(key(sig))
      return { ...offer, signature: sig }
    },
    forge: (offer) => ({ ...offer, signature: randomBytes(rng, 64) }),
    verifier: {
      verifyOffer: (offer: Offer) => {
        c.verifies++
        if (!table.has(key(offer.signature))) throw new Error('signature not in the table')
      },
      verifyCancel: (cancel: OfferCancel) => {
        if (!table.has(key(cancel.signature))) throw new Error('signature not in the table')
      },
    },
    signs: 0,
    verifies: 0,
  }
  return c
}

/** The identity multihash of a protobuf-wrapped ed25519 public key holding `i`: a well-formed peer id. */
function tablePeerIdBytes(i: number): Uint8Array<ArrayBuffer> {
  const b = new Uint8Array(38)
  b.set([0x00, 0x24, 0x08, 0x01, 0x12, 0x20])
  new DataView(b.buffer).setUint32(6, i)
  return b
}

/** `length` (a multiple of 4) bytes from the PRNG, one big-endian u32 at a time. */
function randomBytes(rng: Rng, length: number): Uint8Array<ArrayBuffer> {
  const bytes = new Uint8Array(length)
  const view = new DataView(bytes.buffer)
  for (let j = 0; j < length; j += 4) view.setUint32(j, rng.nextU32())
  return bytes
}
