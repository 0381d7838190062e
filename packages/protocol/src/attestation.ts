/**
 * The attestation part of the wire contract: how a TEE quote's report data
 * binds a provider's keys, and the checked codec of AttestationEvidence (the
 * bytes of an Offer's `attestation`, in codec.ts).
 *
 * report_data (64 bytes) = SHA-512(
 *   "cocoon/v1/attestation-report-data"
 *   ‖ uint16be(len(peer public key)) ‖ peer public key
 *   ‖ settlement public key)
 *
 * The peer public key is the libp2p protobuf encoding of the provider's
 * public key (`publicKeyToProtobuf`, the bytes inside an identity peer id),
 * so the key type is committed too; the settlement key is the raw 32-byte
 * Ed25519 key of the offer's `settlement_key`. Only the peer key has a length
 * prefix: it is the one part whose length varies, and the settlement key is
 * last, so the split is unambiguous.
 */
import { sha512 } from '#platform'
import { InvalidFieldError } from './errors.js'
import { ED25519_PUBLIC_KEY_BYTES, MAX_PEER_ID_BYTES } from './limits.js'

/** Domain string hashed in front of the keys, so the digest means nothing in any other protocol. */
export const ATTESTATION_REPORT_DATA_DOMAIN = 'cocoon/v1/attestation-report-data'
/** The binding above; the `binding_version` an AttestationEvidence carries. */
export const ATTESTATION_BINDING_VERSION = 1
/** Length of a TEE's report data (TDX, SGX and SEV-SNP all carry 64 bytes). */
export const ATTESTATION_REPORT_DATA_BYTES = 64

const textEncoder = new TextEncoder()

/**
 * The 64 bytes a provider's quote must carry as its report data to bind the
 * provider's libp2p key (protobuf-encoded public key) and its settlement key.
 * Throws {@link InvalidFieldError} for an empty or over-long peer key or a
 * settlement key that is not 32 bytes.
 */
export function attestationReportData(
  peerPublicKey: Uint8Array,
  settlementPublicKey: Uint8Array,
): Uint8Array<ArrayBuffer> {
  if (peerPublicKey.byteLength === 0 || peerPublicKey.byteLength > MAX_PEER_ID_BYTES) {
    throw new InvalidFieldError(`peer public key has ${peerPublicKey.byteLength} bytes`, {
      field: 'peerPublicKey',
      details: `Pass the libp2p protobuf encoding of the public key (publicKeyToProtobuf), 1..${MAX_PEER_ID_BYTES} bytes.`,
    })
  }
  if (settlementPublicKey.byteLength !== ED25519_PUBLIC_KEY_BYTES) {
    throw new InvalidFieldError(`settlement public key has ${settlementPublicKey.byteLength} bytes`, {
      field: 'settlementPublicKey',
      details: `Pass the raw ${ED25519_PUBLIC_KEY_BYTES}-byte Ed25519 key of the offer's settlement_key.`,
    })
  }
  const length = new Uint8Array([peerPublicKey.byteLength >> 8, peerPublicKey.byteLength & 0xff])
  return sha512(
    textEncoder.encode(ATTESTATION_REPORT_DATA_DOMAIN),
    length,
    peerPublicKey,
    settlementPublicKey,
  )
}
