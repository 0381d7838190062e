/**
 * Hard limits of the wire protocol. A decoder checks the size BEFORE parsing
 * and an encoder refuses to produce what a peer would reject, so both sides
 * agree on every number here. Changing one is a protocol change.
 */

const KiB = 1024
const MiB = 1024 * KiB

/** Protocol versions this implementation speaks (the `version` field of versioned messages). */
export const SUPPORTED_VERSIONS: readonly number[] = [1]

/**
 * Largest encoded AttestationEvidence (an Offer's `attestation`): an Intel TDX
 * quote with its PCK certificate chain is about 5 KiB and the DCAP collateral
 * (CRLs, TCB info, QE identity and their issuer chains) about 12 KiB, so a
 * real Intel evidence blob is about 17 KiB; this leaves room for CRL growth
 * and a GPU token.
 */
export const MAX_ATTESTATION_EVIDENCE_BYTES = 48 * KiB
/** Largest quote in an AttestationEvidence (the kernel's configfs-tsm outblob holds at most 32 KiB). */
export const MAX_ATTESTATION_QUOTE_BYTES = 16 * KiB
/** Largest encoded DcapCollateral in an AttestationEvidence. */
export const MAX_ATTESTATION_COLLATERAL_BYTES = 24 * KiB
/** Largest SEV-SNP auxblob (certificate table) in an AttestationEvidence. */
export const MAX_ATTESTATION_AUX_BLOB_BYTES = 8 * KiB
/** Largest NVIDIA GPU attestation token (a JWT, UTF-8 bytes) in an AttestationEvidence. */
export const MAX_GPU_TOKEN_BYTES = 8 * KiB

/**
 * Largest encoded Offer: the biggest attestation evidence plus 16 KiB for
 * everything else (models, prices, addresses, signature).
 */
export const MAX_OFFER_BYTES = MAX_ATTESTATION_EVIDENCE_BYTES + 16 * KiB
/** Largest encoded OfferCancel (it has five small fields). */
export const MAX_OFFER_CANCEL_BYTES = 1 * KiB
/** Largest gossip message on an order-book topic: an Offer plus the OrderBookMessage envelope. */
export const MAX_ORDER_BOOK_MESSAGE_BYTES = MAX_OFFER_BYTES + 64
/** Largest OffersRequest (one model id). */
export const MAX_OFFERS_REQUEST_BYTES = 1 * KiB
/** Most offers one OffersResponse may carry. */
export const MAX_OFFERS_PER_RESPONSE = 64
/** Largest OffersResponse: {@link MAX_OFFERS_PER_RESPONSE} offers of at most {@link MAX_OFFER_BYTES} plus framing. */
export const MAX_OFFERS_RESPONSE_BYTES = MAX_OFFERS_PER_RESPONSE * (MAX_OFFER_BYTES + 8)
/** Largest encoded UsageReceipt. */
export const MAX_USAGE_RECEIPT_BYTES = 2 * KiB

/**
 * Default size of the `data` of one TensorChunk. Senders may use any size up
 * to {@link MAX_TENSOR_CHUNK_BYTES}; this is the default the job stream uses.
 */
export const TENSOR_CHUNK_SIZE = 256 * KiB
/** Largest `data` a TensorChunk may carry. */
export const MAX_TENSOR_CHUNK_BYTES = 1 * MiB
/** Room for the JobFrame / TensorChunk envelope (tags, lengths, index, offset) around the biggest payload. */
export const JOB_FRAME_OVERHEAD_BYTES = 4 * KiB
/**
 * Largest encoded JobFrame: a full tensor chunk plus envelope. This also caps
 * a JobRequest (prompt and chat messages included) at about 1 MiB.
 */
export const MAX_JOB_FRAME_BYTES = MAX_TENSOR_CHUNK_BYTES + JOB_FRAME_OVERHEAD_BYTES
/** Largest tensor (TensorHeader.byte_length) a job may send or return. */
export const MAX_TENSOR_BYTES = 256 * MiB
/** Most dimensions of a tensor shape. */
export const MAX_TENSOR_RANK = 8

/** How far apart two honest peers' clocks may be; applied to issued-at and expiry checks. */
export const MAX_CLOCK_DRIFT_MS = 30_000
/**
 * Longest lifetime of an offer (expires_at - issued_at). Providers re-publish
 * at half their TTL (default 10 minutes), so a short cap costs an honest
 * provider little, while a flood of signed offers ages out of every book soon.
 */
export const MAX_OFFER_TTL_MS = 15 * 60_000
/** A cancel older than this cannot cancel any live offer, so it is dropped as expired. */
export const MAX_OFFER_CANCEL_AGE_MS = MAX_OFFER_TTL_MS

/** Field limits checked by the validators. */
export const MAX_MODELS_PER_OFFER = 64
export const MAX_MODEL_ID_LENGTH = 256
export const MAX_JOB_ID_LENGTH = 128
export const MAX_REGION_LENGTH = 64
export const MAX_PAYOUT_ADDRESS_LENGTH = 128
export const MAX_GPU_MODEL_LENGTH = 128
export const MAX_PEER_ID_BYTES = 64
/** Dialable addresses an offer may list. */
export const MAX_OFFER_ADDRS = 8
/** Largest multiaddr (bytes) in an offer's `addrs`. */
export const MAX_MULTIADDR_BYTES = 256
/** Largest `attestation` of an Offer: one encoded AttestationEvidence. */
export const MAX_ATTESTATION_BYTES = MAX_ATTESTATION_EVIDENCE_BYTES
export const MAX_CONCURRENCY = 4096
/** Length of an Ed25519 signature and public key (settlement_key). */
export const ED25519_SIGNATURE_BYTES = 64
export const ED25519_PUBLIC_KEY_BYTES = 32
/** Longest signature any libp2p key type produces here (secp256k1 DER is at most 72 bytes). */
export const MAX_SIGNATURE_BYTES = 80
/**
 * Sanity cap on any single unit price: 1000 TON (per 1k tokens or per GFLOP).
 * Anything above is a unit mistake (TON instead of nanoTON), not a price.
 */
export const MAX_UNIT_PRICE_NANOTON = 1_000n * 1_000_000_000n

/** Generation constraints a JobRequest's LlmParams may carry (checked by validateJobRequest). */
export const MAX_STOP_SEQUENCES = 4
/** Longest stop string, in UTF-16 code units. */
export const MAX_STOP_LENGTH = 128
/** Largest JSON schema (output constraint or a tool's parameters) or GBNF grammar, in UTF-8 bytes. */
export const MAX_SCHEMA_BYTES = 32 * KiB
/** Most tools one request may offer the model (and tool calls one result may carry). */
export const MAX_TOOLS = 32
/** Longest tool name: letters, digits, `_` and `-`, as OpenAI's API allows. */
export const MAX_TOOL_NAME_LENGTH = 64
/** Longest tool call id (OpenAI's are 29 characters; others use longer ones). */
export const MAX_TOOL_CALL_ID_LENGTH = 128
/** Longest tool description, in UTF-16 code units. */
export const MAX_TOOL_DESCRIPTION_LENGTH = 1024
/** Most texts one embedding job may embed. */
export const MAX_EMBEDDING_INPUTS = 256
/**
 * Largest context size, in tokens, an offer or a JobError's ContextLimit may
 * state: far above any model served today, low enough that a count past it
 * is a lie, not a model.
 */
export const MAX_CONTEXT_SIZE = 16 * 1024 * 1024
/** Most feature names an offer may list, and the longest name. */
export const MAX_OFFER_FEATURES = 16
export const MAX_FEATURE_NAME_LENGTH = 32
