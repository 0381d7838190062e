import { openTrust } from '@cocoon-mesh/client/internal'
import { describe, expect, it } from 'vitest'
import { testOffer } from '../../../../test-support/offers.js'
import { offerListing, offerListingTable } from '../../src/cli/commands/offers.js'

const offer = testOffer(1, 500n, {
  models: ['big', 'small'],
  modelPrices: [
    { model: 'small', prices: { perKPromptTokens: 40n, perKCompletionTokens: 60n, perTensorGflop: 0n } },
  ],
})
const trust = openTrust(offer, 'no-evidence')

describe('cocoon offers with per-model prices', () => {
  it("prints the asked model's prices in the price columns", () => {
    const small = offerListing(offer, trust, 'small')
    expect([small.perKPromptTokens, small.perKCompletionTokens]).toEqual(['40', '60'])
    const big = offerListing(offer, trust, 'BIG')
    expect([big.perKPromptTokens, big.perKCompletionTokens]).toEqual(['500', '500'])
  })

  it('without a model, prints the default prices and a line per model priced otherwise', () => {
    const listing = offerListing(offer, trust)
    expect(listing.perKCompletionTokens).toBe('500')
    expect(listing.modelPrices).toEqual([
      { model: 'small', perKPromptTokens: '40', perKCompletionTokens: '60' },
    ])
    expect(offerListingTable([listing])).toContain('  price of small: prompt 40 completion 60 nanoTON/1k\n')
  })
})
