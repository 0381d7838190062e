import type { Offer } from '@cocoon-mesh/protocol'
import { base58btc } from 'multiformats/bases/base58'

/**
 * Provider id strings by an offer's provider bytes: the base58 encoding
 * dominates validating and ranking a large book, and the book hands the same
 * offer objects to every check and every ranking. Weak, so it never outlives
 * the offers.
 */
const providerIds = new WeakMap<Uint8Array, string>()

/** The string id of a provider from the raw peer id bytes in an offer (same as `peerId.toString()`). */
export function providerIdOf(offer: Pick<Offer, 'provider'>): string {
  let id = providerIds.get(offer.provider)
  if (id === undefined) {
    id = base58btc.encode(offer.provider).slice(1)
    providerIds.set(offer.provider, id)
  }
  return id
}
