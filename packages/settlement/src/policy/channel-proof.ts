/**
 * The proof a JobRequest naming a payment channel carries: it is signed by
 * the channel's client key (the one the contract holds), for this provider,
 * recently, and its (channel, job id) pair is new. Without it anyone who saw a
 * channel address could run jobs on that channel's credit window.
 */
import {
  type JobRequest,
  jobRequestSigningBytes,
  MAX_CLOCK_DRIFT_MS,
  peerIdFromBytes,
} from '@cocoon-mesh/protocol'
import { ChannelProofError } from '../errors.js'
import { type Ed25519Backend, ed25519Backend } from '../voucher/ed25519.js'
import type { SigningKey } from '../voucher/keys.js'

export interface VerifyChannelProofParameters {
  request: JobRequest
  /** The channel (raw `wc:hex` form), for the messages. */
  channel: string
  /** The client key the channel contract holds (`ChannelTerms.clientKey`). */
  channelClientKey: Uint8Array
  /** This provider's peer id bytes (multihash): what `request.provider` must be. */
  provider: Uint8Array
  /** The provider's clock, Unix ms. */
  now: number
  /** Allowed difference between `issuedAt` and `now`. Default {@link MAX_CLOCK_DRIFT_MS}. */
  maxDriftMs?: number
  /** Default: {@link ed25519Backend}. */
  ed25519?: Ed25519Backend
}

/**
 * The checks that need no chain lookup: the request carries a proof, names
 * this provider and was issued within the clock drift of `now`. A provider
 * runs them before it looks the channel up, so an unproven request costs it
 * no chain query.
 * @throws {ChannelProofError}
 */
export function checkChannelProofBinding(
  p: Omit<VerifyChannelProofParameters, 'channelClientKey' | 'ed25519'>,
): void {
  const { request, channel } = p
  if (request.clientKey.byteLength === 0 || request.clientSignature.byteLength === 0)
    throw new ChannelProofError(
      'unsigned',
      `JobRequest names channel ${channel} but carries no channel proof`,
      {
        details: `a job on a channel must set JobRequest.clientKey to the channel's client key and JobRequest.clientSignature to that key's ed25519 signature over jobRequestSigningBytes(request); ${request.clientKey.byteLength === 0 ? 'clientKey' : 'clientSignature'} is empty`,
      },
    )
  if (!equalBytes(request.provider, p.provider))
    throw new ChannelProofError('wrong-provider', 'JobRequest.provider is not this provider', {
      details: `the request is for provider ${peerName(request.provider)}, this provider is ${peerName(p.provider)}; sign a request for the provider you send it to`,
    })
  const drift = p.maxDriftMs ?? MAX_CLOCK_DRIFT_MS
  const skew = Number(request.issuedAt) - p.now
  if (request.issuedAt === 0n || Math.abs(skew) > drift)
    throw new ChannelProofError('stale', 'JobRequest.issuedAt is outside the allowed clock drift', {
      details: `issuedAt ${request.issuedAt} is ${skew} ms from this provider's clock (${p.now}); the allowed drift is ${drift} ms. Sign the request when sending it, and check both clocks.`,
    })
}

/**
 * Throws {@link ChannelProofError} (its `reason` says which check) unless
 * `request` is signed by the channel's client key, names this provider and
 * was issued within the clock drift of `now`. Replays are the caller's
 * check ({@link JobReplayCache}); it needs state.
 * @throws {ChannelProofError}
 */
export function verifyChannelProof(p: VerifyChannelProofParameters): void {
  checkChannelProofBinding(p)
  checkChannelProofSignature(p)
}

/**
 * The key half of {@link verifyChannelProof}, for a caller that ran
 * {@link checkChannelProofBinding} before looking the channel's client key
 * up: throws {@link ChannelProofError} unless `request` carries the
 * channel's client key and that key's signature.
 * @throws {ChannelProofError}
 */
