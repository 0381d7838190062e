/** The config's "settlement" section: credit window and batched-claim knobs of a providing node. */
import { defaultClaimPolicy } from '@cocoon-mesh/settlement'
import { describe, expect, it } from 'vitest'
import { settlementFromConfig } from '../../src/cli/run-node.js'
import { DEFAULT_CONFIG, DEFAULT_CONFIG_TEXT, parseConfig } from '../../src/home/config.js'

describe('config: settlement section', () => {
  it('defaults to the settlement package defaults (the commented default config says the same)', () => {
    const config = parseConfig(DEFAULT_CONFIG_TEXT)
    expect(config.settlement).toEqual(DEFAULT_CONFIG.settlement)
    expect(settlementFromConfig(config)).toEqual({
      voucherTimeoutMs: 30_000,
      claimPolicy: defaultClaimPolicy,
      claimIntervalMs: 60_000,
      freeJobs: false,
    })
  })

  it('sets the credit window, voucher timeout, claim policy and free jobs of the node', () => {
    const config = parseConfig(
      '{ "settlement": { "creditWindow": "10000000", "voucherTimeoutMs": 5000, "claimThreshold": 1000, "claimAfterMs": 0, "claimMinimum": "1", "claimCheckMs": 200, "claimFeeMultiple": 3, "minFeeBalance": "200000000", "freeJobs": true } }',
    )
    expect(settlementFromConfig(config)).toEqual({
      creditWindow: 10_000_000n,
      voucherTimeoutMs: 5000,
      claimPolicy: {
        threshold: 1000n,
        interval: 0,
        minClaim: 1n,
        feeMultiple: 3,
        minFeeBalance: 200_000_000n,
      },
      claimIntervalMs: 200,
      freeJobs: true,
    })
  })

  it('refuses bad values with the field named', () => {
    expect(() => parseConfig('{ "settlement": [] }')).toThrow(/settlement/)
    expect(() => parseConfig('{ "settlement": { "claimThreshold": "1.5" } }')).toThrow(
      /settlement\.claimThreshold/,
    )
    expect(() => parseConfig('{ "settlement": { "claimCheckMs": 0 } }')).toThrow(/settlement\.claimCheckMs/)
    expect(() => parseConfig('{ "settlement": { "freeJobs": "yes" } }')).toThrow(/settlement\.freeJobs/)
    expect(() => parseConfig('{ "settlement": { "claimFeeMultiple": 1.5 } }')).toThrow(
      /settlement\.claimFeeMultiple/,
    )
    expect(() => parseConfig('{ "settlement": { "minFeeBalance": "-1" } }')).toThrow(
      /settlement\.minFeeBalance/,
    )
    expect(() => parseConfig('{ "settlement": { "voucherTimeoutMs": -1 } }')).toThrow(
      /settlement\.voucherTimeoutMs/,
    )
  })
})
