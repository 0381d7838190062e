/**
 * @packageDocumentation
 *
 * The Cocoon Mesh light peer for apps: `createLightPeer` joins the mesh (the
 * DHT in client mode, the gossip order book), ranks the providers offering a
 * model, runs LLM, embedding and tensor jobs on the best of them with
 * failover, and pays through the client's TON payment channels. Every call
 * takes an `AbortSignal`; every failure is a typed error matched with
 * `instanceof`.
 */
export {
  AbortedError,
  DeadlineExceededError,
  type Tensor,
  type TensorDType,
  TrustTier,
} from '@cocoon-mesh/protocol'
export { type AttestationTrustInit, attestationTrust } from '#attestation-trust'
export {
  type ChannelPayments,
  type ChannelPaymentsErrorType,
  type ChannelPaymentsOptions,
  channelPayments,
} from '#channel-payments'
export {
  AllProvidersFailedError,
  AllRejectedError,
  BudgetExceededError,
  ContextLengthExceededError,
  InvalidJobError,
  JobFailedError,
  type JobPathError,
  MalformedEmbeddingError,
  MalformedToolCallError,
  MissingDependencyError,
  NodeOnlyError,
  NoProviderError,
  RelayedJobsRefusedError,
  StopIgnoredError,
} from './jobs/errors.js'
export type * from './jobs/job-types.js'
export { servedTier } from './jobs/served-tier.js'
export { type ComputedTier, type OfferTrust, tierName, trustLabel } from './market/offer-trust.js'
export type { MaxPrice, RankedOffer } from './matching/types.js'
export type { CocoonPeer } from './peer/types.js'
export { createLightPeer, toMaxPrice } from './sdk/light-peer.js'
export type { OfferSource, OrderBookSourceOptions } from './sdk/order-book-source.js'
export * from './sdk/payments.js'
export type * from './sdk/types.js'
export { DiscoveryFailedError } from './services/errors.js'
