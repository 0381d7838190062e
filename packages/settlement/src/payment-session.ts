import type { JobRequest, Prices, Voucher } from '@cocoon-mesh/protocol'

/**
 * The seam between the job protocol (in @cocoon-mesh/peer) and payment. The
 * job protocol calls these hooks per chunk of delivered work; settlement
 * decides when work may flow and which vouchers to sign or accept.
 * All amounts are cumulative nanoTON for one job.
 */
export interface ProviderPaymentSession {
  /** nanoTON of work the provider delivers ahead of a covering voucher, shared by the channel's jobs. */
  readonly creditWindow: bigint
  /**
   * nanoTON of this job the client's vouchers cover so far (optional: lets the
   * job protocol size a chunk to what `reserve` grants without waiting).
   */
  covered?(): bigint
  /**
   * nanoTON of work `reserve` grants beyond `delivered` (this job's
   * cumulative cost so far) without waiting, given what the channel's other
   * jobs hold of the shared window (optional: lets the job protocol size a
   * chunk; without it the job protocol assumes the whole window).
   */
  creditLeft?(delivered: bigint): bigint
  /**
   * Called before sending work that brings the job's billed total to
   * `cumulativeCost`. Resolves when the client's vouchers cover the channel's
   * unpaid work (this job's and its other jobs') within the credit window; rejects with a typed payment error if none comes in time
   * or `signal` aborts.
   */
  reserve(cumulativeCost: bigint, signal?: AbortSignal): Promise<void>
  /** A voucher from the client. Persisted before it resolves; throws a typed error if invalid. */
  acceptVoucher(voucher: Voucher): Promise<void>
  /** The job ended; `finalCost` is what the provider bills. */
  finish(finalCost: bigint): Promise<void>
  /**
   * The job ended, finished or not (optional; the job protocol calls it once
   * the stream is done). Its work not covered by a voucher keeps holding the
   * channel's credit window for the voucher timeout (a final voucher may still
   * come), then is written off as the provider's loss, so an abandoned job
   * does not block the channel for good.
   */
  close?(): void
}

/**
 * The same session with some members replaced: every member of `session` is
 * bound to it first (a class keeps its methods on the prototype, so spreading
 * an instance would silently drop them), then `overrides` replace what they
 * name. The one way to wrap a session, for metrics or tests.
 */
export function decorateProviderSession(
  session: ProviderPaymentSession,
  overrides: Partial<ProviderPaymentSession>,
): ProviderPaymentSession {
  return {
    creditWindow: session.creditWindow,
    reserve: session.reserve.bind(session),
    acceptVoucher: session.acceptVoucher.bind(session),
    finish: session.finish.bind(session),
    ...(session.covered === undefined ? {} : { covered: session.covered.bind(session) }),
    ...(session.creditLeft === undefined ? {} : { creditLeft: session.creditLeft.bind(session) }),
    ...(session.close === undefined ? {} : { close: session.close.bind(session) }),
    ...overrides,
  }
}

export interface ClientPaymentSession {
  /** The channel address sent in the JobRequest, empty when unpaid. */
  readonly channel: string
  /**
   * The provider delivered work worth `cumulativeCost` in total; returns the
   * voucher to send now, or undefined when none is due. Never signs for more
   * than delivered work plus the provider's credit window.
   */
  delivered(cumulativeCost: bigint): Promise<Voucher | undefined>
  /** The job ended; returns the final voucher for exactly `finalCost`, if one is still due. */
  finish(finalCost: bigint): Promise<Voucher | undefined>
}

export interface ProviderPayments {
  /**
   * Opens a session for an accepted job, or throws a typed error (a missing
   * or wrong channel proof, an unknown or underfunded channel).
   */
  openSession(
    request: JobRequest,
    price: Prices,
    /** The requesting client's peer id bytes. */
    client: Uint8Array,
    /** This provider's peer id bytes: what a channel proof's `provider` must be. */
    self: Uint8Array,
  ): Promise<ProviderPaymentSession>
}

export interface ClientPayments {
  /**
   * The channel address to put in the JobRequest for this provider, or
   * undefined when the client has none (optional, additive: lets the job
   * protocol fill `JobRequest.channel` before the provider accepts).
   */
  channelFor?(provider: Uint8Array, payoutAddress: string): Promise<string | undefined>
  /**
   * The request with its channel proof: `clientKey` set to the channel's
   * client key and `clientSignature` to that key's signature over
   * `jobRequestSigningBytes` (optional, additive: a provider with a chain
   * endpoint refuses a channel job without it). Call it last, once
   * `channel`, `provider` and `issuedAt` are filled in; the key stays in
   * settlement.
   */
  authorize?(request: JobRequest): JobRequest
  /**
   * Opens a session against a provider's offer; `creditWindow` comes from its
   * JobAccept. `jobId` (optional, additive) labels the client's usage receipt.
   */
  openSession(
    provider: Uint8Array,
    payoutAddress: string,
    creditWindow: bigint,
    jobId?: string,
  ): Promise<ClientPaymentSession>
}

/** Free jobs: the provider serves without vouchers. Used when payment is off (tests, private meshes). */
export const noPayments: ProviderPayments & ClientPayments = {
  async openSession(): Promise<ProviderPaymentSession & ClientPaymentSession> {
    return {
      creditWindow: 0n,
      channel: '',
      async reserve() {},
      async acceptVoucher() {},
      async delivered() {
        return undefined
      },
      async finish() {
        return undefined
      },
    }
  },
}