export function checkChannelProofSignature(
  p: Pick<VerifyChannelProofParameters, 'request' | 'channel' | 'channelClientKey' | 'ed25519'>,
): void {
  const { request, channel } = p
  if (!equalBytes(request.clientKey, p.channelClientKey))
    throw new ChannelProofError(
      'wrong-client-key',
      `JobRequest.clientKey is not channel ${channel}'s client key`,
      {
        details: `the request carries key ${hex(request.clientKey)}, the channel contract holds ${hex(p.channelClientKey)}; only the client that opened the channel can run jobs on it`,
      },
    )
  const ok =
    request.clientSignature.byteLength === 64 &&
    (p.ed25519 ?? ed25519Backend()).verify(
      jobRequestSigningBytes(request),
      request.clientSignature,
      p.channelClientKey,
    )
  if (!ok)
    throw new ChannelProofError(
      'bad-signature',
      `JobRequest.clientSignature does not verify against channel ${channel}'s client key`,
      {
        details: `a ${request.clientSignature.byteLength}-byte signature that is not the channel client key's ed25519 signature over jobRequestSigningBytes(request) (context cocoon/v1/job-request): the request was altered or signed by another key`,
      },
    )
}

/** Signs a JobRequest's channel proof: sets `clientKey` and `clientSignature` (the other fields are the caller's). */
export function signChannelProof(request: JobRequest, key: SigningKey, ed25519?: Ed25519Backend): JobRequest {
  const unsigned: JobRequest = { ...request, clientKey: Uint8Array.from(key.publicKey) }
  const clientSignature = (ed25519 ?? ed25519Backend()).sign(jobRequestSigningBytes(unsigned), key)
  return { ...unsigned, clientSignature }
}

export interface JobReplayCacheInit {
  /** The provider's clock, Unix ms. */
  now: () => number
  /** How long after its `issuedAt` a request stays fresh. Default {@link MAX_CLOCK_DRIFT_MS}. */
  maxDriftMs?: number
  /** Most (channel, job id) pairs remembered; the oldest go first. Default 100 000. */
  maxEntries?: number
}

/**
 * The (channel, job id) pairs served recently. A request is fresh until
 * `issuedAt + maxDriftMs` on the provider's clock, so a pair is remembered
 * exactly that long; the memory is bounded by `maxEntries`, dropping the
 * oldest pair (only signed, verified requests are added, so filling it takes
 * a channel owner's own requests).
 */
export class JobReplayCache {
  readonly #now: () => number
  readonly #drift: number
  readonly #max: number
  /** pair -> expiry (Unix ms), in insertion order. */
  readonly #seen = new Map<string, number>()

  constructor(init: JobReplayCacheInit) {
    this.#now = init.now
    this.#drift = init.maxDriftMs ?? MAX_CLOCK_DRIFT_MS
    this.#max = init.maxEntries ?? 100_000
  }

  get size(): number {
    return this.#seen.size
  }

  /**
   * Records the pair, or throws {@link ChannelProofError} (`replayed`) when it
   * was seen within its freshness window.
   * @throws {ChannelProofError}
   */
  claim(channel: string, jobId: string, issuedAt: bigint): void {
    const now = this.#now()
    this.#expire(now)
    const pair = `${channel} ${jobId}`
    const expiry = this.#seen.get(pair)
    if (expiry !== undefined && expiry > now)
      throw new ChannelProofError('replayed', `job ${jobId} on channel ${channel} was already requested`, {
        details: `a signed JobRequest is good for one job: send each job with a new job id (this one stays refused until ${new Date(expiry).toISOString()})`,
      })
    while (this.#seen.size >= this.#max) {
      const oldest = this.#seen.keys().next().value
      if (oldest === undefined) break
      this.#seen.delete(oldest)
    }
    this.#seen.delete(pair)
    this.#seen.set(pair, Math.max(now, Number(issuedAt)) + this.#drift)
  }

  /** Drops expired pairs from the front (insertion order is close to expiry order). */
  #expire(now: number): void {
    for (const [pair, expiry] of this.#seen) {
      if (expiry > now) return
      this.#seen.delete(pair)
    }
  }
}

function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.byteLength !== b.byteLength) return false
  for (let i = 0; i < a.byteLength; i++) if (a[i] !== b[i]) return false
  return true
}

function peerName(bytes: Uint8Array): string {
  if (bytes.byteLength === 0) return '(empty)'
  try {
    return peerIdFromBytes(bytes).toString()
  } catch {
    // not a peer id: the bytes themselves say what was sent
    return `0x${hex(bytes)}`
  }
}

function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('hex')
}
